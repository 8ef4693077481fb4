"""Read models: a highlight with everything a reader sees of it, loaded in a few queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.models import Book, Highlight, HighlightTag, Note, Tag


@dataclass(slots=True)
class HighlightView:
    """One highlight as shown or exported: its words, book, place, tags and notes."""

    id: int
    kind: str
    text: str
    book_title: str
    author: str
    chapter: str | None
    location: str | None
    location_type: str | None
    color: str | None
    highlighted_at: datetime | None
    favorite: bool
    discarded: bool
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_views(session: Session, *, chat_id: int, ids: Sequence[int]) -> list[HighlightView]:
    """Load these highlights of the chat, in the order given; ids of other chats are ignored."""
    if not ids:
        return []
    rows = session.execute(
        select(Highlight, col(Book.title), col(Book.author))
        .join(Book, col(Book.id) == col(Highlight.book_id))
        .where(col(Highlight.chat_id) == chat_id, col(Highlight.id).in_(ids))
    ).all()
    views = {
        highlight.id: HighlightView(
            id=highlight.id,
            kind=highlight.kind,
            text=highlight.text,
            book_title=title,
            author=author,
            chapter=highlight.chapter,
            location=highlight.location,
            location_type=highlight.location_type,
            color=highlight.color,
            highlighted_at=highlight.highlighted_at,
            favorite=highlight.favorite,
            discarded=highlight.discarded,
        )
        for highlight, title, author in rows
        if highlight.id is not None
    }
    found = list(views)
    tag_rows = session.execute(
        select(col(HighlightTag.highlight_id), col(Tag.name))
        .join(Tag, col(Tag.id) == col(HighlightTag.tag_id))
        .where(col(HighlightTag.highlight_id).in_(found))
        .order_by(Tag.name)
    )
    for highlight_id, name in tag_rows:
        views[highlight_id].tags.append(name)
    note_rows = session.execute(
        select(col(Note.highlight_id), col(Note.text))
        .where(col(Note.highlight_id).in_(found))
        .order_by(col(Note.id))
    )
    for highlight_id, text in note_rows:
        views[highlight_id].notes.append(text)
    return [views[i] for i in ids if i in views]
