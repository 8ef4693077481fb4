"""Read models: a highlight with everything a reader sees of it, loaded in one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, bindparam, func, select
from sqlmodel import Session

from bot.models import Book, Highlight, HighlightTag, Note, Tag, table_of


@dataclass(slots=True)
class HighlightView:
    """One highlight as shown or exported: its words, book, place, tags and notes."""

    id: int
    kind: str
    text: str
    book_title: str
    author: str
    chapter: str | None
    chapter_level: int | None
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
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = session.execute(
        _VIEWS_POSTGRES if postgres else _VIEWS_SQLITE, {"ids": list(owners)}
    ).all()
    views: dict[int, HighlightView] = {}
    for highlight_id, chat_id, *fields, tags, notes in rows:
        if owners.get(highlight_id) != chat_id:
            continue
        view = views[highlight_id] = HighlightView(highlight_id, *fields)
        if tags:
            view.tags = sorted(tags)
        if notes:
            view.notes = [text for _, text in sorted(notes)]
    return views


def _views_statement(postgres: bool) -> Select[Any]:
    """One statement for the highlights and, as JSON lists, their tags and their notes.

    One statement, not three (highlights, tags, notes): on PostgreSQL each statement is a
    round trip and a plan, which a five-result search would feel. The lists are sorted here,
    not in SQL: SQLite 3.40 has no ORDER BY inside an aggregate.
    """
    highlight, book, link, tag, note = _HIGHLIGHT, _BOOK, _LINK, _TAG, _NOTE

    def json_list(value: ColumnElement[Any]) -> ColumnElement[Any]:
        if postgres:
            return func.json_agg(value, type_=JSON)
        return func.json_group_array(value, type_=JSON)

    def pair(first: ColumnElement[Any], second: ColumnElement[Any]) -> ColumnElement[Any]:
        return (func.json_build_array if postgres else func.json_array)(first, second)

    tags = (
        select(json_list(tag.c.name))
        .select_from(link.join(tag, tag.c.id == link.c.tag_id))
        .where(link.c.highlight_id == highlight.c.id)
        .scalar_subquery()
    )
    notes = (
        select(json_list(pair(note.c.id, note.c.text)))
        .where(note.c.highlight_id == highlight.c.id)
        .scalar_subquery()
    )
    return (
        select(
            highlight.c.id,
            highlight.c.chat_id,
            highlight.c.kind,
            highlight.c.text,
            book.c.title,
            book.c.author,
            highlight.c.chapter,
            highlight.c.chapter_level,
            highlight.c.location,
            highlight.c.location_type,
            highlight.c.color,
            highlight.c.highlighted_at,
            highlight.c.favorite,
            highlight.c.discarded,
            tags,
            notes,
        )
        .join(book, book.c.id == highlight.c.book_id)
        .where(highlight.c.id.in_(bindparam("ids", expanding=True)))
    )


_HIGHLIGHT, _BOOK = table_of(Highlight), table_of(Book)
_LINK, _TAG, _NOTE = table_of(HighlightTag), table_of(Tag), table_of(Note)
_VIEWS_POSTGRES = _views_statement(postgres=True)
_VIEWS_SQLITE = _views_statement(postgres=False)
