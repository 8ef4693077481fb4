"""Small binary exports built by the tests themselves: Kobo and Apple Books databases, zips.

Their tables and columns follow docs/formats.md; the rows are invented.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

BOOK = "file:///mnt/onboard/Marcus Aurelius/Meditations - Marcus Aurelius.kepub.epub"
CHAPTER = "/mnt/onboard/Marcus Aurelius/Meditations - Marcus Aurelius.kepub.epub!!ch2.xhtml"

_KOBO_NEW = (
    "BookmarkID TEXT PRIMARY KEY, VolumeID TEXT NOT NULL, ContentID TEXT NOT NULL, "
    "Text TEXT, Annotation TEXT, DateCreated TEXT, ChapterProgress REAL NOT NULL DEFAULT 0, "
    "Hidden BOOL NOT NULL DEFAULT 0, Type TEXT, Color INTEGER"
)
_KOBO_OLD = (
    "BookmarkID TEXT PRIMARY KEY, VolumeID TEXT NOT NULL, ContentID TEXT NOT NULL, "
    "Text TEXT, Annotation TEXT, DateCreated TEXT, ChapterProgress REAL NOT NULL DEFAULT 0"
)


def sqlite_bytes(
    statements: Iterable[str], rows: Mapping[str, Sequence[Sequence[object]]], *, wal: bool = False
) -> bytes:
    """A database made by running ``statements`` and inserting ``rows`` (table: rows)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "made.sqlite"
        connection = sqlite3.connect(path)
        if wal:
            connection.execute("PRAGMA journal_mode=WAL")
        for statement in statements:
            connection.execute(statement)
        for table, table_rows in rows.items():
            for row in table_rows:
                marks = ", ".join("?" for _ in row)
                connection.execute(f"INSERT INTO {table} VALUES ({marks})", tuple(row))
        connection.commit()
        if wal:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        return path.read_bytes()


def kobo_database(
    bookmarks: Sequence[Sequence[object]],
    *,
    old_firmware: bool = False,
    content: Sequence[Sequence[object]] | None = None,
    wal: bool = False,
) -> bytes:
    """A KoboReader.sqlite with the given Bookmark rows.

    New firmware rows: (id, volume, content id, text, annotation, date, progress, hidden,
    type, color); old firmware rows stop after progress.
    """
    if content is None:
        content = [
            (BOOK, 6, "Meditations", "Marcus Aurelius", None),
            (CHAPTER, 9, "Book Two", None, 2),
        ]
    return sqlite_bytes(
        [
            f"CREATE TABLE Bookmark ({_KOBO_OLD if old_firmware else _KOBO_NEW})",
            "CREATE TABLE content (ContentID TEXT NOT NULL, ContentType TEXT NOT NULL, "
            "Title TEXT, Attribution TEXT, VolumeIndex INTEGER)",
        ],
        {"Bookmark": bookmarks, "content": content},
        wal=wal,
    )


def zip_bytes(members: Mapping[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding ``members`` (name: bytes); a name ending in ``/`` is a directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CLIPPINGS = (
    b"Meditations (Marcus Aurelius)\n"
    b"- Your Highlight on page 3 | Location 40-41 | Added on Tuesday, March 5, 2024 7:00:00 AM\n"
    b"\n"
    b"You have power over your mind - not outside events.\n"
    b"==========\n"
)
"""A one-highlight Kindle file, to put in zips."""

KOBO_ROWS: list[tuple[object, ...]] = [
    (
        "1",
        BOOK,
        CHAPTER,
        "Waste no more time arguing.",
        "Read daily",
        "2024-03-04T09:15:02",
        0.5,
        "false",
        "note",
        2,
    ),
    (
        "2",
        BOOK,
        CHAPTER,
        "Deleted on the device.",
        None,
        "2024-03-04T09:15:02",
        0.6,
        "true",
        "highlight",
        None,
    ),
]
"""A highlight with a note (blue) and a hidden one."""


def encrypted(data: bytes) -> bytes:
    """The zip with the 'encrypted' bit set on every entry, as a password-protected zip has
    it (Python's zipfile cannot write one)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start != -1:
            out[start + offset] |= 0x1
            start = out.find(signature, start + 4)
    return bytes(out)


_AE_COLUMNS = (
    "Z_PK INTEGER PRIMARY KEY, ZANNOTATIONASSETID VARCHAR, ZANNOTATIONSELECTEDTEXT VARCHAR, "
    "ZANNOTATIONNOTE VARCHAR, ZANNOTATIONCREATIONDATE TIMESTAMP, ZANNOTATIONDELETED INTEGER, "
    "ZANNOTATIONSTYLE INTEGER, ZFUTUREPROOFING5 VARCHAR, ZPLLOCATIONRANGESTART INTEGER"
)


def apple_annotations(rows: Sequence[Sequence[object]]) -> bytes:
    """An AEAnnotation_….sqlite; rows: (pk, asset id, selected text, note, created (seconds
    since 2001), deleted, style, chapter, location start)."""
    return sqlite_bytes(
        [f"CREATE TABLE ZAEANNOTATION ({_AE_COLUMNS})", "CREATE TABLE Z_METADATA (Z_VERSION)"],
        {"ZAEANNOTATION": rows},
    )


def apple_library(rows: Sequence[Sequence[object]]) -> bytes:
    """A BKLibrary-….sqlite; rows: (pk, asset id, title, author)."""
    return sqlite_bytes(
        [
            "CREATE TABLE ZBKLIBRARYASSET (Z_PK INTEGER PRIMARY KEY, ZASSETID VARCHAR, "
            "ZTITLE VARCHAR, ZAUTHOR VARCHAR)"
        ],
        {"ZBKLIBRARYASSET": rows},
    )
