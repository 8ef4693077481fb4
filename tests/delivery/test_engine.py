"""The delivery engine against the fake Bot API: due times, exactly once, limits, failures."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlmodel import col
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.app import DELIVERY_CONNECTIONS
from bot.db import SessionFactory, unit_of_work
from bot.delivery import claims
from bot.delivery.engine import CLAIM_BATCH, IN_FLIGHT, STOP_GRACE, DeliveryEngine
from bot.delivery.pacer import Pacer
from bot.fake_telegram import FakeTelegram
from bot.library import chats
from bot.library.importing import import_records
from bot.library.messages import highlight_for_message
from bot.models import Chat, Delivery
from bot.parsers import ParsedHighlight, ParseResult
from bot.telegram.sending import TelegramSender
from bot.telegram.transport import AiohttpRequest


class Clock:
    """The engine's idea of now; tests move it instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[TelegramSender]:
    """A sender over a bot whose transport the test keeps open, as the tests' ticks use."""
    request = HTTPXRequest(read_timeout=1.0, write_timeout=1.0, connect_timeout=1.0)
    async with Bot(tg.token, base_url=tg.base_url, request=request) as client:
        yield TelegramSender(client)


def library(sessions: SessionFactory, chat_id: int, size: int = 3, **settings: str) -> None:
    records = [ParsedHighlight(book_title="Meditations", text=f"Thought {i}.") for i in range(size)]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=chat_id, result=ParseResult("t", records))
        if "time" in settings:
            chats.set_delivery_time(session, chat_id=chat_id, value=settings["time"])
        if "zone" in settings:
            chats.set_timezone(session, chat_id=chat_id, value=settings["zone"])


def engine(sessions: SessionFactory, clock: Clock, **kw: object) -> DeliveryEngine:
    return DeliveryEngine(
        sessions=sessions,
        default_timezone="UTC",
        clock=clock,
        pacer=Pacer(per_second=500),
        rng=random.Random(5),
        **kw,  # type: ignore[arg-type]
    )


