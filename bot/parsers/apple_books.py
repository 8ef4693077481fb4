"""Apple Books' annotation database ``AEAnnotation_….sqlite`` (docs/formats.md, "Apple Books").

Annotations name their book only by an asset id; titles and authors live in another
database, ``BKLibrary-….sqlite``. Sent together in a zip, the two give titled books
(``zip_archive`` pairs them); the annotations alone still import, under placeholder titles,
and the result says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from bot.parsers import sqlite_file
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

NAME = "apple_books"
LIBRARY = "apple_books_library"
"""What ``zip_archive`` reports a library file as: it holds titles, not highlights."""

_ANNOTATIONS = "ZAEANNOTATION"
_ASSETS = "ZBKLIBRARYASSET"
_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
"""Core Data dates count seconds from here."""
# ZANNOTATIONSTYLE: 0 is an underline, the others the colours of the highlight menu.
_STYLES = {0: "underline", 1: "green", 2: "blue", 3: "yellow", 4: "pink", 5: "purple"}
UNKNOWN_TITLES = (
    "Book titles and authors are unknown: Apple Books keeps them in BKLibrary-….sqlite. "
    "Zip it together with AEAnnotation_….sqlite and send the zip to get them."
)
LIBRARY_ALONE = (
    "This is Apple Books' library (titles and authors, no highlights). Zip it together with "
    "AEAnnotation_….sqlite and send the zip."
)


def looks_like_bytes(data: bytes) -> bool:
    """Whether the bytes are an Apple Books database: annotations, or the library."""
    tables = sqlite_file.tables_of(data)
    return _ANNOTATIONS in tables or _ASSETS in tables


def is_library(data: bytes) -> bool:
    """Whether the bytes are Apple Books' library (``BKLibrary-….sqlite``)."""
    tables = sqlite_file.tables_of(data)
    return _ASSETS in tables and _ANNOTATIONS not in tables


def parse_bytes(data: bytes) -> ParseResult:
    """Read an annotations database sent alone: books get placeholder titles."""
    return parse_with_libraries(data, [])


def titles(library: bytes) -> dict[str, tuple[str, str]]:
    """Each asset id of a library database with its (title, author)."""
    with sqlite_file.reading(library) as connection:
        rows = connection.execute(f"SELECT ZASSETID, ZTITLE, ZAUTHOR FROM {_ASSETS}")
        return {str(asset): (_text(title), _text(author)) for asset, title, author in rows}


def parse_with_libraries(data: bytes, libraries: Iterable[bytes]) -> ParseResult:
    """Read an annotations database, titling its books from the library databases."""
    books: dict[str, tuple[str, str]] = {}
    for library in libraries:
        books.update(titles(library))
    result = ParseResult(format=NAME)
    with sqlite_file.reading(data) as connection:
        tables = sqlite_file.table_names(connection)
        if _ANNOTATIONS not in tables:
            raise ParseError(LIBRARY_ALONE)
        untitled = False
        for line, row in enumerate(_rows(connection), start=1):
            asset = _text(row["asset"])
            untitled |= asset not in books
            title, author = books.get(asset, (f"Apple Books book {asset}", ""))
            record = _record(row, line, title, author)
            if isinstance(record, Skipped):
                result.skipped.append(record)
            else:
                result.highlights.append(record)
    if untitled and result.highlights:
        result.notices.append(UNKNOWN_TITLES)
    return result


def _rows(connection: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    columns = sqlite_file.column_names(connection, _ANNOTATIONS)

    def optional(column: str) -> str:
        return column if column in columns else "NULL"

    connection.row_factory = sqlite3.Row
    return connection.execute(
        f"""
        SELECT ZANNOTATIONASSETID AS asset, ZANNOTATIONSELECTEDTEXT AS text,
               ZANNOTATIONNOTE AS note, ZANNOTATIONCREATIONDATE AS created,
               {optional("ZANNOTATIONSTYLE")} AS style, {optional("ZFUTUREPROOFING5")} AS chapter,
               {optional("ZPLLOCATIONRANGESTART")} AS position
        FROM {_ANNOTATIONS}
        WHERE ZANNOTATIONDELETED = 0
        ORDER BY ZANNOTATIONASSETID, position, ZANNOTATIONCREATIONDATE
        """
    )


def _record(row: sqlite3.Row, line: int, title: str, author: str) -> ParsedHighlight | Skipped:
    text = _text(row["text"])
    note = _text(row["note"])
    if not text and not note:
        return Skipped("a bookmark or an annotation with no text", line, title)
    position = row["position"] if isinstance(row["position"], int) else None
    return ParsedHighlight(
        book_title=title,
        author=author,
        text=text or note,
        kind=Kind.HIGHLIGHT if text else Kind.NOTE,
        notes=[note] if text and note else [],
        location=None if position is None else str(position),
        location_type=None if position is None else LocationType.ORDER,
        location_start=position,
        chapter=_text(row["chapter"]) or None,
        color=_STYLES.get(row["style"]) if isinstance(row["style"], int) else None,
        highlighted_at=_date(row["created"]),
        line=line,
    )


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _date(value: object) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    try:
        return _EPOCH + timedelta(seconds=value)
    except OverflowError:
        return None
