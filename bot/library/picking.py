"""Picking reviews: the highlights feedback made due first, then the round's next ones.

The round's order is ``selection``'s; a pick is one indexed lookup per chat and place, and
only a chat whose round runs out is reshuffled. Highlights that feedback put on their own
schedule (``bot.library.recall``) leave the round and come when due.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, true, union_all, update
from sqlmodel import Session

from bot.library import recall
from bot.library.recall import START_HALF_LIFE
from bot.library.selection import Frequency, reshuffle
from bot.models import Book, Chat, Highlight, table_of, utcnow

_HIGHLIGHT = table_of(Highlight)
_BOOK = table_of(Book)


def pick_many(
    session: Session, *, chat_ids: Collection[int], rng: random.Random | None = None
) -> dict[int, int | None]:
    """Each chat's next highlight (a review of one), marked as shown; None when it has none."""
    picks = pick_reviews(session, sizes=dict.fromkeys(chat_ids, 1), now=utcnow(), rng=rng)
    return {chat_id: ids[0] if ids else None for chat_id, ids in picks.items()}


def pick_reviews(
    session: Session,
    *,
    sizes: Mapping[int, int],
    now: datetime,
    rng: random.Random | None = None,
) -> dict[int, list[int]]:
    """Each chat's next review of ``sizes[chat]`` highlights, marked as shown.

    Highlights that feedback made due come first, earliest due first, and are due again one
    half-life later; the rest follow the round, which those on feedback's schedule leave.
    One statement per review size finds the round's next ones (an indexed lookup per chat
    and place) and which chats have any due, one which are due, one marks them shown; only
    a chat whose round runs out is reshuffled on its own, in chat id order. A chat that does
    not exist is left out; an empty library picks nothing.
    """
    if not sizes:
        return {}
    rounds = {
        chat_id: found
        for size, chat_ids in _by_size(sizes).items()
        for chat_id, found in _next_in_rounds(session, chat_ids, size, now).items()
    }
    # Most chats have nothing due: only those with something due are asked what.
    flagged = {c: sizes[c] for c, r in rounds.items() if r.has_due}
    due = _due_by_feedback(session, flagged, now)
    picked: dict[int, list[int]] = {}
    short: list[int] = []
    for chat_id, found in rounds.items():
        size, review = sizes[chat_id], found.next_ids
        if chat_id in due:
            first = [highlight_id for highlight_id, _ in due[chat_id]][:size]
            review = (first + [i for i in review if i not in first])[:size]
        picked[chat_id] = review
        if len(review) < size and len(found.next_ids) < size:
            short.append(chat_id)
    generator = rng or random.Random()
    for chat_id in sorted(short):
        picked[chat_id] += _from_a_new_round(
            session, chat_id, rounds[chat_id].mode, picked[chat_id], sizes[chat_id], generator
        )
    _mark_shown(session, picked, due, now)
    if flagged:
        refresh_due(session, chat_ids=list(flagged))
    return picked


def refresh_due(session: Session, *, chat_ids: Collection[int]) -> None:
    """Keep each chat's earliest feedback due time (``Chat.feedback_due_at``) true, after
    feedback or a review changed its highlights' due times."""
    chat = table_of(Chat)
    # Read in due order from the index of due times, which holds only highlights with
    # feedback: a MIN() over the chat's highlights would read every one of them.
    earliest = (
        select(_HIGHLIGHT.c.due_at)
        .where(
            _HIGHLIGHT.c.chat_id == chat.c.id,
            _HIGHLIGHT.c.due_at.is_not(None),
            _HIGHLIGHT.c.discarded.is_(False),
        )
        .order_by(_HIGHLIGHT.c.due_at)
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(chat).where(chat.c.id.in_(list(chat_ids))).values(feedback_due_at=earliest)
    )


@dataclass(frozen=True, slots=True)
class _Round:
    """Where a chat is in its round: its mode, the round's next highlights, and whether
    feedback made any of its highlights due (by ``Chat.feedback_due_at``)."""

    mode: str
    next_ids: list[int]
    has_due: bool


def _next_in_rounds(
    session: Session, chat_ids: list[int], size: int, now: datetime
) -> dict[int, _Round]:
    """Each chat's mode, the next ``size`` highlights of its round (fewer if the round ends
    sooner) and whether it has highlights due, in one statement.

    On PostgreSQL a lateral join reads each chat's index once for all of them; SQLite has
    no lateral join, and there each is a scalar subquery, an index lookup of its own.
    """
    chat = table_of(Chat)
    has_due = func.coalesce(chat.c.feedback_due_at <= now, False)
    found: dict[int, _Round] = {}
    if size == 1 or session.get_bind().dialect.name != "postgresql":
        places = [_next_pending(chat.c.id, offset=i).scalar_subquery() for i in range(size)]
        statement = select(chat.c.id, chat.c.mode, has_due, *places)
        for chat_id, mode, due, *next_ids in session.execute(
            statement.where(chat.c.id.in_(chat_ids))
        ):
            found[chat_id] = _Round(mode, [i for i in next_ids if i is not None], bool(due))
        return found
    following = _next_pending(chat.c.id, limit=size).add_columns(_HIGHLIGHT.c.shuffle_key).lateral()
    rows = session.execute(
        select(chat.c.id, chat.c.mode, has_due, following.c.id)
        .select_from(chat.outerjoin(following, true()))
        .where(chat.c.id.in_(chat_ids))
        .order_by(chat.c.id, following.c.shuffle_key, following.c.id)
    )
    for chat_id, mode, due, highlight_id in rows:
        ids = found.setdefault(chat_id, _Round(mode, [], bool(due))).next_ids
        if highlight_id is not None:
            ids.append(highlight_id)
    return found


