"""Read models: a highlight with everything a reader sees of it, loaded in a few queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    views = load_owned_views(session, owners=dict.fromkeys(ids, chat_id))
    return [views[i] for i in ids if i in views]


def load_owned_views(session: Session, *, owners: Mapping[int, int]) -> dict[int, HighlightView]:
    """Load highlights of several chats at once: ``owners`` maps a highlight id to its chat.

    A highlight that is gone, or that belongs to another chat than the one given, is left out.
    """
    if not owners:
        return {}
    rows = session.execute(
        select(
            col(Highlight.id),
            col(Highlight.chat_id),
            col(Highlight.kind),
            col(Highlight.text),
            col(Book.title),
            col(Book.author),
            col(Highlight.chapter),
            col(Highlight.location),
            col(Highlight.location_type),
            col(Highlight.color),
            col(Highlight.highlighted_at),
            col(Highlight.favorite),
            col(Highlight.discarded),
        )
        .join(Book, col(Book.id) == col(Highlight.book_id))
        .where(col(Highlight.id).in_(list(owners)))
    ).all()
    views = {
        row[0]: HighlightView(row[0], *row[2:])
        for row in rows
        if row[0] is not None and owners.get(row[0]) == row[1]
    }
    found = list(views)
    if not found:
        return views
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
    return views
