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
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    bindparam,
    case,
    func,
    null,
    select,
    true,
    union_all,
    update,
)
from sqlmodel import Session

from bot.library import recall
from bot.library.recall import START_HALF_LIFE
from bot.library.selection import Frequency, reshuffle
from bot.models import Book, Chat, Highlight, table_of, utcnow

_HIGHLIGHT = table_of(Highlight)
_BOOK = table_of(Book)
_CHAT = table_of(Chat)

# A pick runs a few statements, and building one costs about as much as running it: those
# whose shape depends only on the review size are built once per size, with the chats and
# the time as parameters.
_CHATS: BindParameter[int] = bindparam("chat_ids", expanding=True)
_NOW: BindParameter[datetime] = bindparam("now")


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
    A few statements serve any number of chats: one or two find each chat's due and next
    highlights (see ``_rounds``), one marks them shown, one keeps the chats' earliest due
    time true; only a chat whose round runs out is reshuffled on its own, in chat id order.
    A chat that does not exist is left out; an empty library picks nothing.
    """
    if not sizes:
        return {}
    rounds = _rounds(session, sizes, now)
    picked: dict[int, list[int]] = {}
    short: list[int] = []
    for chat_id, found in rounds.items():
        size = sizes[chat_id]
        first = [highlight_id for highlight_id, _ in found.due]
        picked[chat_id] = (first + [i for i in found.next_ids if i not in first])[:size]
        if len(picked[chat_id]) < size and len(found.next_ids) < size:
            short.append(chat_id)
    generator = rng or random.Random()
    for chat_id in sorted(short):
        picked[chat_id] += _from_a_new_round(
            session, chat_id, rounds[chat_id].mode, picked[chat_id], sizes[chat_id], generator
        )
    again = {
        highlight_id: recall.due_at(now, half_life)
        for found in rounds.values()
        for highlight_id, half_life in found.due
    }
    _mark_shown(session, [i for ids in picked.values() for i in ids], again)
    if again:
        refresh_due(session, chat_ids=[chat_id for chat_id, r in rounds.items() if r.due])
    return picked


def refresh_due(session: Session, *, chat_ids: Collection[int]) -> None:
    """Keep each chat's earliest feedback due time (``Chat.feedback_due_at``) true, after
    feedback or a review changed its highlights' due times."""
    session.execute(_REFRESH_DUE, {"chat_ids": list(chat_ids)})


# Read in due order from the index of due times, which holds only highlights with feedback:
# a MIN() over the chat's highlights would read every one of them.
_EARLIEST_DUE = (
    select(_HIGHLIGHT.c.due_at)
    .where(
        _HIGHLIGHT.c.chat_id == _CHAT.c.id,
        _HIGHLIGHT.c.due_at.is_not(None),
        _HIGHLIGHT.c.discarded.is_(False),
    )
    .order_by(_HIGHLIGHT.c.due_at)
    .limit(1)
    .scalar_subquery()
)
_REFRESH_DUE = update(_CHAT).where(_CHAT.c.id.in_(_CHATS)).values(feedback_due_at=_EARLIEST_DUE)


@dataclass(frozen=True, slots=True)
class _Round:
    """Where a chat is: its mode, its highlights that feedback made due (earliest first,
    with their half-lives, no more than its review holds) and its round's next ones."""

    mode: str
    due: list[tuple[int, float]]
    next_ids: list[int]


def _rounds(session: Session, sizes: Mapping[int, int], now: datetime) -> dict[int, _Round]:
    """Each chat's ``_Round``, reading the next ``sizes[chat]`` of each.

    On PostgreSQL, reviews of more than one are read by a lateral join, each chat's due and
    next highlights in one statement. Otherwise a statement per review size reads the next
    ones place by place, with whether the chat has any due (``Chat.feedback_due_at``); a
    second one reads what is due for the chats that have some, as most have none.
    """
    lateral = session.get_bind().dialect.name == "postgresql"
    found: dict[int, _Round] = {}
    flagged: dict[int, int] = {}
    for size, chat_ids in _by_size(sizes).items():
        if lateral and size > 1:
            found |= _rounds_joined(session, chat_ids, size, now)
            continue
        for chat_id, mode, has_due, next_ids in _rounds_by_place(session, chat_ids, size, now):
            found[chat_id] = _Round(mode, [], next_ids)
            if has_due:
                flagged[chat_id] = size
    for chat_id, due in _due_by_feedback(session, flagged, now).items():
        found[chat_id].due.extend(due)
    return found


def _rounds_by_place(
    session: Session, chat_ids: list[int], size: int, now: datetime
) -> list[tuple[int, str, bool, list[int]]]:
    """Each chat's mode, whether it has highlights due, and the next ``size`` of its round
    (fewer if the round ends sooner): a scalar subquery per place, each an index lookup."""
    rows = session.execute(_by_place(size), {"chat_ids": chat_ids, "now": now})
    return [
        (chat_id, mode, bool(due), [i for i in next_ids if i is not None])
        for chat_id, mode, due, *next_ids in rows
    ]


