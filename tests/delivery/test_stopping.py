"""Real bot processes stopped mid-broadcast: ``kill -9``, ``SIGTERM``, two instances sharing one
PostgreSQL. Telegram is slow (50-100 ms a call) and enforces its limits, and the bot sends at
its real pace, so a broadcast of a hundred chats takes seconds and is cut in the middle.

What must hold: nobody gets a highlight twice; after a crash, the only chats left without one
are those whose request was on the wire (at most five at 29 messages/s); after a graceful
stop, nobody, and the process is gone within ten seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlmodel import col

from bot import db
from bot.db import SessionFactory, unit_of_work
from bot.fake_telegram import FakeTelegram
from bot.library.importing import import_records
from bot.models import Chat, Delivery, ReviewTheme
from bot.parsers import ParsedHighlight, ParseResult
from tests.ports import free_port

TOKEN = "4242:stop-test-token"
ROOT = Path(__file__).parents[2]
LATENCY = (0.05, 0.1)
ON_THE_WIRE = 5  # 29 requests/s, each out for at most 100 ms, and a little slack


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, rate_limits=True, latency=LATENCY) as fake:
        yield fake


def libraries_due_now(
    sessions: SessionFactory, chat_ids: Iterable[int], *, review: int = 1
) -> list[int]:
    """A library per chat (one highlight, or a review's worth and one more), every chat due
    a minute ago with reviews of ``review``."""
    chat_ids = list(chat_ids)
    more = range(review) if review > 1 else range(0)
    records = [ParsedHighlight(book_title="Walden", text="Simplify, simplify.")] + [
        ParsedHighlight(book_title="Walden", text=f"Thought {n}.") for n in more
    ]
    with unit_of_work(sessions) as session:
        for chat_id in chat_ids:
            import_records(session, chat_id=chat_id, result=ParseResult("t", records))
    now = datetime.now(UTC)
    with unit_of_work(sessions) as session:
        session.execute(
            update(Chat).values(
                next_due_date=now.date(),
                next_due_at=now - timedelta(minutes=1),
                review_size=review,
            )
        )
    return chat_ids


async def start_bot(
    database_url: str, tg: FakeTelegram, log: Path, *, webhook: bool = False
) -> asyncio.subprocess.Process:
    """``commonplace run`` in a process of its own, logging to ``log``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.url,
        "DATABASE_URL": database_url,
        "DELIVERY_TICK_SECONDS": "1",
        "HEALTH_PORT": str(free_port()),
        "LOG_LEVEL": "INFO",
    }
    if webhook:  # two instances cannot both poll: Telegram answers the second with 409
        env |= {
            "WEBHOOK_URL": "https://bot.example.org",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(free_port()),
        }
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            *(["--webhook"] if webhook else []),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )


def delivered(tg: FakeTelegram, chat_ids: list[int]) -> int:
    return sum(len(tg.sent(chat_id)) for chat_id in chat_ids)


def refused_sends(tg: FakeTelegram) -> list[str]:
    """What Telegram refused of the bot's sends (a killed poll's 409 is no send)."""
    return [error for call, error in tg.failed_requests if call.method == "sendMessage"]


def statuses(sessions: SessionFactory) -> dict[int, str]:
    with sessions() as session:
        rows = session.execute(select(col(Delivery.chat_id), col(Delivery.status))).all()
    return dict(rows)


def settled(sessions: SessionFactory, chat_ids: list[int], *, per_chat: int = 1) -> bool:
    """Every chat's ``per_chat`` deliveries claimed and no longer waiting to be sent."""
    with sessions() as session:
        waiting = session.execute(
            select(func.count()).where(col(Delivery.status).in_(["claimed"]))
        ).scalar_one()
        claimed = session.execute(select(func.count()).select_from(Delivery)).scalar_one()
    return waiting == 0 and claimed == per_chat * len(chat_ids)


async def until_settled(
    tg: FakeTelegram, sessions: SessionFactory, chat_ids: list[int], *, per_chat: int = 1
) -> None:
    deadline = time.monotonic() + 60
    while not settled(sessions, chat_ids, per_chat=per_chat):
        assert time.monotonic() < deadline, f"not settled: {statuses(sessions)}"
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.5)  # the last outcomes' commits


