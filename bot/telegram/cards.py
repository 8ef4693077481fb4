"""Quote cards: a highlight set on a square PNG with its book and author, drawn with Pillow.

Drawn in the worker process that draws the /stats charts (``ChartWorker.quote_card``). The
text is set as large as fits, wrapped at spaces (and between any two CJK characters, which
have none); what does not fit at the smallest size is cut with "…". A line whose first
strong character is right-to-left (Arabic, Hebrew) is set from the right edge.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.telegram.card_fonts import LAYOUT, font, runs

SIZE = 1080
MARGIN = 96
FOOTER = 150
"""Pixels under the text for the book and the author."""
TEXT_SIZES = tuple(range(72, 27, -4))
FOOTER_SIZE = 34
LEADING = 1.35
MAX_CHARACTERS = 2_000
"""A longer text is cut before it is laid out: at the smallest size this fills the card."""
ELLIPSIS = "…"
_REFERENCE = 100  # token widths are measured once at this size and scaled
# A CJK character is a token of its own: those scripts break lines between any two.
_TOKENS = re.compile(
    r"\n|[^\S\n]+|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|"
    r"[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"
)


@dataclass(frozen=True, slots=True)
class Theme:
    """A card's colours."""

    background: str
    text: str
    muted: str
    accent: str


THEMES = {
    "light": Theme(background="#fbfaf7", text="#1d1d1f", muted="#6b6b70", accent="#c9a227"),
    "dark": Theme(background="#16181d", text="#f2f2f2", muted="#9a9ca3", accent="#e0b84a"),
    "sepia": Theme(background="#f3e7cf", text="#3b2f20", muted="#7a6548", accent="#a0522d"),
}


@dataclass(frozen=True, slots=True)
class Card:
    """What a card shows."""

    text: str
    book: str
    author: str
    theme: str


def quote_card(card: Card) -> bytes:
    """The card as PNG bytes."""
    theme = THEMES[card.theme]
    image = Image.new("RGB", (SIZE, SIZE), theme.background)
    draw = ImageDraw.Draw(image)
    width, height = SIZE - 2 * MARGIN, SIZE - 2 * MARGIN - FOOTER
    size, lines = fit_text(card.text, width, height)
    line_height = round(size * LEADING)
    top = MARGIN + (height - line_height * len(lines)) // 2
    # The accent bar stands over where the text begins: the right for Arabic or Hebrew.
    start = SIZE - MARGIN - 80 if lines and is_right_to_left(lines[0]) else MARGIN
    draw.rectangle((start, top - 48, start + 80, top - 40), fill=theme.accent)
    for number, line in enumerate(lines):
        _draw_line(draw, line, size, top + number * line_height, theme.text)
    footer_top = SIZE - MARGIN - FOOTER + 40
    book = _one_line("— " + card.book, width, FOOTER_SIZE)
    _draw_line(draw, book, FOOTER_SIZE, footer_top, theme.text)
    if card.author:
        author = _one_line(card.author, width, FOOTER_SIZE)
        _draw_line(draw, author, FOOTER_SIZE, footer_top + 52, theme.muted)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=3)
    return out.getvalue()


def fit_text(text: str, width: int, height: int) -> tuple[int, list[str]]:
    """The largest of ``TEXT_SIZES`` at which the text fits, and its lines; at the smallest,
    the text cut with "…" where it stops fitting."""
    flat = "\n".join(" ".join(line.split()) for line in text[:MAX_CHARACTERS].splitlines())
    tokens = _TOKENS.findall(flat.strip())
    if len(text) > MAX_CHARACTERS:
        tokens.append(ELLIPSIS)
    widths = [_width(token, _REFERENCE) for token in tokens]
    for size in TEXT_SIZES:
        most = height // round(size * LEADING)
        lines = _wrap(tokens, widths, size, width)
        if len(lines) <= most:
            return size, lines
    size = TEXT_SIZES[-1]
    most = height // round(size * LEADING)
    # Fewer and fewer tokens, then "…", until the lines fit.
    low, high = 0, len(tokens)
    while low < high:
        middle = (low + high + 1) // 2
        cut = [*tokens[:middle], ELLIPSIS]
        if len(_wrap(cut, [*widths[:middle], _width(ELLIPSIS, _REFERENCE)], size, width)) <= most:
            low = middle
        else:
            high = middle - 1
    kept = tokens[:low]
    while kept and kept[-1].isspace():
        kept.pop()
    cut = [*kept, ELLIPSIS]
    return size, _wrap(cut, [_width(token, _REFERENCE) for token in cut], size, width)


def _wrap(tokens: list[str], widths: list[float], size: int, width: int) -> list[str]:
    """Greedy line breaking; spaces at a break are dropped, a word too long is cut."""
    scale = size / _REFERENCE
    lines: list[str] = []
    current, used = "", 0.0
    for token, reference in zip(tokens, widths, strict=True):
        if token == "\n":
            lines.append(current.rstrip())
            current, used = "", 0.0
            continue
        span = reference * scale
        if token.isspace():
            if current:
                current, used = current + " ", used + span
            continue
        if current and used + span > width:
            lines.append(current.rstrip())
            current, used = "", 0.0
        while span > width and len(token) > 1:
            keep = max(1, int(len(token) * width / span) - 1)
            lines.append(token[:keep])
            token = token[keep:]
            span = _width(token, size)
        current, used = current + token, used + span
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _width(text: str, size: int) -> float:
    return sum(font(index, size).getlength(part) for index, part in runs(text))


def _one_line(text: str, width: int, size: int) -> str:
    """The text, cut with "…" to fit one line."""
    if _width(text, size) <= width:
        return text
    while text and _width(text + ELLIPSIS, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def is_right_to_left(line: str) -> bool:
    """True when the line's first strong character is Arabic or Hebrew (and the like)."""
    for char in line:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _draw_line(draw: ImageDraw.ImageDraw, line: str, size: int, y: int, fill: str) -> None:
    """One line, run by run in its fonts: from the left margin, or for a right-to-left line
    from the right margin leftwards (Raqm orders and shapes the characters within a run)."""
    parts = runs(line)
    rtl = is_right_to_left(line)
    x = float(SIZE - MARGIN) if rtl else float(MARGIN)
    raqm = LAYOUT == ImageFont.Layout.RAQM
    direction = "rtl" if rtl and raqm else None
    for index, part in parts:
        face = font(index, size)
        if rtl and not raqm:
            part = part[::-1]  # unshaped, but at least in reading order
        span = face.getlength(part, direction=direction) if direction else face.getlength(part)
        if rtl:
            x -= span
        draw.text((x, y), part, font=face, fill=fill, direction=direction)
        if not rtl:
            x += span
