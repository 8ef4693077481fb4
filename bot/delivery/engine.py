"""The delivery engine: each tick claims what is due and sends it within Telegram's limits.

The database decides who is due (``claims``); the engine only sends what it could take
with a compare-and-set, so any number of instances can tick at once. Sends are paced under
Telegram's limits (30 messages/s overall, 1/s per chat, 20/minute per group), a 429 pauses
everyone for its ``retry_after``, and a send whose outcome is unknown is never repeated.
A delivery is marked ``sending`` only once its turn has come, so a crash leaves unknown only
the requests that were out, and a graceful ``stop`` leaves none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from bot.db import SessionFactory, in_thread
from bot.delivery import claims, themed
from bot.delivery.courier import Clock, Courier, Stopping, TickReport
from bot.delivery.pacer import Pacer
from bot.delivery.sender import Sender

log = logging.getLogger(__name__)
T = TypeVar("T")

IN_FLIGHT = 128
"""Deliveries taken up at once, most of them waiting for their pacer slot (still
``claimed``): enough to keep the sender busy when Telegram's limit is off."""
STOP_GRACE = 5.0
"""How long a stopping engine waits for the requests it has on the wire."""
CLAIM_BATCH = 50
CLAIM_AHEAD = 4 * CLAIM_BATCH
FETCH_BATCH = 500


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class DeliveryEngine:
    """Claims due deliveries and sends them. One per process; ticks never overlap.

    ``sender`` is how deliveries reach their chats; the engine opens its transport for the
    ticks that send and closes it afterwards. Without one, a tick sends through the sender
    it is given (whose transport its owner keeps open).

    A delivery is ``sending`` only while its request is out: it takes its pacer slot while
    still ``claimed``, and only then the compare-and-set. A crash can therefore leave
    unknown only the requests that were on the wire, never the deliveries waiting their turn.
    """

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        default_timezone: str,
        clock: Clock = utc_now,
        pacer: Pacer | None = None,
        concurrency: int = IN_FLIGHT,
        rng: random.Random | None = None,
        sender: Sender | None = None,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._default_timezone = default_timezone
        self._clock = clock
        self._pacer = pacer or Pacer()
        self._concurrency = concurrency
        self._rng = rng or random.Random()
        self._running = asyncio.Lock()
        self._stopping = Stopping()

    @property
    def sender(self) -> Sender | None:
        """How deliveries reach their chats (None: each tick is given one)."""
        return self._sender

    def now(self) -> datetime:
        """What the engine calls now."""
        return self._clock()

    def stop(self) -> None:
        """Wind down: claim and start nothing more, give requests on the wire ``STOP_GRACE``.

        Deliveries claimed but not yet sent stay ``claimed``, for whichever instance ticks
        next. The tick under way returns once its requests are answered or the grace is over,
        and the claim batch under way has ended.
        """
        self._stopping.begin(STOP_GRACE)

    async def _db(self, work: Callable[[Session], T]) -> T:
        return await in_thread(self._sessions, work)

    async def tick(self, sender: Sender | None = None) -> TickReport:
        """Claim everything due now and send it; skipped if the previous tick still runs.

        Claiming and sending overlap: the first highlights go out while later chats are
        still being claimed, so a large broadcast starts at once and keeps the pacer busy.
        """
        report = TickReport()
        if self._running.locked() or self._stopping.event.is_set():
            return report
        async with self._running:
            now = self._clock()
            zone = self._default_timezone
            report.recovered = await self._db(lambda s: claims.recover_stale(s, now=now))
            for chat_id, day in report.recovered:
                log.warning("delivery to chat %s for %s may or may not have arrived", chat_id, day)
            await self._db(lambda s: claims.schedule_new_chats(s, now=now, default_timezone=zone))
            await self._db(lambda s: themed.schedule_new_themes(s, now=now, default_timezone=zone))
            sender = self._sender or sender
            if sender is None:
                raise ValueError("the engine has no sender of its own: pass one to tick")
            claimed_more = asyncio.Event()
            hungry = asyncio.Event()
            seen: set[int] = set()  # deliveries the sender has taken up this tick
            claiming = asyncio.create_task(self._claim_all(now, report, seen, claimed_more, hungry))
            try:
                async with self._transport(sender):
                    await self._send_claimed(sender, report, seen, claiming, claimed_more, hungry)
            except BaseException:
                claiming.cancel()
                raise
            # Once stopping, the claims end after the batch under way, whose transaction runs
            # on in its thread whether or not it is awaited: waiting for it is what lets the
            # tick end as itself rather than cancelled. Its error, if it failed, is the tick's.
            await claiming
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

    @contextlib.asynccontextmanager
    async def _transport(self, sender: Sender) -> AsyncIterator[None]:
        """Open the engine's own sender's transport for one tick (not one it was given)."""
        if sender is not self._sender:
            yield
            return
        async with sender.transport():
            yield

    async def _until_stopped(self, *waiting: Awaitable[Any]) -> None:
        """Wait for the first of ``waiting`` to finish, or for ``stop``.

        Coroutines among ``waiting`` are run for this wait only (cancelled after it); tasks
        and futures are left to their owners.
        """
        futures = {w for w in waiting if isinstance(w, asyncio.Future)}
        ours = [asyncio.ensure_future(w) for w in waiting if not isinstance(w, asyncio.Future)]
        stopped = asyncio.ensure_future(self._stopping.event.wait())
        try:
            await asyncio.wait({*futures, *ours, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*ours, stopped):
                task.cancel()

    async def _claim_all(
        self,
        now: datetime,
        report: TickReport,
        seen: set[int],
        claimed_more: asyncio.Event,
        hungry: asyncio.Event,
    ) -> None:
        """Claim due chats in small transactions, a little ahead of the sender.

        Claiming only when the sender runs short keeps the claims' database work from
        crowding the event loop (whose sends must leave on time) and leaves the chats not
        yet claimed to any other instance.
        """
        zone = self._default_timezone
        while not self._stopping.event.is_set():
            # Small batches keep each write transaction short, so sends are never held up
            # long behind a claim on SQLite's single writer lock.
            taken, batch = await self._db(
                lambda s: claims.claim_due_batch(
                    s, now=now, default_timezone=zone, limit=CLAIM_BATCH, rng=self._rng
                )
            )
            report.claimed += batch
            claimed_more.set()
            if taken < CLAIM_BATCH:  # not ``batch``: a chat with nothing to send is no end
                await self._claim_themes(now, report, claimed_more)
                return
            # A claim takes a while (most of it waiting for the GIL behind the sends), so
            # stay a few batches ahead of the sender, which would otherwise wait for claims.
            if report.claimed - len(seen) >= CLAIM_AHEAD:
                hungry.clear()
                await self._until_stopped(hungry.wait())

    async def _claim_themes(
        self, now: datetime, report: TickReport, claimed_more: asyncio.Event
    ) -> None:
        """Claim the themed reviews that are due, once the daily ones are claimed."""
        zone = self._default_timezone
        taken = themed.THEME_BATCH
        while taken == themed.THEME_BATCH and not self._stopping.event.is_set():
            taken, batch = await self._db(
                lambda s: themed.claim_due_themes(
                    s, now=now, default_timezone=zone, limit=themed.THEME_BATCH, rng=self._rng
                )
            )
            report.claimed += batch
            claimed_more.set()

    async def _send_claimed(
        self,
        sender: Sender,
        report: TickReport,
        seen: set[int],
        claiming: asyncio.Task[None],
        claimed_more: asyncio.Event,
        hungry: asyncio.Event,
    ) -> None:
        """Send claimed deliveries as they appear, at most ``concurrency`` at a time.

        A delivery is taken once per tick: one still rate limited after ``MAX_RETRIES``
        waits for the next.
        """
        limit = asyncio.Semaphore(self._concurrency)
        courier = Courier(
            sender=sender,
            sessions=self._sessions,
            pacer=self._pacer,
            clock=self._clock,
            stopping=self._stopping,
            report=report,
        )
        running: set[asyncio.Task[None]] = set()

        async def one(claim: claims.Claim) -> None:
            async with limit:
                await courier.deliver(claim)

        while not self._stopping.event.is_set():
            done_claiming = claiming.done()
            claimed_more.clear()
            batch = await self._db(lambda s: claims.claimed(s, limit=FETCH_BATCH))
            fresh = [claim for claim in batch if claim.delivery_id not in seen]
            for claim in fresh:
                seen.add(claim.delivery_id)
                task = asyncio.create_task(one(claim))
                running.add(task)
                task.add_done_callback(running.discard)
            if not fresh and done_claiming:
                break
            # Fetch again once the queue runs short, or when new claims arrive.
            while len(running) > self._concurrency and not self._stopping.event.is_set():
                await self._until_stopped(
                    asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                )
            hungry.set()
            if not fresh and not claiming.done():
                await self._until_stopped(claiming, claimed_more.wait())
        await self._drain(running)
        await courier.close()

    async def _drain(self, running: set[asyncio.Task[None]]) -> None:
        """Wait for the deliveries under way; once stopping, only until the grace is over.

        A request still out then is abandoned: its delivery stays ``sending`` and turns
        ``unknown`` (``claims.recover_stale``), since it may have arrived.
        """
        while running and not self._stopping.event.is_set():
            await self._until_stopped(asyncio.wait(set(running)))
        if not running:
            return
        _, late = await asyncio.wait(set(running), timeout=self._stopping.grace_left())
        for task in late:
            task.cancel()
        if late:
            log.warning(
                "stopped with %s deliveries still sending; their outcome is unknown", len(late)
            )
            await asyncio.gather(*late, return_exceptions=True)