async def stop(process: asyncio.subprocess.Process, how: signal.Signals) -> float:
    """Send ``how`` and wait for the process to end; the seconds it took."""
    start = time.monotonic()
    process.send_signal(how)
    await asyncio.wait_for(process.wait(), timeout=30)
    return time.monotonic() - start


async def broadcast_cut_short(
    sessions: SessionFactory,
    url: str,
    tg: FakeTelegram,
    log: Path,
    chats: range,
    how: signal.Signals,
    *,
    review: int = 1,
) -> tuple[list[int], float]:
    """A bot broadcasting to ``chats``, stopped with ``how`` a second into it; the chats and
    how long the process took to end."""
    chat_ids = libraries_due_now(sessions, chats, review=review)
    process = await start_bot(url, tg, log)
    await tg.wait_until(lambda: delivered(tg, chat_ids) >= 30, timeout=60)
    took = await stop(process, how)
    assert delivered(tg, chat_ids) < len(chat_ids), "the broadcast ended before the stop"
    if how == signal.SIGTERM:
        assert process.returncode == 0
    return chat_ids, took


def assert_nobody_twice_and_lost_only_on_the_wire(
    tg: FakeTelegram, sessions: SessionFactory, chat_ids: list[int]
) -> set[int]:
    counts = {chat_id: len(tg.sent(chat_id)) for chat_id in chat_ids}
    assert max(counts.values()) == 1, "somebody got two daily highlights"
    missing = {chat_id for chat_id, n in counts.items() if n == 0}
    state = statuses(sessions)
    # Only a request that was out when the process died can be missing, and it stays
    # "sending" until the window for it is over (then it turns "unknown", never resent).
    assert missing <= {chat_id for chat_id, status in state.items() if status == "sending"}
    assert len(missing) <= ON_THE_WIRE, f"{len(missing)} chats got nothing"
    assert set(state.values()) <= {"sent", "sending"}
    return missing


