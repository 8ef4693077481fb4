"""Today's review on demand (``/review``): it counts as the scheduled one if that has not
gone out yet, through the same claim and compare-and-set as the scheduled delivery."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.delivery import claims
from bot.delivery.schedule import local_date
from bot.library.chats import ensure_chat
from bot.library.messages import remember_shown
from bot.library.reviews import Card, first_card
from bot.models import Chat, Delivery


@dataclass(frozen=True, slots=True)
class Taken:
    """Today's review is this process's to send now (it is ``sending``)."""

    card: Card


@dataclass(frozen=True, slots=True)
class AlreadySent:
    """Today's review went out (or is going out) already, in this message if known."""

    message_id: int | None


def take_today(
    session: Session,
    *,
    chat_id: int,
    now: datetime,
    default_timezone: str,
    rng: random.Random | None = None,
) -> Taken | AlreadySent | None:
    """Claim today's review for sending now; None when the library has nothing to show.

    A review already claimed and not yet taken by the scheduler is taken here instead; the
    scheduler's compare-and-set then finds it taken and sends nothing.
    """
    ensure_chat(session, chat_id=chat_id)
    chat = session.get(Chat, chat_id)
    assert chat is not None
    today = local_date(now, chat.timezone or default_timezone)
    new = claims.insert_claims(session, {chat_id: today}, now)
    if new:
        claims.fix_reviews(session, new, {chat_id: chat.review_size}, now, rng)
        # Today is claimed: the scheduler's next due time is the next day's.
        claims.reschedule(session, chat_id=chat_id, now=now, default_timezone=default_timezone)
    return take_claimed(session, chat_id=chat_id, review=claims.DAILY, day=today, now=now)


def take_claimed(
    session: Session, *, chat_id: int, review: str, day: date, now: datetime
) -> Taken | AlreadySent | None:
    """Take the chat's claimed ``review`` of ``day`` for sending now, unless another process
    has; None if it found nothing to show."""
    delivery = session.execute(
        select(Delivery).where(
            col(Delivery.chat_id) == chat_id,
            col(Delivery.review) == review,
            col(Delivery.local_date) == day,
        )
    ).scalar_one()
    assert delivery.id is not None
    if claims.start_sending_many(session, delivery_ids=[delivery.id], now=now):
        return Taken(first_card(session, chat_id=chat_id, delivery_id=delivery.id))
    session.refresh(delivery)
    if delivery.status == claims.EMPTY:
        return None
    return AlreadySent(delivery.message_id)


def finish(
    session: Session, *, card: Card, chat_id: int, message_ids: list[int], now: datetime
) -> None:
    """Record that today's review went out in these messages."""
    outcome = claims.Outcome(card.delivery_id, claims.SENT, message_id=message_ids[-1])
    claims.finish_many(session, outcomes=[outcome], now=now)
    remember_shown(session, shown=[(chat_id, m, card.view.id) for m in message_ids])


def give_up(session: Session, *, card: Card, error: str, now: datetime) -> None:
    """Today's review could not be sent; it is not sent again (its outcome is unknown)."""
    outcome = claims.Outcome(card.delivery_id, claims.UNKNOWN, error=error)
    claims.finish_many(session, outcomes=[outcome], now=now)
