"""Looking around a library: one highlight, a random one, tags and books with counts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.library.annotating import NotInLibrary
from bot.library.views import HighlightView, load_views
from bot.models import Book, Highlight, HighlightTag, Tag


def get_highlight(session: Session, *, chat_id: int, highlight_id: int) -> HighlightView | None:
    """One highlight of the chat, or None (also when it belongs to another chat)."""
    views = load_views(session, chat_id=chat_id, ids=[highlight_id])
    return views[0] if views else None


def random_highlight(
    session: Session, *, chat_id: int, rng: random.Random | None = None
) -> HighlightView | None:
    """A uniformly random highlight that is not discarded, or None for an empty library.

    Draws a random position among all the chat's highlights, which the chat index answers
    alone (no table row is read on the way), and draws again if that one was discarded:
    a uniform pick among the rest. Only a library that is mostly discarded falls back to
    counting the eligible rows, which reads every one of them.
    """
    generator = rng or random
    mine = col(Highlight.chat_id) == chat_id
    total = session.execute(select(func.count()).where(mine)).scalar_one()
    for _ in range(_DRAWS if total else 0):
        # No ORDER BY: any order the index gives is as good, and sorting would cost more.
        position = generator.randrange(total)
        highlight_id = session.execute(
            select(col(Highlight.id)).where(mine).offset(position).limit(1)
        ).scalar_one_or_none()
        view = (
            get_highlight(session, chat_id=chat_id, highlight_id=highlight_id)
            if highlight_id is not None
            else None
        )
        if view is not None and not view.discarded:
            return view
    eligible = (mine, col(Highlight.discarded).is_(False))
    remaining = session.execute(select(func.count()).where(*eligible)).scalar_one()
    if not remaining:
        return None
    position = generator.randrange(remaining)
    highlight_id = session.execute(
        select(col(Highlight.id))
        .where(*eligible)
        .order_by(col(Highlight.id))
        .offset(position)
        .limit(1)
    ).scalar_one_or_none()
    if highlight_id is None:
        return None
    return get_highlight(session, chat_id=chat_id, highlight_id=highlight_id)


_DRAWS = 8
"""Draws before counting the eligible rows: with a tenth of a library discarded, the
fallback is needed once in 10^8 picks."""


def library_size(session: Session, *, chat_id: int) -> int:
    """How many highlights the chat has, discarded ones included."""
    count: int = session.execute(
        select(func.count()).where(col(Highlight.chat_id) == chat_id)
    ).scalar_one()
    return count


def tag_counts(session: Session, *, chat_id: int) -> list[tuple[str, int]]:
    """The chat's tags in use with how many highlights carry each, most used first."""
    uses = func.count(col(HighlightTag.highlight_id))
    rows = session.execute(
        select(col(Tag.name), uses)
        .join(HighlightTag, col(HighlightTag.tag_id) == col(Tag.id))
        .where(col(Tag.chat_id) == chat_id)
        .group_by(col(Tag.name))
        .order_by(uses.desc(), col(Tag.name))
    ).all()
    return [(name, count) for name, count in rows]


def book_counts(
    session: Session, *, chat_id: int, limit: int | None = None
) -> list[tuple[str, str, int]]:
    """The chat's books with their number of highlights, biggest first."""
    per_book = func.count(col(Highlight.id))
    rows = session.execute(
        select(col(Book.title), col(Book.author), per_book)
        .join(Highlight, col(Highlight.book_id) == col(Book.id))
        .where(col(Book.chat_id) == chat_id)
        .group_by(col(Book.id), col(Book.title), col(Book.author))
        .order_by(per_book.desc(), col(Book.title))
        .limit(limit)
    ).all()
    return [(title, author, count) for title, author, count in rows]


@dataclass(slots=True)
class TagChoices:
    """A highlight with its tags (to remove) and the chat's most used others (to add)."""

    view: HighlightView
    on_it: list[tuple[int, str]] = field(default_factory=list)
    suggestions: list[tuple[int, str]] = field(default_factory=list)


def tag_choices(
    session: Session, *, chat_id: int, highlight_id: int, suggest: int = 6
) -> TagChoices:
    """What the 🏷 panel offers for one highlight; NotInLibrary for another chat's."""
    view = get_highlight(session, chat_id=chat_id, highlight_id=highlight_id)
    if view is None:
        raise NotInLibrary
    uses = func.count(col(HighlightTag.highlight_id))
    rows = session.execute(
        select(col(Tag.id), col(Tag.name))
        .outerjoin(HighlightTag, col(HighlightTag.tag_id) == col(Tag.id))
        .where(col(Tag.chat_id) == chat_id)
        .group_by(col(Tag.id), col(Tag.name))
        .order_by(uses.desc(), col(Tag.name))
    ).all()
    choices = TagChoices(view=view)
    for tag_id, name in rows:
        if name in view.tags:
            choices.on_it.append((tag_id, name))
        elif len(choices.suggestions) < suggest:
            choices.suggestions.append((tag_id, name))
    return choices
