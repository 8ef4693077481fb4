"""The fonts of quote cards, chosen character by character so that no glyph is a box.

DejaVu Sans (shipped inside matplotlib, so always there) covers Latin, Cyrillic, Greek,
Arabic and Hebrew; CJK comes from the first installed of ``charts.FALLBACK_FONTS`` (the
image installs WenQuanYi Zen Hei, deploy/Dockerfile). Each character is drawn with the first
font whose character map has it. A character no font has is replaced by ``MISSING`` (an
invisible one, such as a variation selector, is dropped): a box would say less.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import cache

from PIL import ImageFont, features

from bot.telegram.charts import FALLBACK_FONTS

MISSING = "\ufffd"
"""What a character no font has becomes (DejaVu Sans draws it as a question mark in a diamond)."""
# Raqm shapes Arabic and orders right-to-left runs; Pillow's basic layout draws the characters
# one after another, left to right, unjoined.
LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
FALLBACK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_INVISIBLE = frozenset({"Cf", "Mn", "Me", "Cc"})


@dataclass(frozen=True, slots=True)
class FontFile:
    """One font file (a collection's face ``index``) and the characters it has."""

    path: str
    index: int
    characters: frozenset[int]


@cache
def font_files() -> tuple[FontFile, ...]:
    """DejaVu Sans, then every installed fallback font, in the order they are tried."""
    import matplotlib
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from matplotlib import font_manager

    paths = [os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")]
    by_name = {font.name: font.fname for font in font_manager.fontManager.ttflist}
    paths += [by_name[name] for name in FALLBACK_FONTS if name in by_name]
    # matplotlib's list of fonts is cached: one installed since is found at its usual place.
    paths += [path for path in FALLBACK_FILES if os.path.exists(path)]
    files = []
    for path in dict.fromkeys(paths):
        with TTFont(path, fontNumber=0, lazy=True) as font:
            characters = frozenset(font.getBestCmap())
        files.append(FontFile(path=path, index=0, characters=characters))
    return tuple(files)


def font_index(char: str) -> int | None:
    """Which of ``font_files()`` draws this character (None: none of them has it)."""
    code = ord(char)
    for index, font in enumerate(font_files()):
        if code in font.characters:
            return index
    return None


def runs(text: str) -> list[tuple[int, str]]:
    """The text as (font index, characters) runs; whitespace joins the run before it as a
    plain space, characters no font has are replaced or dropped."""
    result: list[tuple[int, str]] = []
    for char in text:
        if char.isspace():
            # Whatever the font, a space: a line break or a tab is never drawn (and a CJK
            # font's "glyph" for one makes Raqm fail).
            char = " "
            if result:
                result[-1] = (result[-1][0], result[-1][1] + char)
            else:
                result.append((0, char))
            continue
        index = font_index(char)
        if index is None:
            if unicodedata.category(char) in _INVISIBLE:
                continue
            char, index = MISSING, font_index(MISSING) or 0
        if result and result[-1][0] == index:
            result[-1] = (result[-1][0], result[-1][1] + char)
        else:
            result.append((index, char))
    return result


@cache
def font(index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font of ``font_files()`` at a pixel size."""
    file = font_files()[index]
    return ImageFont.truetype(file.path, size, index=file.index, layout_engine=LAYOUT)
