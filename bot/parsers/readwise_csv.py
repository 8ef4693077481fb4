"""Readwise CSV export (docs/formats.md, "Readwise CSV").

Columns are matched by header name, so the 2020 export (ten columns) and the current one
(eleven, ending with ``Document tags``) are both read, in whatever column order.

Several notes on one highlight: Readwise keeps one note per highlight, Commonplace keeps a
list. Commonplace's own CSV export joins a highlight's notes with a line holding only
``---`` (``"\\n---\\n"``), and this parser splits a note cell on such lines, so an export read
back gives the same notes. A Readwise note containing such a line is split the same way.

Readwise action tags in the note (docs/formats.md, "Readwise action tags") are honoured:
leading ``.tag`` tokens are tags, ``.h1``..``.h6`` make the row a chapter heading for the rows
of the same book that follow, and ``.c1``, ``.c2``... chains (same book) are joined into one
highlight (``tags.chain_head``).

Heading rows:

- Text after the heading's action tags (``".h1\n\nLife is short…"``) is the reader's note on
  the chapter: a ``Kind.CHAPTER_NOTE`` record in that chapter, at the heading's location.
- A heading row with an empty Highlight closes the book's chapter: the rows after it have
  none. Readwise never writes one; Commonplace's export does, so that highlights without a
  chapter keep none when the export is read back.
- The heading's level (``.h3``) is kept as the ``chapter_level`` of the rows it heads.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.parsers import tags
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

NAME = "readwise_csv"

_HIGHLIGHT = "highlight"
_BOOK_TITLE = "book title"
_BOOK_AUTHOR = "book author"
_NOTE = "note"
_COLOR = "color"
_TAGS = "tags"
_LOCATION_TYPE = "location type"
_LOCATION = "location"
_HIGHLIGHTED_AT = "highlighted at"
_DOCUMENT_TAGS = "document tags"
_REQUIRED = (_HIGHLIGHT, _BOOK_TITLE)

_FIRST_LINE = re.compile(r"[\s\ufeff]*([^\r\n]*)")
_NOTE_SEPARATOR = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)
# Bounded so that int() can never meet a number longer than Python's digit limit.
_INTEGER = re.compile(r"[0-9]{1,18}")

_Book = tuple[str, str]
_Chapter = tuple[str, int]  # the heading and its level


def looks_like(text: str) -> bool:
    """Tell whether the first non-empty line is a CSV header with Highlight and Book Title."""
    match = _FIRST_LINE.match(text)
    first = match.group(1) if match else ""
    try:
        names = {_column_key(name) for name in next(csv.reader([first]), [])}
    except csv.Error:
        return False
    return all(name in names for name in _REQUIRED)


def parse(text: str) -> ParseResult:
    """Read a Readwise CSV export into highlights, lone notes and skipped rows."""
    rows = _rows(text.replace("\ufeff", ""))
    first = next(rows, None)
    if first is None:
        raise ParseError("The file is empty.")
    header_line, header = first
    columns = _columns(header, header_line)
    reader = _Reader(columns)
    for line, row in rows:
        if len(row) != len(header):
            raise ParseError(
                f"This row has {len(row)} fields but the header has {len(header)}; "
                "the CSV file is damaged.",
                line=line,
            )
        reader.add(row, line)
    return reader.result


class _Lines:
    """Physical lines for csv.reader, remembering whether the text ran out."""

    def __init__(self, text: str) -> None:
        # newline="" splits on \n, \r\n and \r alike and leaves them in place for csv.
        self._buffer = io.StringIO(text, newline="")
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._buffer.readline()
        if not line:
            self.exhausted = True
            raise StopIteration
        return line


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line where the row starts, fields), leaving out blank lines."""
    lines = _Lines(text)
    reader = csv.reader(lines)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # In the non-strict mode used here the only likely cause is the field size limit,
            # hit when an unclosed quote swallows the rest of the file.
            raise ParseError(
                "This row cannot be read as CSV; a quote is probably left open.", line=start
            ) from None
        # csv.reader only asks for a line after the end of the text while inside a quoted
        # field; a row completed that way is the last row of a truncated file.
        if lines.exhausted:
            raise ParseError(
                "The file ends inside a quoted field of this row; it seems to be cut short.",
                line=start,
            )
        if len(row) > 1 or (row and row[0].strip()):
            yield start, row
        start = reader.line_num + 1


