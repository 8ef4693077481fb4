"""The delivery engine: each tick claims what is due and sends it within Telegram's limits.

The database decides who is due (``claims``); the engine only sends what it could take
with a compare-and-set, so any number of instances can tick at once. Sends are paced under
Telegram's limits (30 messages/s overall, 1/s per chat, 20/minute per group), a 429 pauses
everyone for its ``retry_after``, and a send whose outcome is unknown is never repeated.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlmodel import Session
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.db import SessionFactory, unit_of_work
from bot.delivery import claims
from bot.library.browsing import get_highlight
from bot.library.messages import remember_messages
from bot.library.views import HighlightView
from bot.telegram import render

log = logging.getLogger(__name__)
T = TypeVar("T")
Clock = Callable[[], datetime]

OVERALL_PER_SECOND = 29.0
"""Just under Telegram's 30/s, so a sliding one-second window never sees 31."""
PRIVATE_SPACING = 1.0
GROUP_SPACING = 3.0  # 20 per minute
MAX_RETRIES = 5
GONE = ("chat not found", "bot was kicked", "user is deactivated", "have no rights")


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Pacer:
    """Hands out send slots: evenly spaced overall, and spaced per chat."""

    def __init__(self, per_second: float = OVERALL_PER_SECOND) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def slot(self, chat_id: int) -> None:
        """Wait for this chat's next turn."""
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next, self._chat_next.get(chat_id, 0.0))
            self._next = start + self._interval
            self._chat_next[chat_id] = start + (GROUP_SPACING if chat_id < 0 else PRIVATE_SPACING)
            if len(self._chat_next) > 50_000:
                self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        await asyncio.sleep(start - now)

    def pause(self, seconds: float) -> None:
        """Telegram asked everyone to wait (429)."""
        self._next = max(self._next, time.monotonic() + seconds)


@dataclass(slots=True)
class TickReport:
    """What one tick did."""

    claimed: int = 0
    sent: int = 0
    unknown: int = 0
    refused: int = 0
    retried: int = 0
    recovered: list[tuple[int, date]] = field(default_factory=list)
    """Sends a dead process left in flight, now marked unknown (chat, local date)."""


