"""Telegram's errors: a 429 is waited out, a 403 or a 500 does not stop the bot."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from sqlalchemy import Engine, select, update
from sqlmodel import col

from bot.app import build_application
from bot.db import SessionFactory
from bot.fake_telegram import FakeTelegram
from bot.models import Chat, Delivery
from tests.telegram.harness import (
    ALICE,
    BOB,
    START,
    BotHarness,
    quote,
    running_bot,
    settings_for,
    sqlite_only,
)

HELP_START = "📖 Commonplace brings your book highlights back into your life."


@sqlite_only
async def test_a_429_is_retried_after_retry_after_and_the_message_arrives(bot: BotHarness) -> None:
    bot.tg.fail_next("sendMessage", retry_after=1, chat_id=ALICE)

    reply = await bot.send(ALICE, "/help")

    assert reply.body.startswith(HELP_START)
    assert [description for _, description in bot.tg.failed_requests] == [
        "Too Many Requests: retry after 1"
    ]
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == 1  # retried once, delivered once


@sqlite_only
async def test_a_403_does_not_stop_the_bot(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Still here.")])
    bot.tg.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user"
    )
    mark = bot.mark()
    bot.tg.user_sends(ALICE, "/random")
    await bot.settle()
    assert bot.calls_since(mark) == ["sendMessage"]  # refused, not retried
    assert bot.tg.sent(ALICE) == []

    assert (await bot.send(ALICE, "/random")).body.startswith("Still here.\n")
    assert (await bot.send(BOB, "/help")).body.startswith(HELP_START)


@sqlite_only
async def test_a_server_error_does_not_stop_the_bot(bot: BotHarness) -> None:
    bot.tg.fail_next("sendMessage", status=500, chat_id=ALICE)
    bot.tg.user_sends(ALICE, "/help")
    await bot.settle()

    assert (await bot.send(ALICE, "/help")).body.startswith(HELP_START)


@sqlite_only
async def test_a_request_telegram_rejects_is_logged_and_the_reader_told(bot: BotHarness) -> None:
    # What Telegram answers when the bot sends broken HTML: a bug to report, not to swallow.
    bot.tg.fail_next(
        "sendMessage",
        status=400,
        description='Bad Request: can\'t parse entities: Unsupported start tag "x" at byte 0',
        chat_id=ALICE,
    )

    reply = await bot.send(ALICE, "/help")

    assert reply.text == "😵 Something went wrong on my side. Please try again in a moment."
    await bot.settle()
    assert [record.getMessage() for record in bot.logged_errors] == ["update 1 failed"]
    bot.logged_errors.clear()
    assert (await bot.send(ALICE, "/help")).body.startswith(HELP_START)


@sqlite_only
async def test_no_delivery_tick_starts_once_the_bot_is_stopping(
    engine: Engine, sessions: SessionFactory
) -> None:
    # A tick that started while the bot stops would be cancelled when the scheduler shuts
    # down, halfway through its database work, and logged as a crash.
    started_while_stopping: list[datetime] = []
    async with running_bot(engine, sessions) as bot:
        bot.seed(ALICE, [quote("Slow but sure.")])
        due = update(Chat).values(next_due_at=START, next_due_date=START.date())
        bot.db(lambda s: s.execute(due))
        assert bot.app.job_queue is not None

        def submitted(event: JobSubmissionEvent) -> None:
            if not bot.app.running:
                started_while_stopping.extend(event.scheduled_run_times)

        bot.app.job_queue.scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)
        # Each send now takes longer than a tick, so the tick under way when the bot stops
        # outlasts the next one's time.
        bot.tg.latency = (2.5, 2.5)
        bot.clock.now = START + timedelta(seconds=5)

        def sending() -> bool:
            statuses = bot.db(lambda s: s.execute(select(col(Delivery.status))).scalars().all())
            return "sending" in statuses

        await bot.tg.wait_until(sending, timeout=10)
    assert started_while_stopping == []
    assert [message.body for message in bot.tg.sent(ALICE)] == [
        "Slow but sure.\n— Siddhartha, Hermann Hesse"
    ]


@sqlite_only
async def test_a_long_poll_cancelled_anywhere_leaves_getupdates_a_connection(
    engine: Engine, sessions: SessionFactory
) -> None:
    # The bot cancels its long poll when it stops, then calls getUpdates once more so that
    # Telegram forgets the updates already handled. Cancelled at some points on the way (as
    # it connects), httpcore loses the poll's connection for good; that last call must still
    # find one. Each bot below has its poll cancelled a few more event-loop steps into it.
    async with FakeTelegram(token="5:poll") as tg:
        config = settings_for(tg, engine)
        for steps in range(40):
            app = build_application(config, sessions)
            async with app.bot:
                poll = asyncio.create_task(app.bot.get_updates(timeout=0))
                for _ in range(steps):
                    await asyncio.sleep(0)
                poll.cancel()
                await asyncio.gather(poll, return_exceptions=True)
                assert await app.bot.get_updates(timeout=0) == (), f"cancelled after {steps}"
