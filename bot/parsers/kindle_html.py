"""Kindle app "Export Notebook" HTML (docs/formats.md, "Kindle notebook HTML").

The export is a flat run of classed elements: ``bookTitle`` and ``authors`` at the top, then
``sectionHeading`` (the chapter of what follows), and pairs of ``noteHeading``
(``Highlight (yellow) - Page 12 · Location 744``) and ``noteText``. The desktop app closes its
elements with the wrong tags (``<h3 class='noteHeading'>…</div>``), so the file is not read as
a tree: an element with one of those classes starts a block, which ends at the first block-level
end tag that does not close something opened inside it, whatever its name.

The headings are in the app's interface language (``标注(黄色) - 第 30 页·位置 434``,
``Notiz - Seite 5 · Position 77``): the words for the kinds, for page and for location are
looked up in the tables below. A file in which no heading is understood is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.parsers import tags
from bot.parsers._kindle_html_blocks import AUTHORS, HEADING, TEXT, TITLE, Block, collect
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

NAME = "kindle_html"

# The kind words of each interface language: en, de, fr, es, it, pt, nl, ru, ja, zh.
_KINDS: dict[str, str] = {
    word.casefold(): kind
    for kind, words in {
        "highlight": (
            "Highlight Markierung Surlignement Subrayado Evidenziazione Destaque Markering "
            "Выделение Цитата ハイライト 标注 标记 劃線"
        ),
        "note": "Note Notiz Nota Notitie Заметка メモ 备注 笔记 附注 筆記",
        "bookmark": "Bookmark Lesezeichen Signet Marcador Segnalibro Bladwijzer Закладка "
        "ブックマーク 书签 書籤",
    }.items()
    for word in words.split()
}
_KIND_NAMES = frozenset(_KINDS.values())
# Localised colour names, for headings whose colour is only a word in parentheses.
_COLOURS: dict[str, str] = {
    word.casefold(): colour
    for colour, words in {
        "yellow": "gelb jaune amarillo giallo amarelo geel жёлтый желтый 黄 黄色 イエロー",
        "blue": "blau bleu azul blu blauw синий 青 ブルー 蓝色 藍色",
        "pink": "rosa rose roze розовый ピンク 粉色 粉紅色 粉红色",
        "orange": "orange naranja arancione laranja oranje оранжевый オレンジ 橙色",
    }.items()
    for word in words.split()
}

# Bounded so that a long run without quotes cannot make the search quadratic.
_LOOKS_LIKE = re.compile(
    r"""class\s*=\s*["']?(?:[^"'>]{0,300}?\s)?(?:noteHeading|bookTitle)(?![\w-])""", re.IGNORECASE
)
_KIND_SEPARATOR = re.compile(r"\s*[-–—]\s*")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# A number, perhaps with thousands separators (``1,234``, ``1.234``).
_NUMBER = r"(?:[0-9]{1,3}(?:[,.][0-9]{3})+(?![0-9])|[0-9]+)"
_THOUSANDS = re.compile(r"[\s,.]")
_PAGE = re.compile(
    r"(?:\b(?:Page|Seite|Página|Pagina|Страница)|ページ)\s*([^\s·|,;]+)|第\s*([^\s·|,;页]+)\s*页",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"(?:\b(?:Location|Position|Emplacement|Posición|Posizione|Posição|Locatie|Место|Позиция)"
    r"|位置)\s*(?:No\.?\s*)?#?\s*(_N(?:\s*-\s*_N)?)".replace("_N", _NUMBER),
    re.IGNORECASE,
)
_LEADING_INTEGER = re.compile(r"[0-9]+")
_MAX_DIGITS = 18


def looks_like(text: str) -> bool:
    """Tell whether the text has an element of class ``noteHeading`` or ``bookTitle``."""
    return _LOOKS_LIKE.search(text) is not None


def parse(text: str) -> ParseResult:
    """Read a Kindle notebook export into highlights (with their notes) and lone notes."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = collect(text)
    if not any(block.kind == HEADING for block in blocks):
        raise ParseError(
            "This file has no Kindle notebook entries (no 'noteHeading'), so there is "
            "nothing to import."
        )
    reader = _Reader()
    for block in blocks:
        reader.add(block)
    reader.finish()
    if reader.first_unknown is not None and not reader.understood:
        heading, line = reader.first_unknown
        raise ParseError(
            "No entry of this Kindle notebook is in a form Commonplace knows, so there is "
            f"nothing to import; the first reads '{heading}'.",
            line=line,
        )
    tags.honour_note_actions(reader.result.highlights)
    return reader.result


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a ``noteHeading`` says: kind, colour, chapter and position."""

    kind: str
    colour: str | None
    chapter: str | None
    location: str | None
    location_type: LocationType | None
    location_start: int | None


