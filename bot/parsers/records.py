"""The records every parser produces: plain data, no database, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class LocationType(StrEnum):
    """How a highlight's position in its book is expressed."""

    LOCATION = "location"
    PAGE = "page"
    ORDER = "order"
    OFFSET = "offset"


class Kind(StrEnum):
    """A highlight is a quote; a note-only entry is a note with no quote to hang on; a chapter
    note is what the reader wrote about a chapter, on its heading (Readwise ``.h1 text``)."""

    HIGHLIGHT = "highlight"
    NOTE = "note"
    CHAPTER_NOTE = "chapter_note"


@dataclass(slots=True)
class ParsedHighlight:
    """One highlight (or lone note) as read from a file.

    ``text`` is the quote. For ``Kind.NOTE`` and ``Kind.CHAPTER_NOTE`` entries it is the
    note's own text and ``notes`` is empty. ``location`` is the display form
    (``"1375-1376"``, ``"xii"``), ``location_start`` its first number when there is one
    (used for ordering and for recognising a highlight edited on the device). Tags are
    already lower case, without ``#``/``.``, and never include ``favorite``/``discard``
    (those are flags).
    ``line`` is the 1-based line of the file where the record starts. ``chapter_level`` is
    the level of the heading that opened the chapter (1 to 6, from Readwise's ``.h1``..``.h6``),
    None when the format does not say.
    """

    book_title: str
    text: str
    author: str = ""
    kind: Kind = Kind.HIGHLIGHT
    location: str | None = None
    location_type: LocationType | None = None
    location_start: int | None = None
    chapter: str | None = None
    color: str | None = None
    highlighted_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    favorite: bool = False
    discarded: bool = False
    line: int = 0
    chapter_level: int | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something in the file that is deliberately not imported, and why."""

    reason: str
    line: int
    book_title: str | None = None


@dataclass(frozen=True, slots=True)
class FileRead:
    """One file of a zip: the format it was read as and how many records it gave, or why it
    was not read."""

    name: str
    format: str | None = None
    records: int = 0
    problem: str | None = None


@dataclass(slots=True)
class ParseResult:
    """Everything one parser read from one file."""

    format: str
    highlights: list[ParsedHighlight] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """What the reader should know about the file as a whole, one sentence each."""
    files: list[FileRead] = field(default_factory=list)
    """For a zip, its files one by one; empty for a single file."""


class ParseError(ValueError):
    """The file cannot be read as a whole; nothing from it may be imported.

    The message is one line, written for the person who sent the file.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})" if line is not None else message)
