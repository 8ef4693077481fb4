"""Kobo e-readers' ``KoboReader.sqlite`` (docs/formats.md, "Kobo").

The ``Bookmark`` table holds the highlights, notes, markups and dog-ears; the book and its
chapter are rows of ``content`` (the book's row by ``VolumeID``, the chapter's by
``ContentID``). Columns differ between firmware versions, so the query is built from the
columns the file has: ``Type`` and ``Color`` are missing from older ones.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote

from bot.parsers import sqlite_file
from bot.parsers.records import Kind, LocationType, ParsedHighlight, ParseResult, Skipped

NAME = "kobo"

_TABLES = frozenset({"Bookmark", "content"})
# The colour numbers of Kobo's colour firmware, in the order its menu shows them.
_COLORS = {0: "yellow", 1: "pink", 2: "blue", 3: "green"}
# A chapter row's Title is sometimes only the file inside the book (kepub chapters).
_FILE_TITLE = re.compile(r"\.x?html?$|/", re.IGNORECASE)
_BOOK_SUFFIXES = (".kepub.epub", ".epub", ".pdf", ".kepub", ".cbz", ".mobi")


def looks_like_bytes(data: bytes) -> bool:
    """Whether the bytes are a Kobo database: SQLite with ``Bookmark`` and ``content``."""
    return sqlite_file.tables_of(data) >= _TABLES


def parse_bytes(data: bytes) -> ParseResult:
    """Read a Kobo database's highlights and notes; dog-ears and hidden rows are skipped."""
    result = ParseResult(format=NAME)
    with sqlite_file.reading(data) as connection:
        for line, row in enumerate(_rows(connection), start=1):
            record = _record(row, line)
            if isinstance(record, Skipped):
                result.skipped.append(record)
            else:
                result.highlights.append(record)
    return result


def _rows(connection: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    columns = sqlite_file.column_names(connection, "Bookmark")
    kind = "b.Type" if "Type" in columns else "NULL"
    color = "b.Color" if "Color" in columns else "NULL"
    hidden = "b.Hidden" if "Hidden" in columns else "NULL"
    connection.row_factory = sqlite3.Row
    return connection.execute(
        f"""
        SELECT b.VolumeID AS volume, b.Text AS text, b.Annotation AS note,
               b.DateCreated AS created, b.ChapterProgress AS progress,
               {kind} AS kind, {color} AS color, {hidden} AS hidden,
               book.Title AS title, book.Attribution AS author,
               chapter.Title AS chapter, chapter.VolumeIndex AS chapter_index
        FROM Bookmark AS b
        LEFT JOIN content AS book ON book.ContentID = b.VolumeID AND book.ContentType = 6
        LEFT JOIN content AS chapter ON chapter.ContentID = b.ContentID
        ORDER BY b.VolumeID, chapter.VolumeIndex, b.ChapterProgress, b.DateCreated
        """
    )


def _record(row: sqlite3.Row, line: int) -> ParsedHighlight | Skipped:
    title = _clean(row["title"]) or _title_from_volume(str(row["volume"] or ""))
    text = _clean(row["text"])
    note = _clean(row["note"])
    kind = _clean(row["kind"]).lower() or ("highlight" if text else "dogear")
    if _is_true(row["hidden"]):
        return Skipped("a hidden bookmark (deleted on the device)", line, title)
    if kind == "dogear":
        return Skipped("a dog-ear (page bookmark)", line, title)
    if kind not in ("highlight", "note", "markup"):
        return Skipped(f"a bookmark of type {kind!r}", line, title)
    if not text and not note:
        return Skipped("a markup or highlight with no text", line, title)
    position = _position(row["chapter_index"], row["progress"])
    return ParsedHighlight(
        book_title=title,
        author=_clean(row["author"]),
        text=text or note,
        kind=Kind.HIGHLIGHT if text else Kind.NOTE,
        notes=[note] if text and note else [],
        location=str(position),
        location_type=LocationType.ORDER,
        location_start=position,
        chapter=_chapter(row["chapter"]),
        color=_COLORS.get(row["color"]) if isinstance(row["color"], int) else None,
        highlighted_at=_date(row["created"]),
        line=line,
    )


def _clean(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _is_true(value: object) -> bool:
    """Kobo writes ``Hidden`` as the text ``'true'``/``'false'`` on some firmware, 0/1 on
    others."""
    return str(value).strip().lower() in ("true", "1")


def _position(chapter_index: object, progress: object) -> int:
    """An order within the book: the chapter's place, then the way through the chapter."""
    index = chapter_index if isinstance(chapter_index, int) else 0
    fraction = progress if isinstance(progress, float | int) else 0.0
    return index * 10_000 + min(max(round(fraction * 10_000), 0), 9_999)


def _chapter(title: object) -> str | None:
    chapter = _clean(title)
    return chapter if chapter and not _FILE_TITLE.search(chapter) else None


def _title_from_volume(volume: str) -> str:
    """A book removed from the device keeps its bookmarks but loses its ``content`` row; its
    file name is the best title left."""
    name = unquote(PurePosixPath(volume.removeprefix("file://")).name) or "Unknown Kobo book"
    for suffix in _BOOK_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _date(value: object) -> datetime | None:
    """``DateCreated`` is ISO 8601 in UTC, with or without ``Z`` and milliseconds."""
    text = _clean(value).removesuffix("Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