async def test_killed_mid_broadcast_only_requests_on_the_wire_go_missing(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    chat_ids, _ = await broadcast_cut_short(
        sessions, engine_url, tg, log, range(1000, 1100), signal.SIGKILL
    )

    second = await start_bot(engine_url, tg, log)
    try:
        await until_settled(tg, sessions, chat_ids)
    finally:
        await stop(second, signal.SIGTERM)
    assert_nobody_twice_and_lost_only_on_the_wire(tg, sessions, chat_ids)
    assert refused_sends(tg) == [], "the bot went over Telegram's limits"


async def test_killed_mid_broadcast_of_reviews_everyone_gets_one_review_message(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    chat_ids, _ = await broadcast_cut_short(
        sessions, engine_url, tg, log, range(4000, 4100), signal.SIGKILL, review=5
    )

    second = await start_bot(engine_url, tg, log)
    try:
        await until_settled(tg, sessions, chat_ids)
    finally:
        await stop(second, signal.SIGTERM)
    missing = assert_nobody_twice_and_lost_only_on_the_wire(tg, sessions, chat_ids)
    # A review of five is one message: its first card, with Next ▶.
    for chat_id in set(chat_ids) - missing:
        [message] = tg.sent(chat_id)
        assert message.body.startswith("1/5\n"), message.body
        assert any(button["text"] == "Next ▶" for button in message.buttons)
    with sessions() as session:
        fixed = session.execute(
            select(col(Delivery.highlight_ids)).where(col(Delivery.chat_id).in_(chat_ids))
        ).scalars()
        assert {len((ids or "").split(",")) for ids in fixed} == {5}
    assert refused_sends(tg) == [], "the bot went over Telegram's limits"


def themes_due_now(sessions: SessionFactory, chat_ids: Iterable[int]) -> None:
    """Each chat's theme ``walden`` (its book) at its own time, due a minute ago."""
    now = datetime.now(UTC)
    with unit_of_work(sessions) as session:
        session.add_all(
            ReviewTheme(
                chat_id=chat_id,
                name="walden",
                query="book:Walden",
                delivery_time="00:00",
                next_due_at=now - timedelta(minutes=1),
                next_due_date=now.date(),
            )
            for chat_id in chat_ids
        )


async def test_killed_mid_broadcast_of_daily_and_themed_reviews_each_comes_once(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    chat_ids = libraries_due_now(sessions, range(5000, 5100))
    themes_due_now(sessions, chat_ids)
    process = await start_bot(engine_url, tg, log)
    await tg.wait_until(lambda: delivered(tg, chat_ids) >= 60, timeout=60)
    await stop(process, signal.SIGKILL)
    assert delivered(tg, chat_ids) < 2 * len(chat_ids), "the broadcast ended before the kill"

    second = await start_bot(engine_url, tg, log)
    try:
        await until_settled(tg, sessions, chat_ids, per_chat=2)
    finally:
        await stop(second, signal.SIGTERM)
    with sessions() as session:
        state = {
            (chat_id, review): status
            for chat_id, review, status in session.execute(
                select(col(Delivery.chat_id), col(Delivery.review), col(Delivery.status))
            )
        }
    missing = []
    for chat_id in chat_ids:
        themed = [m for m in tg.sent(chat_id) if (m.text or "").startswith("🎯 walden\n")]
        daily = [m for m in tg.sent(chat_id) if m not in themed]
        for review, messages in (("daily", daily), ("theme:walden", themed)):
            assert len(messages) <= 1, f"chat {chat_id} got its {review} review twice"
            if not messages:
                missing.append((chat_id, review))
    # As for the daily review alone: only what was on the wire at the kill is missing.
    assert all(state[key] == "sending" for key in missing), missing
    assert len(missing) <= ON_THE_WIRE, f"{len(missing)} reviews never came"
    assert set(state.values()) <= {"sent", "sending"}
    assert refused_sends(tg) == [], "the bot went over Telegram's limits"


async def test_sigterm_mid_broadcast_loses_nothing_and_exits_in_time(
    sessions: SessionFactory, engine_url: str, tg: FakeTelegram, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    chat_ids, took = await broadcast_cut_short(
        sessions, engine_url, tg, log, range(2000, 2100), signal.SIGTERM
    )
    assert took < 10, f"{took:.1f} s from SIGTERM to exit"
    # Stopped cleanly: nothing left half-sent, the rest still claimed or not yet due-claimed.
    assert "sending" not in statuses(sessions).values()
    text = log.read_text()
    assert "Traceback" not in text, text
    assert "Commonplace stopped" in text

    # The rolling restart's new process sends the rest.
    second = await start_bot(engine_url, tg, log)
    try:
        await tg.wait_until(lambda: delivered(tg, chat_ids) == len(chat_ids), timeout=60)
        await asyncio.sleep(1.0)  # nothing more may come
    finally:
        await stop(second, signal.SIGTERM)
    assert all(len(tg.sent(chat_id)) == 1 for chat_id in chat_ids)
    assert set(statuses(sessions).values()) == {"sent"}
    assert refused_sends(tg) == [], "the bot went over Telegram's limits"


@pytest.mark.postgres
async def test_two_instances_one_killed_nobody_twice_nothing_lost_beyond_the_wire(
    clean_postgres_url: str, tg: FakeTelegram, tmp_path: Path
) -> None:
    engine = create_engine(clean_postgres_url)
    sessions = db.session_factory(engine)
    try:
        chat_ids = libraries_due_now(sessions, range(3000, 3200))
        log = tmp_path / "bot.log"
        doomed = await start_bot(clean_postgres_url, tg, log, webhook=True)
        survivor = await start_bot(clean_postgres_url, tg, log, webhook=True)
        try:
            await tg.wait_until(lambda: delivered(tg, chat_ids) >= 60, timeout=60)
            await stop(doomed, signal.SIGKILL)
            assert delivered(tg, chat_ids) < len(chat_ids), "the broadcast ended before the kill"
            await until_settled(tg, sessions, chat_ids)
        finally:
            if doomed.returncode is None:
                await stop(doomed, signal.SIGKILL)
            await stop(survivor, signal.SIGTERM)
        assert_nobody_twice_and_lost_only_on_the_wire(tg, sessions, chat_ids)
    finally:
        engine.dispose()