def _by_size(sizes: Mapping[int, int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for chat_id, size in sizes.items():
        groups[size].append(chat_id)
    return groups


_DUE_CHATS_PER_STATEMENT = 100
"""Chats whose due highlights one statement looks up (SQLite allows 500 parts in a UNION)."""


def _due_by_feedback(
    session: Session, sizes: Mapping[int, int], now: datetime
) -> dict[int, list[tuple[int, float]]]:
    """Each chat's highlights that feedback made due, earliest first, with their half-lives;
    at most the chat's review size.

    Each chat's are read in due order from the index of due times and no further than its
    review size: a chat may have a thousand due, and a review takes five of them.
    """
    chat_ids = sorted(sizes)
    rows: list[Any] = []  # id, chat id, half-life, due time
    for start in range(0, len(chat_ids), _DUE_CHATS_PER_STATEMENT):
        parts = [
            select(
                _HIGHLIGHT.c.id, _HIGHLIGHT.c.chat_id, _HIGHLIGHT.c.half_life, _HIGHLIGHT.c.due_at
            )
            .join(_BOOK, _BOOK.c.id == _HIGHLIGHT.c.book_id)
            .where(
                _HIGHLIGHT.c.chat_id == chat_id,
                _HIGHLIGHT.c.due_at <= now,
                _HIGHLIGHT.c.discarded.is_(False),
                # Feedback's schedule does not outrank the reader's Never for the book.
                _BOOK.c.frequency != Frequency.NEVER.value,
            )
            .order_by(_HIGHLIGHT.c.due_at, _HIGHLIGHT.c.id)
            .limit(sizes[chat_id])
            .subquery()
            for chat_id in chat_ids[start : start + _DUE_CHATS_PER_STATEMENT]
        ]
        statement = union_all(*(select(part) for part in parts))
        rows.extend(session.execute(statement).all())
    due: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for highlight_id, chat_id, half_life, _ in sorted(rows, key=lambda row: (row[3], row[0])):
        due[chat_id].append((highlight_id, half_life or START_HALF_LIFE))
    return due


def _from_a_new_round(
    session: Session, chat_id: int, mode: str, taken: list[int], size: int, rng: random.Random
) -> list[int]:
    """The round ran out before the review was full: a new round gives the rest (not those
    the review already holds)."""
    if not reshuffle(session, chat_id=chat_id, mode=mode, rng=rng):
        return []
    more = session.execute(_next_pending(chat_id, limit=size + len(taken))).scalars()
    return [i for i in more if i not in taken][: size - len(taken)]


def _mark_shown(
    session: Session,
    picked: Mapping[int, list[int]],
    due: Mapping[int, list[tuple[int, float]]],
    now: datetime,
) -> None:
    """Out of the round; a due one is due again a half-life from now."""
    shown = [highlight_id for ids in picked.values() for highlight_id in ids]
    if shown:
        session.execute(update(_HIGHLIGHT).where(_HIGHLIGHT.c.id.in_(shown)).values(pending=False))
    again = [
        {"hid": highlight_id, "when": recall.due_at(now, half_life)}
        for chat_id, ids in picked.items()
        for highlight_id, half_life in due.get(chat_id, [])
        if highlight_id in ids
    ]
    if again:
        session.execute(
            update(_HIGHLIGHT)
            .where(_HIGHLIGHT.c.id == bindparam("hid"))
            .values(due_at=bindparam("when")),
            again,
        )


def _next_pending(chat_id: Any, *, offset: int = 0, limit: int = 1) -> Select[tuple[int]]:
    """The chat's next highlights this round (from ``offset``): a chat id, or a column to
    correlate with."""
    return (
        select(_HIGHLIGHT.c.id)
        .where(
            _HIGHLIGHT.c.chat_id == chat_id,
            _HIGHLIGHT.c.pending.is_(True),
            _HIGHLIGHT.c.discarded.is_(False),
            # Feedback put it on its own schedule: it comes when due, not with the round.
            _HIGHLIGHT.c.due_at.is_(None),
        )
        .order_by(_HIGHLIGHT.c.shuffle_key, _HIGHLIGHT.c.id)
        .offset(offset)
        .limit(limit)
    )
