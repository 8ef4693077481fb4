"""Counts that describe a chat's library."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, cast, func, select
from sqlmodel import Session, col

from bot.library.browsing import book_counts, tag_counts
from bot.models import Book, Highlight, Note


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
    tags = tag_counts(session, chat_id=chat_id)
    stats.tags = len(tags)
    stats.top_tags = tags[:top]
    stats.top_books = book_counts(session, chat_id=chat_id, limit=top)
    return stats