def statuses(sessions: SessionFactory) -> dict[tuple[int, date], str]:
    with sessions() as session:
        rows = session.execute(
            select(col(Delivery.chat_id), col(Delivery.local_date), col(Delivery.status))
        ).all()
    return {(chat_id, day): status for chat_id, day, status in rows}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def test_each_chat_gets_one_highlight_at_its_local_time(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    library(sessions, 1, time="08:00", zone="Europe/Berlin")  # CEST: 06:00 UTC
    library(sessions, 2, time="08:00", zone="+05:45")  # 02:15 UTC
    library(sessions, 3, time="21:30", zone="America/New_York")  # 01:30 UTC next day (EDT)
    # 03:00 UTC is 05:00 in Berlin, 08:45 in Kathmandu, 23:00 the day before in New York.
    clock = Clock(at(2026, 6, 1, 3, 0))
    delivery = engine(sessions, clock)

    assert (await delivery.tick(bot)).sent == 0  # schedules everyone; nobody is due yet
    for now, chat_id in (
        (at(2026, 6, 1, 6, 0), 1),  # 08:00 CEST on 1 June
        (at(2026, 6, 2, 1, 30), 3),  # 21:30 EDT on 1 June
        (at(2026, 6, 2, 2, 15), 2),  # 08:00 +05:45 on 2 June (its 1 June 08:00 had passed)
    ):
        clock.now = now - timedelta(minutes=1)
        assert (await delivery.tick(bot)).sent == 0
        clock.now = now
        assert (await delivery.tick(bot)).sent == 1
        assert len(tg.sent(chat_id)) == 1
    # Ticking again changes nothing.
    assert (await delivery.tick(bot)).sent == 0
    assert [len(tg.sent(c)) for c in (1, 2, 3)] == [1, 1, 1]
    assert statuses(sessions) == {
        (1, date(2026, 6, 1)): "sent",
        (3, date(2026, 6, 1)): "sent",
        (2, date(2026, 6, 2)): "sent",
    }


async def test_an_engine_with_its_own_bot_opens_its_transport_only_for_the_tick(
    sessions: SessionFactory, tg: FakeTelegram
) -> None:
    for chat_id in (4, 5):
        library(sessions, chat_id, time="09:00")
    request = AiohttpRequest()
    own = Bot(tg.token, base_url=tg.base_url, request=request, get_updates_request=request)
    clock = Clock(at(2026, 6, 1, 8, 0))
    delivery = engine(sessions, clock, sender=TelegramSender(own))
    await delivery.tick()
    clock.now = at(2026, 6, 1, 9, 0)
    assert (await delivery.tick()).sent == 2
    assert [len(tg.sent(c)) for c in (4, 5)] == [1, 1]
    # Closed again after the tick: no connection is left open between ticks.
    with pytest.raises(NetworkError, match="not initialized"):
        await own.send_message(4, "between ticks")


async def test_chats_with_nothing_to_send_do_not_stop_the_tick_early(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    # More due chats than one claim batch holds, the earliest due of them empty: the empty
    # ones used to make a full batch look short, and the rest waited for the next tick.
    with unit_of_work(sessions) as session:
        for chat_id in range(1, 6):
            chats.ensure_chat(session, chat_id=chat_id)
            chats.set_delivery_time(session, chat_id=chat_id, value="08:59")
    for chat_id in range(6, CLAIM_BATCH + 11):
        library(sessions, chat_id, size=1, time="09:00")
    clock = Clock(at(2026, 6, 1, 8, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 9, 0)
    report = await delivery.tick(bot)
    assert report.sent == CLAIM_BATCH + 5
    assert all(len(tg.sent(c)) == 1 for c in range(6, CLAIM_BATCH + 11))
    assert sorted(statuses(sessions).values()).count("empty") == 5


async def test_the_sent_message_maps_back_to_its_highlight(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    library(sessions, 9, time="09:00")
    clock = Clock(at(2026, 6, 1, 8, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 9, 0)
    await delivery.tick(bot)
    [message] = tg.sent(9)
    assert message.buttons  # the highlight keyboard came with it
    with sessions() as session:
        stored = session.execute(select(Delivery)).scalar_one()
        assert stored.message_id == message.message_id
        assert (
            highlight_for_message(session, chat_id=9, message_id=message.message_id)
            == stored.highlight_id
        )


async def test_down_at_the_time_sends_today_late_but_never_a_backlog(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    library(sessions, 4, time="08:00")
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 13, 0)  # the bot was down at 08:00 and is back the same day
    assert (await delivery.tick(bot)).sent == 1
    clock.now = at(2026, 6, 4, 7, 59)  # down for three days: nothing for 2 and 3 June
    assert (await delivery.tick(bot)).sent == 0
    clock.now = at(2026, 6, 4, 8, 0)
    assert (await delivery.tick(bot)).sent == 1
    clock.now = at(2026, 6, 7, 9, 0)  # back after 08:00 on 7 June: only 7 June's
    assert (await delivery.tick(bot)).sent == 1
    assert sorted(day for (_, day) in statuses(sessions)) == [
        date(2026, 6, 1),
        date(2026, 6, 4),
        date(2026, 6, 7),
    ]
    assert len(tg.sent(4)) == 3


async def test_a_429_storm_is_waited_out_and_nothing_is_lost(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    for chat_id in range(100, 110):
        library(sessions, chat_id, time="08:00")
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    tg.fail_next("sendMessage", retry_after=1, times=3)
    clock.now = at(2026, 6, 1, 8, 0)
    report = await delivery.tick(bot)
    assert report.sent == 10
    assert all(len(tg.sent(chat_id)) == 1 for chat_id in range(100, 110))
    assert set(statuses(sessions).values()) == {"sent"}


async def test_blocked_chats_are_deactivated_until_start(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    library(sessions, 21, time="08:00")
    library(sessions, 22, time="08:00")
    tg.block_chat(21)
    tg.chat_not_found(22)
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 8, 0)
    report = await delivery.tick(bot)
    assert report.refused == 2
    with sessions() as session:
        assert [c.active for c in session.scalars(select(Chat).order_by(col(Chat.id)))] == [
            False,
            False,
        ]
    clock.now = at(2026, 6, 2, 8, 0)
    assert (await delivery.tick(bot)).claimed == 0  # nobody writes to them any more
    tg.unblock_chat(21)
    with unit_of_work(sessions) as session:
        chats.set_active(session, chat_id=21, active=True)  # what /start does
    clock.now = at(2026, 6, 3, 8, 0)
    assert (await delivery.tick(bot)).sent == 1
    assert len(tg.sent(21)) == 1


async def test_an_unknown_outcome_is_recorded_and_not_resent(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    library(sessions, 31, time="08:00")
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    tg.fail_next("sendMessage", timeout=True, delivered=True, hold=3.0)
    clock.now = at(2026, 6, 1, 8, 0)
    report = await delivery.tick(bot)
    assert (report.sent, report.unknown) == (0, 1)
    clock.now = at(2026, 6, 1, 8, 30)
    assert (await delivery.tick(bot)).sent == 0
    assert statuses(sessions) == {(31, date(2026, 6, 1)): "unknown"}
    assert len(tg.sent(31)) == 1  # it did arrive; sending again would have doubled it


async def test_two_instances_at_once_never_double(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram, bot: TelegramSender
) -> None:
    from bot import db

    for chat_id in range(200, 260):
        library(sessions, chat_id, time="08:00")
    clock = Clock(at(2026, 6, 1, 7, 0))
    other_engine = db.create_db_engine(engine_url)
    try:
        first = engine(sessions, clock)
        second = engine(db.session_factory(other_engine), clock)
        await first.tick(bot)
        clock.now = at(2026, 6, 1, 8, 0)
        import asyncio

        reports = await asyncio.gather(first.tick(bot), second.tick(bot))
    finally:
        other_engine.dispose()
    assert sum(r.sent for r in reports) == 60
    assert all(len(tg.sent(chat_id)) == 1 for chat_id in range(200, 260))


def test_stale_sends_become_unknown(sessions: SessionFactory) -> None:
    library(sessions, 41, time="08:00")
    now = at(2026, 6, 1, 8, 0)
    with unit_of_work(sessions) as session:
        claims.schedule_new_chats(session, now=now - timedelta(hours=1), default_timezone="UTC")
        assert claims.claim_due_batch(session, now=now, default_timezone="UTC") == (1, 1)
        [claim] = claims.claimed(session)
        taking = [claim.delivery_id]
        assert claims.start_sending_many(session, delivery_ids=taking, now=now) == {taking[0]}
        assert claims.start_sending_many(session, delivery_ids=taking, now=now) == set()
    with unit_of_work(sessions) as session:
        # Within the window the send may still be answered; just past it, it was abandoned.
        assert claims.recover_stale(session, now=now + claims.REQUEST_TIMEOUT) == []
        assert claims.recover_stale(session, now=now + claims.STALE_SENDING) == []
        second = timedelta(seconds=1)
        assert claims.recover_stale(session, now=now + claims.STALE_SENDING + second) == [
            (41, date(2026, 6, 1))
        ]
    assert statuses(sessions) == {(41, date(2026, 6, 1)): "unknown"}


async def test_killed_mid_broadcast_and_restarted_nobody_gets_two(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram
) -> None:
    import asyncio
    import os
    import signal
    import sys
    from pathlib import Path

    chat_ids = list(range(1000, 1300))
    records = [ParsedHighlight(book_title="Essays", text=f"Essay line {i}.") for i in range(3)]
    with unit_of_work(sessions) as session:
        for chat_id in chat_ids:
            import_records(session, chat_id=chat_id, result=ParseResult("t", records))
        claims.schedule_new_chats(session, now=at(2026, 6, 1, 7, 0), default_timezone="UTC")

    root = Path(__file__).parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PTB_TIMEDELTA": "true"}

    async def broadcaster(now: datetime) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.delivery.broadcaster",
            engine_url,
            tg.url,
            tg.token,
            now.isoformat(),
            cwd=root,
            env=env,
            stdout=asyncio.subprocess.PIPE,
        )

    def delivered() -> int:
        return sum(len(tg.sent(chat_id)) for chat_id in chat_ids)

    first = await broadcaster(at(2026, 6, 1, 8, 0))
    await tg.wait_until(lambda: delivered() >= 100, timeout=60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    at_kill = delivered()
    assert at_kill < len(chat_ids), "the broadcast finished before it could be killed"

    # Restarted a few minutes later: sends left in flight are reported, the rest go out.
    second = await broadcaster(at(2026, 6, 1, 8, 5))
    out, _ = await asyncio.wait_for(second.communicate(), timeout=120)
    assert second.returncode == 0

    counts = {chat_id: len(tg.sent(chat_id)) for chat_id in chat_ids}
    assert max(counts.values()) == 1, "somebody got two daily highlights"
    state = statuses(sessions)
    unknown = {chat_id for (chat_id, _), status in state.items() if status == "unknown"}
    missing = {chat_id for chat_id, n in counts.items() if n == 0}
    assert missing <= unknown  # nobody forgotten, except sends in flight at the kill
    assert len(unknown) <= 16  # at most the sends in flight (the engine's concurrency)
    assert f"unknown_recovered={len(unknown)}" in out.decode()
    assert set(state.values()) <= {"sent", "unknown"}


async def test_a_slow_telegram_has_in_flight_sends_open_and_no_more(
    sessions: SessionFactory, tg: FakeTelegram
) -> None:
    # The bound on what a crash can leave unknown: sends under way at once.
    chat_ids = range(600, 600 + IN_FLIGHT + 10)
    for chat_id in chat_ids:
        library(sessions, chat_id, size=1)
    clock = Clock(at(2026, 6, 1, 7, 0))
    request = AiohttpRequest(connection_pool_size=DELIVERY_CONNECTIONS)
    own = Bot(tg.token, base_url=tg.base_url, request=request)
    delivery = engine(sessions, clock, sender=TelegramSender(own))
    await delivery.tick()
    tg.fail_next("sendMessage", timeout=True, delivered=True, hold=3.0, times=len(chat_ids))
    clock.now = at(2026, 6, 1, 8, 0)
    ticking = asyncio.create_task(delivery.tick())
    await tg.wait_until(lambda: len(tg.requests_for("sendMessage")) >= IN_FLIGHT, timeout=10.0)
    await asyncio.sleep(0.5)  # every answer is held for 3 s: nothing more may leave meanwhile
    assert len(tg.requests_for("sendMessage")) == IN_FLIGHT == 128
    report = await ticking
    assert report.unknown == len(chat_ids)
    assert set(statuses(sessions).values()) == {"unknown"}


async def test_a_delivery_waiting_out_a_429_is_claimed_not_sending(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    # Nothing of it is out while everyone waits: a crash now must not make it "unknown".
    library(sessions, 51, time="08:00")
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    tg.fail_next("sendMessage", retry_after=2)
    clock.now = at(2026, 6, 1, 8, 0)
    ticking = asyncio.create_task(delivery.tick(bot))
    await tg.wait_until(lambda: len(tg.failed_requests) == 1, timeout=5)
    await asyncio.sleep(0.5)  # the hand-back is committed well within the 2 s pause
    assert statuses(sessions) == {(51, date(2026, 6, 1)): "claimed"}
    report = await ticking
    assert (report.sent, report.retried) == (1, 1)
    assert statuses(sessions) == {(51, date(2026, 6, 1)): "sent"}
    assert len(tg.sent(51)) == 1


async def test_stop_leaves_what_waits_its_turn_claimed_for_the_next_tick(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    for chat_id in range(700, 720):
        library(sessions, chat_id, size=1)
    clock = Clock(at(2026, 6, 1, 7, 0))
    slow = DeliveryEngine(
        sessions=sessions, default_timezone="UTC", clock=clock, pacer=Pacer(per_second=5)
    )
    await slow.tick(bot)
    clock.now = at(2026, 6, 1, 8, 0)
    ticking = asyncio.create_task(slow.tick(bot))
    await tg.wait_until(lambda: sum(len(tg.sent(c)) for c in range(700, 720)) >= 3, timeout=10)
    slow.stop()
    report = await asyncio.wait_for(ticking, timeout=STOP_GRACE)
    assert 3 <= report.sent < 20
    state = statuses(sessions)
    assert sorted(set(state.values())) == ["claimed", "sent"]
    assert (await slow.tick(bot)).claimed == 0  # a stopped engine ticks no more

    # The next process's engine sends the rest, and nobody gets two.
    await engine(sessions, clock).tick(bot)
    assert all(len(tg.sent(chat_id)) == 1 for chat_id in range(700, 720))
    assert set(statuses(sessions).values()) == {"sent"}


async def test_a_stop_while_a_claim_batch_is_in_the_database_ends_the_tick_as_itself(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    # The bot stops while the tick's claims are inside a transaction: the tick must return
    # its report, not end cancelled (the scheduler logs that as a crashed job).
    chat_ids = range(800, 800 + 3 * CLAIM_BATCH)
    for chat_id in chat_ids:
        library(sessions, chat_id, size=1)
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 8, 0)
    loop = asyncio.get_running_loop()
    batches: list[str] = []

    def stop_inside_the_second_batch(
        conn: object, cursor: object, statement: str, *_: object
    ) -> None:
        if "ORDER BY chat.next_due_at" not in statement:
            return
        batches.append(statement)
        if len(batches) == 2:  # in the claim's worker thread, its transaction open
            loop.call_soon_threadsafe(delivery.stop)
            time.sleep(0.5)  # the sender sees the stop and returns meanwhile

    bind = sessions.kw["bind"]
    event.listen(bind, "before_cursor_execute", stop_inside_the_second_batch)
    try:
        ticking = asyncio.create_task(delivery.tick(bot))
        done, _ = await asyncio.wait({ticking}, timeout=STOP_GRACE + 5)
    finally:
        event.remove(bind, "before_cursor_execute", stop_inside_the_second_batch)
    assert done and not ticking.cancelled()
    report = ticking.result()
    assert len(batches) == 2 and report.claimed == 2 * CLAIM_BATCH
    assert set(statuses(sessions).values()) <= {"claimed", "sent"}  # none left sending

    # The next process's engine claims and sends the rest, and nobody gets two.
    await engine(sessions, clock).tick(bot)
    assert all(len(tg.sent(chat_id)) == 1 for chat_id in chat_ids)
    assert set(statuses(sessions).values()) == {"sent"}


async def test_a_long_highlight_given_up_between_its_parts_sends_no_more(
    sessions: SessionFactory, tg: FakeTelegram, bot: TelegramSender
) -> None:
    # Another instance decided this sender was dead (its mark went stale) while a later part
    # waited out a 429: the rest is not sent, and the "unknown" it wrote stays.
    records = [ParsedHighlight(book_title="Walden", text="Long passage. " * 600)]
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=61, result=ParseResult("t", records))
    clock = Clock(at(2026, 6, 1, 7, 0))
    delivery = engine(sessions, clock)
    await delivery.tick(bot)
    clock.now = at(2026, 6, 1, 8, 0)
    ticking = asyncio.create_task(delivery.tick(bot))
    await tg.wait_until(lambda: len(tg.sent(61)) == 1, timeout=5)
    tg.fail_next("sendMessage", retry_after=2)
    await tg.wait_until(lambda: len(tg.failed_requests) == 1, timeout=5)
    with unit_of_work(sessions) as session:
        later = clock.now + claims.STALE_SENDING + timedelta(seconds=1)
        assert claims.recover_stale(session, now=later) == [(61, date(2026, 6, 1))]
    await ticking
    assert len(tg.sent(61)) == 1
    assert statuses(sessions) == {(61, date(2026, 6, 1)): "unknown"}
