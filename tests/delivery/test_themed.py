"""Scheduled themes through the daily review's claims: one review per (chat, theme, local
date), whichever instance claims, and none while the chat's delivery is paused."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import col

from bot.db import SessionFactory, unit_of_work
from bot.delivery import claims, themed
from bot.library.chats import set_paused, set_timezone
from bot.library.importing import import_records
from bot.library.themes import save_theme
from bot.models import Delivery, ReviewTheme, table_of
from bot.parsers import ParsedHighlight, ParseResult

NOON = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)  # a Monday
CHAT = 7


def library_with_theme(sessions: SessionFactory) -> None:
    records = [
        ParsedHighlight(book_title="Walden", text=f"Thought {n}.", tags=["woods"]) for n in range(4)
    ]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=CHAT, result=ParseResult("t", records))
        save_theme(session, chat_id=CHAT, name="woods", query="tag:woods")
        themed.set_schedule(
            session, chat_id=CHAT, name="woods", words="at 19:00", now=NOON, default_timezone="UTC"
        )


def claim(sessions: SessionFactory, now: datetime) -> tuple[int, int]:
    with unit_of_work(sessions) as session:
        return themed.claim_due_themes(
            session, now=now, default_timezone="UTC", rng=random.Random(1)
        )


def theme_reviews(sessions: SessionFactory) -> list[tuple[str, date, str, int]]:
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(
                col(Delivery.review),
                col(Delivery.local_date),
                col(Delivery.status),
                col(Delivery.size),
            ).order_by(col(Delivery.local_date))
        ).all()
        return [(review, day, status, size) for review, day, status, size in rows]


def test_a_theme_is_claimed_once_per_local_date_even_by_a_second_instance(
    sessions: SessionFactory,
) -> None:
    library_with_theme(sessions)
    assert claim(sessions, NOON + timedelta(hours=6)) == (0, 0)  # not 19:00 yet
    at_seven = NOON + timedelta(hours=7, seconds=5)
    assert claim(sessions, at_seven) == (1, 1)
    # Another instance that still sees the theme due (it read before the claim committed)
    # finds today's review claimed under the unique constraint and claims nothing.
    with unit_of_work(sessions) as session:
        theme = table_of(ReviewTheme)
        session.execute(update(theme).values(next_due_at=NOON, next_due_date=NOON.date()))
    assert claim(sessions, at_seven) == (1, 0)
    assert theme_reviews(sessions) == [("theme:woods", date(2030, 3, 4), claims.CLAIMED, 1)]
    # The engine sends it with the daily ones.
    with unit_of_work(sessions) as session:
        [waiting] = claims.claimed(session)
    assert (waiting.chat_id, waiting.local_date) == (CHAT, date(2030, 3, 4))
    # The next day it comes again, once.
    tomorrow = at_seven + timedelta(days=1)
    assert claim(sessions, tomorrow) == (1, 1)
    assert claim(sessions, tomorrow + timedelta(minutes=1)) == (0, 0)
    assert [day for _, day, _, _ in theme_reviews(sessions)] == [
        date(2030, 3, 4),
        date(2030, 3, 5),
    ]


def test_a_paused_chats_theme_does_not_come_and_a_missed_day_is_skipped(
    sessions: SessionFactory,
) -> None:
    library_with_theme(sessions)
    with unit_of_work(sessions) as session:
        set_paused(session, chat_id=CHAT, paused=True)
    assert claim(sessions, NOON + timedelta(hours=8)) == (0, 0)
    with unit_of_work(sessions) as session:
        set_paused(session, chat_id=CHAT, paused=False)
    # Resumed two days later in the morning: the missed days are skipped, today's comes at 19:00.
    morning = NOON + timedelta(days=2, hours=-3)
    assert claim(sessions, morning) == (1, 0)
    assert claim(sessions, morning + timedelta(hours=10, seconds=5)) == (1, 1)
    assert [day for _, day, _, _ in theme_reviews(sessions)] == [date(2030, 3, 6)]


def test_a_new_time_zone_moves_a_scheduled_theme_to_its_time_there(
    sessions: SessionFactory,
) -> None:
    library_with_theme(sessions)

    def due() -> datetime | None:
        with unit_of_work(sessions) as session:
            return session.execute(select(col(ReviewTheme.next_due_at))).scalar_one()

    assert due() == datetime(2030, 3, 4, 19, 0, tzinfo=UTC)
    with unit_of_work(sessions) as session:
        set_timezone(session, chat_id=CHAT, value="Europe/Berlin")
    assert due() is None
    with unit_of_work(sessions) as session:
        assert themed.schedule_new_themes(session, now=NOON, default_timezone="UTC") == 1
    assert due() == datetime(2030, 3, 4, 18, 0, tzinfo=UTC)  # 19:00 CET
