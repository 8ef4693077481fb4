"""Small binary exports built by the tests themselves: Kobo and Apple Books databases, zips.

Their tables and columns follow docs/formats.md; the rows are invented.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from html import escape
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


# A Play Books notes document: (chapter, [(quote or None for a bookmark, note, date, page)]).
PlayBooksNotes = Sequence[tuple[str, Sequence[tuple[str | None, str | None, str, str]]]]
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _w_p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _w_row(*cells: Sequence[str]) -> str:
    return (
        "<w:tr>"
        + "".join(
            "<w:tc>" + ("".join(_w_p(p) for p in cell) or "<w:p/>") + "</w:tc>" for cell in cells
        )
        + "</w:tr>"
    )


def play_books_docx(title: str, author: str, chapters: PlayBooksNotes) -> bytes:
    """A "Notes from …" .docx laid out as Play Books writes it (docs/formats.md)."""
    count = sum(1 for _, notes in chapters for quote, *_ in notes if quote)
    body = [
        "<w:p/>",
        "<w:tbl>" + _w_row([], [title, author, "A Publisher"]) + "</w:tbl>",
        "<w:tbl>"
        + _w_row(
            [
                "This document is overwritten when you make changes in Play Books.",
                "You should make a copy of this document before you edit it.",
            ]
        )
        + "</w:tbl>",
        _w_p(f"{count} notes/highlights"),
        _w_p("Created by A Reader   – Last synced March 8, 2016"),
    ]
    for chapter, notes in chapters:
        body.append(_w_p(chapter))
        for quote, note, date, page in notes:
            middle = [quote, "", note, "", date] if quote and note else [quote or "", "", date]
            if quote is None:
                middle = ["", date]
            inner = "<w:tbl>" + _w_row([], middle, [page]) + "</w:tbl>"
            if quote:  # Play Books shades the quote in the highlight's colour (yellow here)
                shading = '<w:rPr><w:i w:val="1"/><w:shd w:fill="FDE096"/></w:rPr><w:t'
                inner = inner.replace(
                    f'<w:t xml:space="preserve">{escape(quote)}',
                    f'{shading} xml:space="preserve">{escape(quote)}',
                    1,
                )
            body.append("<w:tbl><w:tr><w:tc><w:p/>" + inner + "<w:p/></w:tc></w:tr></w:tbl>")
    document = (
        f'<?xml version="1.0"?><w:document {_W}><w:body>{"".join(body)}</w:body></w:document>'
    )
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": document.encode()})


def play_books_html(title: str, author: str, chapters: PlayBooksNotes) -> str:
    """The same document as Google Docs exports it to HTML (tables nested the same way)."""

    def row(*cells: str) -> str:
        return "<table><tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr></table>"

    parts = [
        row("<img src='cover.jpg'>", f"<h1>{escape(title)}</h1><p>{escape(author)}</p>"),
        row("<p>This document is overwritten when you make changes in Play Books.</p>"),
        "<h1>3 notes/highlights</h1>",
    ]
    for chapter, notes in chapters:
        parts.append(f"<h2>{escape(chapter)}</h2>")
        for quote, note, date, page in notes:
            middle = "".join(f"<p>{escape(p)}</p>" for p in (note, date) if p)
            if quote:
                style = "background-color:#fde096;font-style:italic"
                middle = f'<p><span style="{style}">{escape(quote)}</span></p>' + middle
            parts.append(f"<table><tr><td>{row('<img>', middle, escape(page))}</td></tr></table>")
    return "<html><body>" + "\n".join(parts) + "</body></html>"