class DeliveryEngine:
    """Claims due deliveries and sends them. One per process; ticks never overlap."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        default_timezone: str,
        clock: Clock = utc_now,
        pacer: Pacer | None = None,
        concurrency: int = 64,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._default_timezone = default_timezone
        self._clock = clock
        self._pacer = pacer or Pacer()
        self._concurrency = concurrency
        self._rng = rng or random.Random()
        self._running = asyncio.Lock()

    def now(self) -> datetime:
        """What the engine calls now."""
        return self._clock()

    async def _db(self, work: Callable[[Session], T]) -> T:
        def run() -> T:
            with unit_of_work(self._sessions) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def tick(self, bot: Bot) -> TickReport:
        """Claim everything due now and send it; skipped if the previous tick still runs."""
        report = TickReport()
        if self._running.locked():
            return report
        async with self._running:
            now = self._clock()
            zone = self._default_timezone
            report.recovered = await self._db(lambda s: claims.recover_stale(s, now=now))
            for chat_id, day in report.recovered:
                log.warning("delivery to chat %s for %s may or may not have arrived", chat_id, day)
            await self._db(lambda s: claims.schedule_new_chats(s, now=now, default_timezone=zone))
            while True:
                batch = await self._db(
                    lambda s: claims.claim_due(
                        s, now=now, default_timezone=zone, limit=500, rng=self._rng
                    )
                )
                report.claimed += batch
                if batch < 500:
                    break
            await self._send_claimed(bot, report)
        if report.claimed or report.recovered:
            log.info(
                "delivery tick: %s claimed, %s sent, %s unknown, %s refused, %s retried",
                report.claimed,
                report.sent,
                report.unknown,
                report.refused,
                report.retried,
            )
        return report

    async def _send_claimed(self, bot: Bot, report: TickReport) -> None:
        limit = asyncio.Semaphore(self._concurrency)

        async def one(claim: claims.Claim) -> None:
            async with limit:
                await self._deliver(bot, claim, report)

        while batch := await self._db(lambda s: claims.claimed(s, limit=2000)):
            await asyncio.gather(*(one(claim) for claim in batch))
            if len(batch) < 2000:
                break

    async def _deliver(self, bot: Bot, claim: claims.Claim, report: TickReport) -> None:
        now = self._clock()
        mine = await self._db(
            lambda s: claims.start_sending(s, delivery_id=claim.delivery_id, now=now)
        )
        if not mine:
            return
        view = await self._db(
            lambda s: get_highlight(s, chat_id=claim.chat_id, highlight_id=claim.highlight_id)
        )
        outcome: Callable[[Session], object]
        try:
            if view is None:
                raise LookupError("the picked highlight was deleted before it was sent")
            message_ids = await self._send_parts(bot, claim.chat_id, view)
        except RetryAfter as error:
            report.retried += 1
            outcome = self._finish_later(claim, f"rate limited: {error}")
        except Forbidden as error:
            report.refused += 1
            outcome = self._refused(claim, str(error))
        except BadRequest as error:
            if any(reason in error.message.lower() for reason in GONE):
                report.refused += 1
                outcome = self._refused(claim, error.message)
            else:
                log.error("Telegram rejected the delivery to chat %s: %s", claim.chat_id, error)
                report.refused += 1
                outcome = self._failed(claim, error.message)
        except (TimedOut, NetworkError) as error:
            report.unknown += 1
            outcome = self._unknown(claim, str(error) or type(error).__name__)
        except LookupError as error:
            outcome = self._failed(claim, str(error))
        else:
            report.sent += 1
            outcome = self._sent(claim, message_ids)
        await self._db(outcome)

    async def _send_parts(self, bot: Bot, chat_id: int, view: HighlightView) -> list[int]:
        """Send every part of the highlight, buttons on the last; their message ids."""
        parts = render.highlight_messages(view)
        sent: list[int] = []
        for index, html in enumerate(parts):
            last = index == len(parts) - 1
            keyboard = render.highlight_keyboard(view) if last else None
            send = partial(
                bot.send_message, chat_id, html, parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
            message = await self._with_retries(send, chat_id)
            sent.append(message.message_id)
        return sent

    async def _with_retries(self, call: Callable[[], Awaitable[T]], chat_id: int) -> T:
        for attempt in range(MAX_RETRIES + 1):
            await self._pacer.slot(chat_id)
            try:
                return await call()
            except RetryAfter as error:
                seconds = _seconds(error.retry_after)
                self._pacer.pause(seconds)
                if attempt == MAX_RETRIES:
                    raise
                log.warning("Telegram asked to wait %.0f s; all sends pause", seconds)
        raise AssertionError("unreachable")

    def _sent(self, claim: claims.Claim, message_ids: list[int]) -> Callable[[Session], None]:
        now = self._clock()

        def work(session: Session) -> None:
            claims.mark_sent(
                session, delivery_id=claim.delivery_id, message_id=message_ids[-1], now=now
            )
            remember_messages(
                session,
                chat_id=claim.chat_id,
                message_ids=message_ids,
                highlight_id=claim.highlight_id,
            )

        return work

    def _unknown(self, claim: claims.Claim, error: str) -> Callable[[Session], None]:
        now = self._clock()
        log.warning("delivery to chat %s: outcome unknown (%s)", claim.chat_id, error)
        return lambda s: claims.mark_unknown(s, delivery_id=claim.delivery_id, error=error, now=now)

    def _refused(self, claim: claims.Claim, error: str) -> Callable[[Session], None]:
        now = self._clock()
        log.info("chat %s refused delivery (%s); it is now inactive", claim.chat_id, error)
        return lambda s: claims.mark_refused(
            s, delivery_id=claim.delivery_id, chat_id=claim.chat_id, error=error, now=now
        )

    def _failed(self, claim: claims.Claim, error: str) -> Callable[[Session], None]:
        now = self._clock()
        return lambda s: claims.mark_failed(s, delivery_id=claim.delivery_id, error=error, now=now)

    def _finish_later(self, claim: claims.Claim, error: str) -> Callable[[Session], None]:
        now = self._clock()
        return lambda s: claims.release(s, delivery_id=claim.delivery_id, error=error, now=now)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
