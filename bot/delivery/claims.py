"""Exactly-once daily delivery, kept in the database.

A delivery row is claimed for (chat, local date) under a unique constraint before anything
is sent, so restarts, crashes and several instances on one PostgreSQL never send a second
daily highlight. Its status then moves ``claimed`` -> ``sending`` -> ``sent``; the step to
``sending`` is a compare-and-set, so only one instance ever sends a claimed delivery. A
``sending`` row left behind by a dead process becomes ``unknown`` after ``STALE_SENDING`` and
is never resent; a ``claimed`` one is sent by whichever instance ticks next.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from bot.delivery import rhythm
from bot.delivery.schedule import due_at, local_date, next_due
from bot.library.chats import set_active
from bot.library.picking import pick_reviews
from bot.models import Chat, Delivery, table_of

CLAIMED, SENDING, SENT, UNKNOWN, FAILED, EMPTY = (
    "claimed",
    "sending",
    "sent",
    "unknown",
    "failed",
    "empty",
)
REQUEST_TIMEOUT = timedelta(seconds=10)
"""The longest a delivery's request is out: the engine gives up on an answer after this."""
STALE_SENDING = REQUEST_TIMEOUT + timedelta(seconds=10)
"""A send unconfirmed after this long belonged to a process that died. A live sender marks
each request it makes (``start_sending_many``, ``renew_sending``), so only a dead one leaves a
mark this old; the margin over the request timeout covers a slow commit of the outcome and
clocks that differ a little between instances."""

_DELIVERY = table_of(Delivery)
_CHAT = table_of(Chat)
DAILY = "daily"
"""The review every chat has; other reviews of a chat have other names."""
_DueChat = Row[int, str | None, str, date | None, int, str]
"""A due chat's id, time zone, delivery time, the local day it is next due, review size and
its days."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this process may send: a review whose message shows ``highlight_id`` first."""

    delivery_id: int
    chat_id: int
    local_date: date
    highlight_id: int
    size: int = 1
    review: str = DAILY


def _last_claimed(session: Session, chat_id: int) -> date | None:
    return session.execute(
        select(func.max(col(Delivery.local_date))).where(
            col(Delivery.chat_id) == chat_id, col(Delivery.review) == DAILY
        )
    ).scalar_one_or_none()


def reschedule(session: Session, *, chat_id: int, now: datetime, default_timezone: str) -> None:
    """Recompute a chat's next due time (after its time, time zone, days or snooze changed).

    A snoozed chat is next due at its first delivery time after the snooze ends, so the
    delivery resumes by itself without the tick ever looking at the snooze.
    """
    chat = session.get(Chat, chat_id)
    if chat is None:
        return
    snooze_end = chat.paused_until
    day, at = next_due(
        max(now, snooze_end) if snooze_end is not None else now,
        chat.delivery_time,
        chat.timezone or default_timezone,
        last_claimed=_last_claimed(session, chat_id),
        rhythm=rhythm.decode(chat.days),
    )
    chat.next_due_date, chat.next_due_at = day, at


def schedule_new_chats(
    session: Session, *, now: datetime, default_timezone: str, limit: int = 1000
) -> int:
    """Give chats the scheduler has not seen yet their first due time."""
    chat_ids = session.execute(
        select(col(Chat.id)).where(col(Chat.next_due_at).is_(None)).limit(limit)
    ).scalars()
    count = 0
    for chat_id in list(chat_ids):
        reschedule(session, chat_id=chat_id, now=now, default_timezone=default_timezone)
        count += 1
    return count


def insert_claims(
    session: Session, days: dict[int, date], now: datetime, review: str = DAILY
) -> dict[int, int]:
    """Insert the (chat, ``review``, day) claims; delivery id by chat, for those that were
    not there."""
    if not days:
        return {}
    dialect = session.get_bind().dialect.name
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    # Executed with many parameter sets: SQLAlchemy batches the rows into a few
    # multi-row INSERT ... RETURNING statements whose compiled form it caches.
    statement = (
        insert(_DELIVERY).on_conflict_do_nothing().returning(_DELIVERY.c.id, _DELIVERY.c.chat_id)
    )
    rows = [
        {
            "chat_id": chat_id,  # the ``daily`` review: the column's default
            "local_date": day,
            "status": CLAIMED,
            "attempts": 0,
            "claimed_at": now,
            "updated_at": now,
        }
        for chat_id, day in days.items()
    ]
    if review != DAILY:
        rows = [{**row, "review": review} for row in rows]
    return {chat_id: delivery_id for delivery_id, chat_id in session.execute(statement, rows).all()}


