"""Counts that describe a chat's library."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, cast, func, select
from sqlmodel import Session, col

from bot.library.browsing import book_counts, tag_counts
from bot.library.streaks import streaks, weekly
from bot.models import Book, Chat, Highlight, Note


@dataclass(slots=True)
class ReviewHistory:
    """The chat's daily reviews: how many it finished, its streaks, the last weeks."""

    done: int = 0
    streak: int = 0
    longest: int = 0
    streaks_shown: bool = True
    weeks: list[int] = field(default_factory=list)
    """Reviews done in each of the last twelve weeks, oldest first."""


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
    reviews: ReviewHistory | None = None


def library_stats(
    session: Session, *, chat_id: int, top: int = 5, today: date | None = None
) -> LibraryStats:
    """Count the chat's books, highlights, notes and tags, with the most used ones; with the
    chat's local ``today``, its review history too."""
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
    if today is not None:
        stats.reviews = review_history(session, chat_id=chat_id, today=today)
    return stats


def review_history(session: Session, *, chat_id: int, today: date) -> ReviewHistory:
    """The chat's reviews done, streaks and last twelve weeks, as of its local ``today``."""
    found = streaks(session, chat_id=chat_id, today=today)
    chat = session.get(Chat, chat_id)
    return ReviewHistory(
        done=found.done,
        streak=found.current,
        longest=found.longest,
        streaks_shown=chat.streaks if chat is not None else True,
        weeks=weekly(found.days, today=today),
    )
