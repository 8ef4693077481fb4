"""Counts that describe a chat's library."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select
from sqlmodel import Session, col

from bot.models import Book, Highlight, HighlightTag, Note, Tag


@dataclass(slots=True)
class LibraryStats:
    """How big a library is and what it is about."""

    books: int = 0
    highlights: int = 0
    notes: int = 0
    tags: int = 0
    favorites: int = 0
    discarded: int = 0
    top_tags: list[tuple[str, int]] = field(default_factory=list)
    top_books: list[tuple[str, str, int]] = field(default_factory=list)


def library_stats(session: Session, *, chat_id: int, top: int = 5) -> LibraryStats:
    """Count the chat's books, highlights, notes and tags, with the most used ones."""
    mine = col(Highlight.chat_id) == chat_id
    highlights, favorites, discarded = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(cast(col(Highlight.favorite), Integer)), 0),
            func.coalesce(func.sum(cast(col(Highlight.discarded), Integer)), 0),
        ).where(mine)
    ).one()
    stats = LibraryStats(highlights=highlights, favorites=favorites, discarded=discarded)
    stats.books = session.execute(
        select(func.count()).select_from(Book).where(col(Book.chat_id) == chat_id)
    ).scalar_one()
    stats.notes = session.execute(
        select(func.count())
        .select_from(Note)
        .join(Highlight, col(Highlight.id) == col(Note.highlight_id))
        .where(mine)
    ).scalar_one()
    uses = func.count(col(HighlightTag.highlight_id))
    tag_rows = session.execute(
        select(col(Tag.name), uses)
        .join(HighlightTag, col(HighlightTag.tag_id) == col(Tag.id))
        .where(col(Tag.chat_id) == chat_id)
        .group_by(col(Tag.name))
        .order_by(uses.desc(), col(Tag.name))
    ).all()
    stats.tags = len(tag_rows)
    stats.top_tags = [(name, count) for name, count in tag_rows[:top]]
    per_book = func.count(col(Highlight.id))
    stats.top_books = [
        (title, author, count)
        for title, author, count in session.execute(
            select(col(Book.title), col(Book.author), per_book)
            .join(Highlight, col(Highlight.book_id) == col(Book.id))
            .where(mine)
            .group_by(col(Book.id), col(Book.title), col(Book.author))
            .order_by(per_book.desc(), col(Book.title))
            .limit(top)
        )
    ]
    return stats