def _read_heading(heading: str, colour: str | None) -> _Entry:
    kind_part, *rest = _KIND_SEPARATOR.split(heading, maxsplit=1)
    word = _PARENTHESES.sub(" ", kind_part).strip().casefold()
    if colour is None and (shade := _PARENTHESES.search(kind_part)):
        named = shade.group(1).strip().casefold()
        colour = _COLOURS.get(named, named) or None
    chapter, _, position = rest[0].rpartition(">") if rest else ("", "", "")
    location: str | None = None
    location_type: LocationType | None = None
    if found := _LOCATION.search(position):
        location, location_type = _THOUSANDS.sub("", found.group(1)), LocationType.LOCATION
    elif found := _PAGE.search(position):
        location, location_type = found.group(1) or found.group(2), LocationType.PAGE
    kind = _KINDS.get(word, word)
    return _Entry(
        # Only highlights have a colour, whatever word the heading has for them.
        kind=kind if kind in _KIND_NAMES or colour is None else "highlight",
        colour=colour,
        chapter=chapter.strip() or None,
        location=location,
        location_type=location_type,
        location_start=_leading_int(location),
    )


def _leading_int(location: str | None) -> int | None:
    match = _LEADING_INTEGER.match(location or "")
    if match is None or len(match.group()) > _MAX_DIGITS:
        return None
    return int(match.group())


def _belongs(note: _Entry, highlight: ParsedHighlight) -> bool:
    """Tell whether a note that comes right after a highlight is that highlight's note.

    The note sits where its highlight ends, which the heading does not give. A Kindle location
    is about 150 bytes of the book file and a page a few hundred characters at least, so a
    highlight of n characters ends within n // 50 + 2 locations, or n // 300 + 1 pages.
    """
    if note.location_type != highlight.location_type:
        return note.location is None and highlight.location is None
    if note.location_start is None or highlight.location_start is None:
        return note.location == highlight.location
    reach = len(highlight.text) // 50 + 2
    if note.location_type is LocationType.PAGE:
        reach = len(highlight.text) // 300 + 1
    return 0 <= note.location_start - highlight.location_start <= reach


@dataclass(slots=True)
class _Reader:
    """Walks the blocks in order, pairing each heading with the text that follows it."""

    result: ParseResult = field(default_factory=lambda: ParseResult(format=NAME))
    title: str = ""
    author: str = ""
    chapter: str | None = None
    heading: Block | None = None
    # The highlight a following note may belong to.
    anchor: ParsedHighlight | None = None
    understood: bool = False  # Some heading named a kind this parser knows (any language).
    first_unknown: tuple[str, int] | None = None

    def add(self, block: Block) -> None:
        if block.kind == TEXT:
            if self.heading is None:
                self.skip("text with no heading before it", block.line)
            else:
                self.entry(self.heading, block.text())
                self.heading = None
            return
        self.finish()
        if block.kind == HEADING:
            self.heading = block
        elif block.kind == TITLE:
            self.title, self.chapter, self.anchor = block.one_line(), None, None
        elif block.kind == AUTHORS:
            self.author = block.one_line()
        else:
            self.chapter, self.anchor = block.one_line() or None, None

    def finish(self) -> None:
        """Close a heading that no text followed."""
        if self.heading is not None:
            self.entry(self.heading, "")
            self.heading = None

    def skip(self, reason: str, line: int) -> None:
        self.result.skipped.append(Skipped(reason, line, self.title or None))

    def entry(self, heading: Block, text: str) -> None:
        heading_text = heading.one_line()
        anchor, self.anchor = self.anchor, None
        if not heading_text:  # Hand-edited exports have them; not an unknown language.
            self.skip("an empty entry heading", heading.line)
            return
        entry = _read_heading(heading_text, heading.colour)
        if entry.kind in _KIND_NAMES:
            self.understood = True
        elif self.first_unknown is None:
            self.first_unknown = (heading_text[:80], heading.line)
        if entry.kind not in {"highlight", "note"}:
            reason = "bookmark" if entry.kind == "bookmark" else "unrecognised entry"
            self.skip(f"{reason}: {heading_text}", heading.line)
        elif not text:
            self.skip(f"{entry.kind} with no text", heading.line)
        elif entry.kind == "note" and anchor is not None and _belongs(entry, anchor):
            anchor.notes.append(text)
            self.anchor = anchor
        else:
            record = ParsedHighlight(
                book_title=self.title,
                author=self.author,
                text=text,
                kind=Kind.HIGHLIGHT if entry.kind == "highlight" else Kind.NOTE,
                location=entry.location,
                location_type=entry.location_type,
                location_start=entry.location_start,
                chapter=entry.chapter or self.chapter,
                color=entry.colour if entry.kind == "highlight" else None,
                line=heading.line,
            )
            self.result.highlights.append(record)
            if record.kind == Kind.HIGHLIGHT:
                self.anchor = record
