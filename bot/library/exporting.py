"""Exports of a chat's whole library: JSON, Readwise CSV, Markdown, an Anki deck
(``export_anki``) and an Obsidian vault folder (``export_obsidian``).

The CSV follows Readwise's import layout so readers can take their data back; chapters
travel as heading rows (``to_csv``) and several notes are joined by a ``---`` line, the
conventions the CSV parser reads back (docs/formats.md, "Readwise CSV").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from bot.library.export_anki import to_anki
from bot.library.export_obsidian import to_obsidian
from bot.library.views import HighlightView, load_views
from bot.models import Book, Highlight
from bot.parsers.records import Kind
from bot.parsers.tags import DISCARD, FAVORITE

FORMATS = ("json", "csv", "md", "anki", "obsidian")
FILE_NAMES = {
    "json": "commonplace.json",
    "csv": "commonplace.csv",
    "md": "commonplace.md",
    "anki": "commonplace-anki.txt",
    "obsidian": "commonplace-obsidian.zip",
}
BINARY = frozenset({"obsidian"})
"""Formats that are bytes (a zip), not text."""
CSV_HEADER = (
    "Highlight",
    "Book Title",
    "Book Author",
    "Amazon Book ID",
    "Note",
    "Color",
    "Tags",
    "Location Type",
    "Location",
    "Highlighted at",
    "Document tags",
)
NOTE_SEPARATOR = "\n---\n"
_CHUNK = 1000


def iter_library(session: Session, *, chat_id: int) -> Iterator[HighlightView]:
    """Every highlight of the chat, book by book in reading order, loaded a chunk at a time."""
    ids = list(
        session.execute(
            select(col(Highlight.id))
            .join(Book, col(Book.id) == col(Highlight.book_id))
            .where(col(Highlight.chat_id) == chat_id)
            .order_by(
                col(Book.id),
                col(Highlight.location_start).is_(None),
                col(Highlight.location_start),
                col(Highlight.id),
            )
        ).scalars()
    )
    for start in range(0, len(ids), _CHUNK):
        yield from load_views(session, chat_id=chat_id, ids=ids[start : start + _CHUNK])


def to_json(views: Iterable[HighlightView]) -> str:
    """A JSON list with one object per highlight."""
    return json.dumps([_json_object(view) for view in views], ensure_ascii=False, indent=2) + "\n"


def _json_object(view: HighlightView) -> dict[str, Any]:
    return {
        "book": view.book_title,
        "author": view.author,
        "kind": view.kind,
        "text": view.text,
        "location": view.location,
        "location_type": view.location_type,
        "chapter": view.chapter,
        "color": view.color,
        "tags": view.tags,
        "notes": view.notes,
        "favorite": view.favorite,
        "discarded": view.discarded,
        "highlighted_at": view.highlighted_at.isoformat() if view.highlighted_at else None,
    }


def to_csv(views: Iterable[HighlightView]) -> str:
    """Readwise's CSV layout (11 columns), with chapters as heading rows.

    A heading row (``.h1``, or the chapter's own level) comes before the first row of each
    chapter, carrying the chapter's note when it has one; a heading row with no Highlight
    closes the chapter before a row that has none. Every row is thus in the chapter it had
    when the file is read back, whatever order the rows come in.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    chapter_of: dict[tuple[str, str], tuple[str | None, int | None]] = {}
    for view in views:
        book = (view.book_title, view.author)
        chapter = (view.chapter, view.chapter_level)
        heading = f".h{view.chapter_level or 1}"
        if view.kind == Kind.CHAPTER_NOTE and view.chapter:
            note = NOTE_SEPARATOR.join([view.text, *view.notes])
            writer.writerow(_csv_row(view, view.chapter, f"{heading}\n\n{note}"))
            chapter_of[book] = chapter
            continue
        if chapter_of.get(book, (None, None)) != chapter:
            if view.chapter:
                writer.writerow([view.chapter, *book, "", heading, "", "", "", "", "", ""])
            else:
                writer.writerow(["", *book, "", ".h1", "", "", "", "", "", ""])
        chapter_of[book] = chapter
        if view.kind == Kind.HIGHLIGHT:
            writer.writerow(_csv_row(view, view.text, NOTE_SEPARATOR.join(view.notes)))
        else:
            writer.writerow(_csv_row(view, "", NOTE_SEPARATOR.join([view.text, *view.notes])))
    return out.getvalue()


def _csv_row(view: HighlightView, highlight: str, note: str) -> list[str]:
    flags = [FAVORITE] if view.favorite else []
    flags += [DISCARD] if view.discarded else []
    return [
        highlight,
        view.book_title,
        view.author,
        "",
        note,
        view.color or "",
        ", ".join([*view.tags, *flags]),
        view.location_type or "",
        view.location or "",
        view.highlighted_at.isoformat(sep=" ") if view.highlighted_at else "",
        "",
    ]


def to_markdown(views: Iterable[HighlightView]) -> str:
    """A readable Markdown document, book by book and chapter by chapter."""
    lines = ["# Commonplace library", ""]
    book: tuple[str, str] | None = None
    chapter: str | None = None
    for view in views:
        if (view.book_title, view.author) != book:
            book, chapter = (view.book_title, view.author), None
            lines += [f"## {view.book_title}", ""]
            if view.author:
                lines += [f"*{view.author}*", ""]
        if view.chapter and view.chapter != chapter:
            chapter = view.chapter
            lines += [f"### {chapter}", ""]
        if view.kind == Kind.CHAPTER_NOTE:
            lines += [f"📑 {view.text}", ""]
        elif view.kind == Kind.NOTE:
            lines += [f"📝 {view.text}", ""]
        else:
            lines += ["\n".join(f"> {line}".rstrip() for line in view.text.splitlines()), ""]
        details = []
        if view.location:
            details.append(f"{(view.location_type or 'location').capitalize()} {view.location}")
        # Tags as they are spelled: a Markdown hashtag would cut "knowledge management" short.
        details += [f"🏷 {', '.join(view.tags)}"] if view.tags else []
        details += ["⭐ favorite"] if view.favorite else []
        details += ["🙈 discarded"] if view.discarded else []
        if details:
            lines += [" · ".join(details), ""]
        lines += [f"- **Note:** {note}" for note in view.notes]
        if view.notes:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render(views: Iterable[HighlightView], fmt: str) -> str:
    """Render in one of the text FORMATS."""
    renderers = {"json": to_json, "csv": to_csv, "md": to_markdown, "anki": to_anki}
    if fmt not in renderers:
        raise ValueError(f"unknown text export format {fmt!r}")
    return renderers[fmt](views)


def export_file(session: Session, *, chat_id: int, fmt: str) -> bytes | None:
    """The chat's library as a file in one of FORMATS, or None when the library is empty."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    views = list(iter_library(session, chat_id=chat_id))
    if not views:
        return None
    if fmt == "obsidian":
        return to_obsidian(views, book_ids(session, chat_id=chat_id))
    return render(views, fmt).encode()


def is_empty(session: Session, *, chat_id: int) -> bool:
    """Whether the chat's library holds nothing to export."""
    first = session.execute(
        select(col(Highlight.id)).where(col(Highlight.chat_id) == chat_id).limit(1)
    ).first()
    return first is None


def book_ids(session: Session, *, chat_id: int) -> dict[tuple[str, str], int]:
    """The chat's books by title and author (unique within a chat), to their ids."""
    rows = session.execute(
        select(col(Book.title), col(Book.author), col(Book.id)).where(col(Book.chat_id) == chat_id)
    )
    return {(title, author): book_id for title, author, book_id in rows}