def claim_due_batch(
    session: Session,
    *,
    now: datetime,
    default_timezone: str,
    limit: int = 500,
    rng: random.Random | None = None,
) -> tuple[int, int]:
    """Claim today's delivery for chats that are due and pick their highlights; returns
    (due chats taken, deliveries claimed): fewer than ``limit`` chats taken means no more are
    due (that this instance could take).

    Only the chat's current local day is ever claimed: a day the bot missed entirely is
    skipped, never sent late. The chats' new due times, the claims and the picks each take a
    statement or two for the whole batch; only a chat whose round is over is reshuffled on
    its own.
    """
    due = _due_chats(session, now, limit)
    schedule, days = _plan(due, now, default_timezone)
    _set_next_due(session, schedule)
    new = insert_claims(session, days, now)
    sizes = {row[0]: row[4] for row in due if row[0] in new}
    return len(due), fix_reviews(session, new, sizes, now, rng)


def _due_chats(session: Session, now: datetime, limit: int) -> Sequence[_DueChat]:
    """The chats whose delivery is due, earliest first, with what scheduling them needs."""
    due = (
        select(
            col(Chat.id),
            col(Chat.timezone),
            col(Chat.delivery_time),
            col(Chat.next_due_date),
            col(Chat.review_size),
            col(Chat.days),
        )
        .where(
            col(Chat.next_due_at) <= now,
            col(Chat.active).is_(True),
            col(Chat.paused).is_(False),
        )
        .order_by(col(Chat.next_due_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several instances share the work; each takes chats the others are not holding.
        due = due.with_for_update(skip_locked=True)
    return session.execute(due).all()


def _plan(
    due: Sequence[_DueChat], now: datetime, default_timezone: str
) -> tuple[list[dict[str, object]], dict[int, date]]:
    """Each due chat's next due time (as parameters of ``_set_next_due``), and the local day
    to claim for every chat whose delivery time has come."""
    schedule: list[dict[str, object]] = []
    days: dict[int, date] = {}
    for chat_id, timezone, delivery_time, next_due_date, _, stored_days in due:
        zone_name = timezone or default_timezone
        chat_rhythm = rhythm.decode(stored_days)
        today = local_date(now, zone_name)
        day = next_due_date or today
        if day < today:
            # A day the bot missed is skipped: the next day the rhythm allows from today is
            # claimed once its time has come.
            day = chat_rhythm.first_day(today, last=None)
            day_at = due_at(day, delivery_time, zone_name)
            if day_at > now:
                schedule.append({"b_id": chat_id, "b_date": day, "b_at": day_at})
                continue
        days[chat_id] = day
        next_date, next_at = next_due(
            now, delivery_time, zone_name, last_claimed=day, rhythm=chat_rhythm
        )
        schedule.append({"b_id": chat_id, "b_date": next_date, "b_at": next_at})
    return schedule, days


def _set_next_due(session: Session, schedule: list[dict[str, object]]) -> None:
    if schedule:
        session.execute(
            update(_CHAT)
            .where(_CHAT.c.id == bindparam("b_id"))
            .values(next_due_date=bindparam("b_date"), next_due_at=bindparam("b_at")),
            schedule,
        )


def fix_reviews(
    session: Session,
    new: dict[int, int],
    sizes: dict[int, int],
    now: datetime,
    rng: random.Random | None,
) -> int:
    """Fix each new claim's review (delivery id by chat); how many found a highlight. A chat
    with nothing to deliver gets an ``empty`` delivery."""
    chosen = pick_reviews(session, sizes=sizes, now=now, rng=rng)
    picked = {delivery_id: chosen.get(chat_id, []) for chat_id, delivery_id in new.items()}
    # A review of one is its highlight alone, as a delivery always was: the fewer columns
    # keep the daily claim of most chats as cheap as before reviews.
    singles: list[dict[str, object]] = []
    many: list[dict[str, object]] = []
    for d, ids in picked.items():
        if len(ids) > 1:
            many.append(
                {
                    "b_id": d,
                    "b_highlight": ids[0],
                    "b_ids": ",".join(map(str, ids)),
                    "b_size": len(ids),
                }
            )
        else:
            first = ids[0] if ids else None
            singles.append({"b_id": d, "b_highlight": first, "b_status": CLAIMED if ids else EMPTY})
    if singles:
        session.execute(
            update(_DELIVERY)
            .where(_DELIVERY.c.id == bindparam("b_id"))
            .values(highlight_id=bindparam("b_highlight"), status=bindparam("b_status")),
            singles,
        )
    if many:
        session.execute(
            update(_DELIVERY)
            .where(_DELIVERY.c.id == bindparam("b_id"))
            .values(
                highlight_id=bindparam("b_highlight"),
                highlight_ids=bindparam("b_ids"),
                size=bindparam("b_size"),
                status=CLAIMED,
            ),
            many,
        )
    return sum(bool(ids) for ids in picked.values())


def claimed(session: Session, *, limit: int = 500) -> list[Claim]:
    """Deliveries claimed and not yet being sent, oldest first (any instance's)."""
    rows = session.execute(
        select(
            col(Delivery.id),
            col(Delivery.chat_id),
            col(Delivery.local_date),
            col(Delivery.highlight_id),
            col(Delivery.size),
            col(Delivery.review),
        )
        .where(col(Delivery.status) == CLAIMED, col(Delivery.highlight_id).is_not(None))
        .order_by(col(Delivery.claimed_at), col(Delivery.id))
        .limit(limit)
    ).all()
    return [Claim(d, c, day, h, n, r) for d, c, day, h, n, r in rows if h is not None]


def start_sending_many(session: Session, *, delivery_ids: list[int], now: datetime) -> set[int]:
    """Take many claimed deliveries in one compare-and-set; the ids this process now holds."""
    if not delivery_ids:
        return set()
    taken = session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id.in_(delivery_ids), _DELIVERY.c.status == CLAIMED)
        .values(status=SENDING, attempts=_DELIVERY.c.attempts + 1, updated_at=now)
        .returning(_DELIVERY.c.id)
    )
    return set(taken.scalars())


def renew_sending(session: Session, *, delivery_id: int, now: datetime) -> bool:
    """Mark a delivery still being sent (before a later part); False if no longer ours."""
    renewed = session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id == delivery_id, _DELIVERY.c.status == SENDING)
        .values(updated_at=now)
        .returning(_DELIVERY.c.id)
    )
    return renewed.first() is not None


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a send ended, to be written with others: see ``finish_many``."""

    delivery_id: int
    status: str
    message_id: int | None = None
    error: str | None = None
    refused_chat: int | None = None
    """The chat that refused the bot for good: it becomes inactive."""


def finish_many(session: Session, *, outcomes: list[Outcome], now: datetime) -> None:
    """Write many deliveries' outcomes in one statement (and deactivate refusing chats)."""
    if not outcomes:
        return
    session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            message_id=bindparam("b_message"),
            error=bindparam("b_error"),
            updated_at=now,
        ),
        [
            {
                "b_id": o.delivery_id,
                "b_status": o.status,
                "b_message": o.message_id,
                "b_error": o.error,
            }
            for o in outcomes
        ],
    )
    for o in outcomes:
        if o.refused_chat is not None:
            set_active(session, chat_id=o.refused_chat, active=False)