@cache  # a review holds 1 to 15
def _by_place(size: int) -> Select[Any]:
    """``_rounds_by_place``'s statement for reviews of ``size``."""
    has_due = func.coalesce(_CHAT.c.feedback_due_at <= _NOW, False)
    places = [_next_pending(_CHAT.c.id, offset=i).scalar_subquery() for i in range(size)]
    return select(_CHAT.c.id, _CHAT.c.mode, has_due, *places).where(_CHAT.c.id.in_(_CHATS))


def _rounds_joined(
    session: Session, chat_ids: list[int], size: int, now: datetime
) -> dict[int, _Round]:
    """Each chat's ``_Round`` through a lateral join, which reads each chat's indexes once
    for all places. The due part reads nothing for a chat with nothing due."""
    rows = session.execute(_joined(size), {"chat_ids": chat_ids, "now": now})
    found: dict[int, _Round] = {}
    for chat_id, mode, highlight_id, due_at, half_life in rows:
        chat_round = found.setdefault(chat_id, _Round(mode, [], []))
        if due_at is not None:
            chat_round.due.append((highlight_id, half_life or START_HALF_LIFE))
        elif highlight_id is not None:
            chat_round.next_ids.append(highlight_id)
    return found


@cache  # a review holds 1 to 15
def _joined(size: int) -> Select[Any]:
    """``_rounds_joined``'s statement for reviews of ``size``."""
    due = _due_now(_CHAT.c.id, size, _NOW).where(_CHAT.c.feedback_due_at <= _NOW)
    following = _next_pending(_CHAT.c.id, limit=size).add_columns(
        null().label("due_at"), null().label("half_life"), _HIGHLIGHT.c.shuffle_key
    )
    both = union_all(due.add_columns(null().label("shuffle_key")), following).lateral()
    return (
        select(_CHAT.c.id, _CHAT.c.mode, both.c.id, both.c.due_at, both.c.half_life)
        .select_from(_CHAT.outerjoin(both, true()))
        .where(_CHAT.c.id.in_(_CHATS))
        # Per chat, the due ones first in due order (the round's have no due time).
        .order_by(_CHAT.c.id, both.c.due_at.nulls_last(), both.c.shuffle_key, both.c.id)
    )


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
    at most the chat's review size."""
    chat_ids = sorted(sizes)
    rows: list[Any] = []
    for start in range(0, len(chat_ids), _DUE_CHATS_PER_STATEMENT):
        parts = [
            _due_now(chat_id, sizes[chat_id], now).add_columns(_HIGHLIGHT.c.chat_id).subquery()
            for chat_id in chat_ids[start : start + _DUE_CHATS_PER_STATEMENT]
        ]
        statement = union_all(*(select(part) for part in parts))
        rows.extend(session.execute(statement).all())
    due: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: (row.due_at, row.id)):
        due[row.chat_id].append((row.id, row.half_life or START_HALF_LIFE))
    return due


def _due_now(
    chat_id: Any, size: int, now: datetime | BindParameter[datetime]
) -> Select[tuple[int, datetime, float]]:
    """The chat's first ``size`` highlights that feedback made due (a chat id, or a column
    to correlate with): read in due order from the index of due times, no further than a
    review takes, though a chat may have a thousand due."""
    return (
        select(_HIGHLIGHT.c.id, _HIGHLIGHT.c.due_at, _HIGHLIGHT.c.half_life)
        .join(_BOOK, _BOOK.c.id == _HIGHLIGHT.c.book_id)
        .where(
            _HIGHLIGHT.c.chat_id == chat_id,
            _HIGHLIGHT.c.due_at <= now,
            _HIGHLIGHT.c.discarded.is_(False),
            # Feedback's schedule does not outrank the reader's Never for the book.
            _BOOK.c.frequency != Frequency.NEVER.value,
        )
        .order_by(_HIGHLIGHT.c.due_at, _HIGHLIGHT.c.id)
        .limit(size)
    )


def _from_a_new_round(
    session: Session, chat_id: int, mode: str, taken: list[int], size: int, rng: random.Random
) -> list[int]:
    """The round ran out before the review was full: a new round gives the rest (not those
    the review already holds)."""
    if not reshuffle(session, chat_id=chat_id, mode=mode, rng=rng):
        return []
    more = session.execute(_next_pending(chat_id, limit=size + len(taken))).scalars()
    return [i for i in more if i not in taken][: size - len(taken)]


def _mark_shown(session: Session, shown: list[int], again: Mapping[int, datetime]) -> None:
    """Out of the round, in one statement: those in ``again`` due again then, the others
    keeping their due time (they have none: they came from the round)."""
    if not shown:
        return
    values: dict[str, Any] = {"pending": False}
    if again:
        values["due_at"] = case(again, value=_HIGHLIGHT.c.id, else_=_HIGHLIGHT.c.due_at)
    session.execute(update(_HIGHLIGHT).where(_HIGHLIGHT.c.id.in_(shown)).values(values))


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
