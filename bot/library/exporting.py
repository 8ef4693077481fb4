"""Exports of a chat's whole library: JSON, Readwise CSV and Markdown.

The CSV follows Readwise's import layout so readers can take their data back; chapters
travel as ``.h1`` heading rows and several notes are joined by a ``---`` line, the two
conventions the CSV parser reads back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from bot.library.views import HighlightView, load_views
from bot.models import Book, Highlight
from bot.parsers.tags import DISCARD, FAVORITE

FORMATS = ("json", "csv", "md")
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
    """Readwise's CSV layout (11 columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    chapter_of: dict[tuple[str, str], str | None] = {}
    for view in views:
        book = (view.book_title, view.author)
        if view.chapter and chapter_of.get(book) != view.chapter:
            writer.writerow([view.chapter, *book, "", ".h1", "", "", "", "", "", ""])
        chapter_of[book] = view.chapter
        is_note = view.kind == "note"
        flags = [FAVORITE] if view.favorite else []
        flags += [DISCARD] if view.discarded else []
        writer.writerow(
            [
                "" if is_note else view.text,
                view.book_title,
                view.author,
                "",
                NOTE_SEPARATOR.join([view.text, *view.notes] if is_note else view.notes),
                view.color or "",
                ", ".join([*view.tags, *flags]),
                view.location_type or "",
                view.location or "",
                view.highlighted_at.isoformat(sep=" ") if view.highlighted_at else "",
                "",
            ]
        )
    return out.getvalue()


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
        if view.kind == "note":
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
    """Render in one of FORMATS."""
    renderers = {"json": to_json, "csv": to_csv, "md": to_markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](views)
