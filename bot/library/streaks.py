"""Streaks: how many reviews in a row a reader finished.

A streak counts reviews, not calendar days, so a chat reviewed on weekdays only keeps its
streak over the weekend. A review is done once its message showed its last card; a review
with nothing to show breaks nothing, and today's review still under way does not break the
streak until tomorrow's arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from bot.models import Delivery

DAILY = "daily"
_COUNTED = ("sent", "sending", "unknown", "failed")
"""Reviews that reached the reader or were meant to: ``empty`` ones are left out."""


@dataclass(frozen=True, slots=True)
class Streaks:
    """A chat's reviews done, its current and longest streak, and the days it finished one."""

    done: int
    current: int
    longest: int
    days: list[date]


def _history(session: Session, chat_id: int) -> list[tuple[date, bool]]:
    """(local date, done) of the chat's daily reviews, oldest first."""
    rows = session.execute(
        select(
            col(Delivery.local_date),
            col(Delivery.status),
            col(Delivery.position),
            col(Delivery.size),
        )
        .where(
            col(Delivery.chat_id) == chat_id,
            col(Delivery.review) == DAILY,
            col(Delivery.status).in_(_COUNTED),
        )
        .order_by(col(Delivery.local_date))
    ).all()
    # Next ▶ proves the message arrived, even before its send's outcome is written.
    return [
        (day, position >= size - 1 and (status == "sent" or position > 0))
        for day, status, position, size in rows
    ]


def streaks(session: Session, *, chat_id: int, today: date) -> Streaks:
    """The chat's streaks as of its local ``today``."""
    history = _history(session, chat_id)
    longest = run = 0
    for _, done in history:
        run = run + 1 if done else 0
        longest = max(longest, run)
    if history and history[-1][0] >= today and not history[-1][1]:
        history = history[:-1]  # today's review, still under way
    current = 0
    for _, done in reversed(history):
        if not done:
            break
        current += 1
    days = [day for day, done in history if done]
    return Streaks(done=len(days), current=current, longest=longest, days=days)


WEEKS = 12


def weekly(days: list[date], *, today: date, weeks: int = WEEKS) -> list[int]:
    """Reviews done in each of the last ``weeks`` weeks (seven days ending today), oldest
    first."""
    counts = [0] * weeks
    for day in days:
        back = (today - day).days // 7
        if 0 <= back < weeks:
            counts[weeks - 1 - back] += 1
    return counts


def current_streak(session: Session, *, chat_id: int, today: date) -> int:
    """The reviews in a row the chat has finished, up to today."""
    return streaks(session, chat_id=chat_id, today=today).current
