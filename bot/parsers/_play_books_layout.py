"""The "Notes from …" document Play Books keeps in Google Drive, as paragraphs and tables.

The .docx and its HTML export are read into the same small layout (top-level paragraphs and
tables of cells of paragraphs), which ``read_notes`` turns into records
(docs/formats.md, "Google Play Books").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

from bot.parsers.records import LocationType, ParsedHighlight, ParseResult, Skipped


@dataclass(slots=True)
class Cell:
    """One table cell: its paragraphs, and the tables nested in it."""

    paragraphs: list[str] = field(default_factory=list)
    tables: list[list[list[Cell]]] = field(default_factory=list)
    shading: str | None = None
    """The first background colour of its text (a quote is shaded in its highlight's
    colour), as lower-case hex."""


Table = list[list[Cell]]
Block = str | Table
"""A top-level paragraph's text, or a table (its rows of cells)."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The shading Play Books gives a quote, by highlight colour.
_COLORS = {"fde096": "yellow", "93e3ed": "blue", "c5e1a5": "green", "ffb8a1": "orange"}
_BACKGROUND = re.compile(r"background-color:\s*#([0-9a-fA-F]{6})")
_COUNT = re.compile(r"^\d[\d,.]*\s+notes?/highlights?\b", re.IGNORECASE)
_PREAMBLE = ("Created by ", "This document is overwritten", "You should make a copy")


def docx_blocks(document_xml: bytes) -> list[Block]:
    """The blocks of a .docx's ``word/document.xml``."""
    body = ET.fromstring(document_xml).find(f"{_W}body")
    if body is None:
        return []
    blocks: list[Block] = []
    for child in body:
        if child.tag == f"{_W}p":
            blocks.append(_docx_text(child))
        elif child.tag == f"{_W}tbl":
            blocks.append(_docx_table(child))
    return blocks


def _docx_table(table: ET.Element) -> Table:
    rows: Table = []
    for row in table.findall(f"{_W}tr"):
        cells = []
        for tc in row.findall(f"{_W}tc"):
            cell = Cell()
            for child in tc:
                if child.tag == f"{_W}p":
                    cell.paragraphs.append(_docx_text(child))
                    cell.shading = cell.shading or _docx_shading(child)
                elif child.tag == f"{_W}tbl":
                    cell.tables.append(_docx_table(child))
            cells.append(cell)
        rows.append(cells)
    return rows


def _docx_shading(paragraph: ET.Element) -> str | None:
    for shading in paragraph.iter(f"{_W}shd"):
        fill = (shading.get(f"{_W}fill") or "").lower()
        if fill and fill != "auto":
            return fill
    return None


def _docx_text(paragraph: ET.Element) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


_BLOCK_TAGS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"})
_LINE_BREAK = "\u2028"


class _HtmlLayout(HTMLParser):
    """Reads HTML into blocks: paragraphs are the text of block elements (or loose text in a
    cell); tables keep their nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._tables: list[Table] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        background = _BACKGROUND.search(dict(attrs).get("style") or "")
        cell = self._cell()
        if background and cell is not None and cell.shading is None:
            cell.shading = background.group(1).lower()
        if tag in _BLOCK_TAGS or tag in ("td", "th", "tr", "table"):
            self._flush()
        if tag == "br":
            self._text.append(_LINE_BREAK)
        elif tag == "table":
            self._tables.append([])
        elif tag == "tr" and self._tables:
            self._tables[-1].append([])
        elif tag in ("td", "th") and self._tables and self._tables[-1]:
            self._tables[-1][-1].append(Cell())

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS or tag in ("td", "th", "tr"):
            self._flush()
        if tag == "table" and self._tables:
            table = self._tables.pop()
            cell = self._cell()
            if cell is not None:
                cell.tables.append(table)
            elif not self._tables:
                self.blocks.append(table)

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _cell(self) -> Cell | None:
        if self._tables and self._tables[-1] and self._tables[-1][-1]:
            return self._tables[-1][-1][-1]
        return None

    def _flush(self) -> None:
        # White space in HTML source is one space; only <br> breaks a line.
        text = " ".join("".join(self._text).split()).replace(_LINE_BREAK, "\n").strip()
        self._text.clear()
        if not text:
            return
        cell = self._cell()
        if cell is not None:
            cell.paragraphs.append(text)
        elif not self._tables:
            self.blocks.append(text)


def html_blocks(html: str) -> list[Block]:
    """The blocks of the document's HTML."""
    layout = _HtmlLayout()
    layout.feed(html)
    layout.close()
    return layout.blocks


def looks_like_notes(blocks: list[Block]) -> bool:
    """Whether the blocks are a Play Books notes document: its count line or its warning."""
    texts = [b.strip() for b in blocks if isinstance(b, str)]
    texts += [p.strip() for row in _rows(blocks) for cell in row for p in cell.paragraphs]
    return any(_COUNT.match(t) or t.startswith(_PREAMBLE[1]) for t in texts[:40])


def read_notes(blocks: list[Block], format: str) -> ParseResult:
    """The highlights of a notes document: title and author from its first table, chapters
    from the paragraphs between the annotation tables, one annotation per three-cell row."""
    result = ParseResult(format=format)
    title: str | None = None
    author = ""
    chapter: str | None = None
    for line, block in enumerate(blocks, start=1):
        if isinstance(block, str):
            text = block.strip()
            if text and not _COUNT.match(text) and not text.startswith(_PREAMBLE):
                chapter = " ".join(text.split())
            continue
        for row in _rows([block]):
            cells = [[p.strip() for p in cell.paragraphs if p.strip()] for cell in row]
            if title is None and len(cells) == 2 and cells[1]:
                title, author = cells[1][0], cells[1][1] if len(cells[1]) > 1 else ""
            elif len(cells) == 3:
                record = _annotation(cells, title or "Google Play Books", author, chapter, line)
                if isinstance(record, ParsedHighlight):
                    record.color = _COLORS.get(row[1].shading or "")
                if isinstance(record, Skipped):
                    result.skipped.append(record)
                else:
                    result.highlights.append(record)
    return result


def _rows(blocks: list[Block]) -> Iterator[list[Cell]]:
    """Every row that holds no table, however deep its table is nested."""
    for block in blocks:
        if isinstance(block, str):
            continue
        for row in block:
            nested = [table for cell in row for table in cell.tables]
            if nested:
                yield from _rows(list(nested))
            else:
                yield row


def _annotation(
    cells: list[list[str]], title: str, author: str, chapter: str | None, line: int
) -> ParsedHighlight | Skipped:
    """A row: the colour swatch, then the quote, the notes and the date, then the page."""
    body = cells[1]
    if len(body) < 2:
        return Skipped("a bookmark", line, title)
    page = cells[2][0] if cells[2] else None
    return ParsedHighlight(
        book_title=title,
        author=author,
        text=body[0],
        notes=["\n".join(body[1:-1])] if len(body) > 2 else [],
        location=page,
        location_type=LocationType.PAGE if page else None,
        location_start=int(page) if page and page.isdigit() else None,
        chapter=chapter,
        highlighted_at=_date(body[-1]),
        line=line,
    )


def _date(text: str) -> datetime | None:
    """English dates (``March 2, 2016``); any other leaves the highlight undated."""
    try:
        return datetime.strptime(text, "%B %d, %Y").replace(tzinfo=UTC)
    except ValueError:
        return None