def recover_stale(session: Session, *, now: datetime) -> list[tuple[int, date]]:
    """Turn sends left in flight by a dead process into ``unknown``; returns (chat, date)."""
    stale = session.execute(
        select(col(Delivery.id), col(Delivery.chat_id), col(Delivery.local_date)).where(
            col(Delivery.status) == SENDING, col(Delivery.updated_at) < now - STALE_SENDING
        )
    ).all()
    error = "the sending process stopped mid-send"
    finish_many(session, outcomes=[Outcome(d, UNKNOWN, error=error) for d, _, _ in stale], now=now)
    return [(chat_id, day) for _, chat_id, day in stale]


def backlog(session: Session, *, now: datetime) -> tuple[int, float]:
    """How many daily highlights are due and unsent, and how late the oldest is (seconds)."""
    due = (
        col(Chat.next_due_at) <= now,
        col(Chat.active).is_(True),
        col(Chat.paused).is_(False),
    )
    count, oldest = session.execute(
        select(func.count(), func.min(col(Chat.next_due_at))).where(*due)
    ).one()
    queued, claimed_at = session.execute(
        select(func.count(), func.min(col(Delivery.claimed_at))).where(
            col(Delivery.status).in_([CLAIMED, SENDING])
        )
    ).one()
    starts = [moment for moment in (oldest, claimed_at) if moment is not None]
    lag = max((now - _aware(min(starts))).total_seconds(), 0.0) if starts else 0.0
    return count + queued, lag


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