def _column_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _columns(header: list[str], line: int) -> dict[str, int]:
    """Map each known column name to its index; the first of duplicate names wins."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(_column_key(name), index)
    for required in _REQUIRED:
        if required not in columns:
            raise ParseError(
                "This is not a Readwise CSV export: the header has no "
                f"'{required.title()}' column.",
                line=line,
            )
    return columns


def _clean(value: str) -> str:
    """Normalise newlines inside a quoted field, which keeps whatever the file had."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(slots=True)
class _Reader:
    """Turns rows into records, carrying chapters and .c groups from row to row."""

    columns: dict[str, int]
    result: ParseResult = field(default_factory=lambda: ParseResult(format=NAME))
    chapters: dict[_Book, _Chapter] = field(default_factory=dict)
    chains: dict[_Book, ParsedHighlight] = field(default_factory=dict)

    def cell(self, row: list[str], name: str) -> str:
        index = self.columns.get(name)
        return _clean(row[index]) if index is not None else ""

    def add(self, row: list[str], line: int) -> None:
        title = self.cell(row, _BOOK_TITLE)
        book = (title, self.cell(row, _BOOK_AUTHOR))
        quote = self.cell(row, _HIGHLIGHT)
        action = tags.parse_action_note(self.cell(row, _NOTE))
        if action.heading_level is not None:
            if not quote:
                self.chapters.pop(book, None)
                if not action.text:
                    return
            else:
                self.chapters[book] = (" ".join(quote.split()), action.heading_level)
                if action.text:
                    self.add_chapter_note(row, line, book, action)
                return
        if not quote and not action.text:
            self.result.skipped.append(
                Skipped("row has neither a highlight nor a note", line, title or None)
            )
            return
        record = self.record(row, line, book, quote, action)
        if quote and action.concat_group is not None:
            head = tags.chain_head(self.chains, book, action.concat_group, record)
            if head is not None:
                _join(head, record)
                return
        self.result.highlights.append(record)

    def add_chapter_note(
        self, row: list[str], line: int, book: _Book, action: tags.ActionNote
    ) -> None:
        """The text on a heading row: the reader's note on the chapter it opens."""
        parts = _split_notes(action.text)
        if not parts:
            return
        record = self.record(row, line, book, "", action)
        record.kind, record.text, record.notes = Kind.CHAPTER_NOTE, parts[0], parts[1:]
        self.result.highlights.append(record)

    def record(
        self, row: list[str], line: int, book: _Book, quote: str, action: tags.ActionNote
    ) -> ParsedHighlight:
        location = self.cell(row, _LOCATION) or None
        row_tags = tags.unique_tags(
            [
                *tags.split_tags(self.cell(row, _TAGS)),
                *action.tags,
                *tags.split_tags(self.cell(row, _DOCUMENT_TAGS)),
            ]
        )
        row_tags, favorite, discarded = tags.pop_flags(row_tags)
        chapter, chapter_level = self.chapters.get(book, (None, None))
        record = ParsedHighlight(
            book_title=book[0],
            author=book[1],
            text=quote,
            location=location,
            # A type with no location to qualify says nothing.
            location_type=_location_type(self.cell(row, _LOCATION_TYPE)) if location else None,
            location_start=int(location) if location and _INTEGER.fullmatch(location) else None,
            chapter=chapter,
            chapter_level=chapter_level,
            color=self.cell(row, _COLOR).lower() or None,
            highlighted_at=_timestamp(self.cell(row, _HIGHLIGHTED_AT)),
            tags=row_tags,
            favorite=favorite,
            discarded=discarded,
            line=line,
        )
        if quote:
            record.notes = _split_notes(action.text)
        else:
            record.kind = Kind.NOTE
            record.text = action.text
        return record


def _join(first: ParsedHighlight, later: ParsedHighlight) -> None:
    """Append a later row of a .c group to the group's first row, which keeps its location."""
    first.text = f"{first.text}\n\n{later.text}"
    first.tags = tags.unique_tags([*first.tags, *later.tags])
    first.notes.extend(later.notes)
    first.favorite = first.favorite or later.favorite
    first.discarded = first.discarded or later.discarded
    first.color = first.color or later.color
    first.highlighted_at = first.highlighted_at or later.highlighted_at


def _split_notes(text: str) -> list[str]:
    return [note for part in _NOTE_SEPARATOR.split(text) if (note := part.strip())]


def _location_type(raw: str) -> LocationType | None:
    try:
        return LocationType(raw.lower())
    except ValueError:
        return None


def _timestamp(raw: str) -> datetime | None:
    """Read ``2020-11-26 03:28:15+00:00`` (microseconds optional); None when unreadable."""
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
