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
import math
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from bot.db import SessionFactory, in_thread
from bot.delivery import claims
from bot.delivery.sender import OutcomeUnknown, RateLimited, Refused, Rejected, Sender
from bot.library.messages import remember_shown
from bot.library.views import HighlightView, load_owned_views

log = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")
Result = TypeVar("Result")
Clock = Callable[[], datetime]

OVERALL_PER_SECOND = 29.0
"""Just under Telegram's 30/s, so a sliding one-second window never sees 31."""
PRIVATE_SPACING = 1.0
GROUP_SPACING = 3.0  # 20 per minute
MAX_RETRIES = 5
IN_FLIGHT = 128
"""Deliveries taken up at once, most of them waiting for their pacer slot (still
``claimed``): enough to keep the sender busy when Telegram's limit is off."""
REQUEST_TIMEOUT = claims.REQUEST_TIMEOUT.total_seconds()
STOP_GRACE = 5.0
"""How long a stopping engine waits for the requests it has on the wire."""
CLAIM_BATCH = 50
CLAIM_AHEAD = 4 * CLAIM_BATCH
FETCH_BATCH = 500


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Pacer:
    """Hands out send slots: evenly spaced overall, and spaced per chat.

    Telegram counts a message when it arrives, which can be later than planned: a send held
    up by a busy event loop arrives together with the next ones. So beside the plan, every
    send is counted from its departure until a second after its answer came back (by then
    it had certainly arrived): a new send leaves only while fewer than ``per_second + 1``
    sends are counted, and a chat's next message leaves only a full spacing after the
    answer to its previous one. No second of arrivals can then hold more than the limit.
    """

    def __init__(self, per_second: float = OVERALL_PER_SECOND) -> None:
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._chat_next: dict[int, float] = {}
        self._lock = asyncio.Lock()
        self._limit = math.floor(per_second) + 1  # Telegram's 30 for the default 29/s
        self._recent: deque[list[float]] = deque()  # [answered at], math.inf while in flight

    async def slot(self, chat_id: int) -> list[float]:
        """Wait for this chat's next turn; pass the result to ``answered`` afterwards."""
        # First the chat's own spacing, then a place in the overall plan: a chat that must
        # wait (the second part of a long highlight) then holds no other chat up, where
        # taking its place first would move the whole plan to that chat's turn.
        while True:
            if (wait := self._chat_next.get(chat_id, 0.0) - time.monotonic()) > 0:
                await asyncio.sleep(wait)
                continue
            async with self._lock:
                now = time.monotonic()
                if self._chat_next.get(chat_id, 0.0) > now:
                    continue  # another send to this chat took its turn meanwhile
                start = max(now, self._next)
                self._next = start + self._interval
                self._chat_next[chat_id] = start + _spacing(chat_id)
                if len(self._chat_next) > 50_000:
                    self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
                break
        await asyncio.sleep(start - now)
        while True:
            now = time.monotonic()
            while self._recent and self._recent[0][0] <= now - 1.0:
                self._recent.popleft()
            # Answers come back out of order, so some kept sends may have left the window
            # already; counting them is needed only when as many are kept as the limit.
            counted: list[float] = []
            if len(self._recent) >= self._limit:
                counted = [answered for (answered,) in self._recent if answered > now - 1.0]
            if len(counted) < self._limit:
                ticket = [math.inf]
                self._recent.append(ticket)
                return ticket
            settled = [answered for answered in counted if answered != math.inf]
            # Wait until the oldest answered send leaves the window, or an answer comes.
            await asyncio.sleep(min(settled) + 1.0 - now if settled else 0.005)

    def answered(self, ticket: list[float], chat_id: int) -> None:
        """The send of ``ticket`` is answered (or failed): it has arrived by now."""
        now = time.monotonic()
        ticket[0] = now
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), now + _spacing(chat_id))

    def pause(self, seconds: float) -> None:
        """Telegram asked everyone to wait (429)."""
        self._next = max(self._next, time.monotonic() + seconds)


def _spacing(chat_id: int) -> float:
    return GROUP_SPACING if chat_id < 0 else PRIVATE_SPACING


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
        self._stopping = asyncio.Event()
        self._stop_deadline = math.inf
        self._awaiting_turn: set[asyncio.Task[Any]] = set()

    def now(self) -> datetime:
        """What the engine calls now."""
        return self._clock()

    def stop(self) -> None:
        """Wind down: claim and start nothing more, give requests on the wire ``STOP_GRACE``.

        Deliveries claimed but not yet sent stay ``claimed``, for whichever instance ticks
        next. The tick under way returns once its requests are answered or the grace is over.
        """
        if not self._stopping.is_set():
            self._stop_deadline = time.monotonic() + STOP_GRACE
            self._stopping.set()
            for task in self._awaiting_turn:
                task.cancel()

    async def _db(self, work: Callable[[Session], T]) -> T:
        return await in_thread(self._sessions, work)

    async def tick(self, sender: Sender | None = None) -> TickReport:
        """Claim everything due now and send it; skipped if the previous tick still runs.

        Claiming and sending overlap: the first highlights go out while later chats are
        still being claimed, so a large broadcast starts at once and keeps the pacer busy.
        """
        report = TickReport()
        if self._running.locked() or self._stopping.is_set():
            return report
        async with self._running:
            now = self._clock()
            zone = self._default_timezone
            report.recovered = await self._db(lambda s: claims.recover_stale(s, now=now))
            for chat_id, day in report.recovered:
                log.warning("delivery to chat %s for %s may or may not have arrived", chat_id, day)
            await self._db(lambda s: claims.schedule_new_chats(s, now=now, default_timezone=zone))
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
            finally:
                if not claiming.done():
                    claiming.cancel()
            await claiming  # its error, if it failed, is the tick's
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
        stopped = asyncio.ensure_future(self._stopping.wait())
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
        while not self._stopping.is_set():
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
                return
            # A claim takes a while (most of it waiting for the GIL behind the sends), so
            # stay a few batches ahead of the sender, which would otherwise wait for claims.
            if report.claimed - len(seen) >= CLAIM_AHEAD:
                hungry.clear()
                await self._until_stopped(hungry.wait())

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
        # Each batch reads the clock when it runs: a long tick's later sends must not look
        # stale to another instance's ``recover_stale``.
        starts: _Batcher[claims.Claim, HighlightView | None] = _Batcher(
            self._sessions, partial(_start, clock=self._clock)
        )
        outcomes: _Batcher[_Done, None] = _Batcher(
            self._sessions, partial(_finish, clock=self._clock)
        )
        running: set[asyncio.Task[None]] = set()

        async def one(claim: claims.Claim) -> None:
            async with limit:
                await self._deliver(sender, claim, report, starts, outcomes)

        while not self._stopping.is_set():
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
            while len(running) > self._concurrency and not self._stopping.is_set():
                await self._until_stopped(
                    asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                )
            hungry.set()
            if not fresh and not claiming.done():
                await self._until_stopped(claiming, claimed_more.wait())
        await self._drain(running)
        await starts.close()
        await outcomes.close()

    async def _drain(self, running: set[asyncio.Task[None]]) -> None:
        """Wait for the deliveries under way; once stopping, only until the grace is over.

        A request still out then is abandoned: its delivery stays ``sending`` and turns
        ``unknown`` (``claims.recover_stale``), since it may have arrived.
        """
        while running and not self._stopping.is_set():
            await self._until_stopped(asyncio.wait(set(running)))
        if not running:
            return
        _, late = await asyncio.wait(
            set(running), timeout=max(self._stop_deadline - time.monotonic(), 0.0)
        )
        for task in late:
            task.cancel()
        if late:
            log.warning(
                "stopped with %s deliveries still sending; their outcome is unknown", len(late)
            )
            await asyncio.gather(*late, return_exceptions=True)

    async def _turn(self, chat_id: int) -> list[float] | None:
        """This chat's pacer slot, or None once the engine is stopping."""
        if self._stopping.is_set():
            return None
        task = asyncio.current_task()
        assert task is not None
        self._awaiting_turn.add(task)
        try:
            return await self._pacer.slot(chat_id)
        except asyncio.CancelledError:
            # ``stop`` cancels the deliveries still waiting their turn; they end quietly,
            # still claimed. Any other cancellation goes on.
            if self._stopping.is_set() and task.uncancel() == 0:
                return None
            raise
        finally:
            self._awaiting_turn.discard(task)

    async def _deliver(
        self,
        sender: Sender,
        claim: claims.Claim,
        report: TickReport,
        starts: _Batcher[claims.Claim, HighlightView | None],
        outcomes: _Batcher[_Done, None],
    ) -> None:
        for _ in range(MAX_RETRIES + 1):
            ticket = await self._turn(claim.chat_id)
            if ticket is None:
                return  # stopping: still claimed, for the next tick of any instance
            # Take the delivery (compare-and-set) and read what to send, in one transaction
            # shared with the other deliveries starting now.
            try:
                view = await starts.run(claim)
            except _NotMine:
                self._pacer.answered(ticket, claim.chat_id)
                return
            try:
                done = await self._send(sender, claim, view, ticket, report)
            except _RateLimited:
                # Nothing of it was sent: back to ``claimed`` while everyone waits.
                report.retried += 1
                release = claims.Outcome(claim.delivery_id, claims.CLAIMED, error="rate limited")
                await outcomes.run(_Done(claim, release, []))
                continue
            if done is not None:
                await outcomes.run(done)
            return

    async def _send(
        self,
        sender: Sender,
        claim: claims.Claim,
        view: HighlightView | None,
        ticket: list[float],
        report: TickReport,
    ) -> _Done | None:
        """Send a taken delivery; its outcome to write (None if another instance wrote it)."""
        outcome: claims.Outcome
        message_ids: list[int] = []
        try:
            if view is None:
                self._pacer.answered(ticket, claim.chat_id)
                raise LookupError("the picked highlight was deleted before it was sent")
            message_ids = await self._send_parts(sender, claim, view, ticket)
        except _Lost:
            return None
        except RateLimited as error:
            # A later part stayed rate limited: the first ones arrived, so it is not resent.
            report.retried += 1
            outcome = self._outcome(claim, claims.FAILED, f"gave up mid-way: {error}")
        except Refused as error:
            report.refused += 1
            outcome = self._refused(claim, str(error))
        except Rejected as error:
            log.error("Telegram rejected the delivery to chat %s: %s", claim.chat_id, error)
            report.refused += 1
            outcome = self._outcome(claim, claims.FAILED, str(error))
        except OutcomeUnknown as error:
            report.unknown += 1
            log.warning("delivery to chat %s: outcome unknown (%s)", claim.chat_id, error)
            outcome = self._outcome(claim, claims.UNKNOWN, str(error))
        except LookupError as error:
            outcome = self._outcome(claim, claims.FAILED, str(error))
        else:
            report.sent += 1
            outcome = claims.Outcome(claim.delivery_id, claims.SENT, message_id=message_ids[-1])
        return _Done(claim, outcome, message_ids)

    async def _send_parts(
        self, sender: Sender, claim: claims.Claim, view: HighlightView, ticket: list[float]
    ) -> list[int]:
        """Send every part of the highlight; their message ids.

        The first part goes out on ``ticket``, taken before the delivery was; a 429 for it
        raises ``_RateLimited``. Each later part first renews the delivery's claim to be
        ``sending``, so it never looks abandoned to another instance.
        """
        parts = sender.parts(view)
        sent: list[int] = []
        for index, text in enumerate(parts):
            send = partial(sender.send, claim.chat_id, view, text, last=index == len(parts) - 1)
            if index == 0:
                try:
                    sent.append(await self._request(send, claim.chat_id, ticket))
                except RateLimited as error:
                    raise _RateLimited from error
            else:
                sent.append(await self._later_part(send, claim))
        return sent

    async def _later_part(self, call: Callable[[], Awaitable[T]], claim: claims.Claim) -> T:
        for attempt in range(MAX_RETRIES + 1):
            ticket = await self._pacer.slot(claim.chat_id)
            still_mine = await self._db(
                lambda s: claims.renew_sending(s, delivery_id=claim.delivery_id, now=self._clock())
            )
            if not still_mine:
                self._pacer.answered(ticket, claim.chat_id)
                log.warning("delivery to chat %s was given up mid-way", claim.chat_id)
                raise _Lost
            try:
                return await self._request(call, claim.chat_id, ticket)
            except RateLimited:
                if attempt == MAX_RETRIES:
                    raise
        raise AssertionError("unreachable")

    async def _request(
        self, call: Callable[[], Awaitable[T]], chat_id: int, ticket: list[float]
    ) -> T:
        """Make one request on ``ticket``, out for at most ``REQUEST_TIMEOUT``."""
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                return await call()
        except TimeoutError as error:
            raise OutcomeUnknown(f"no answer within {REQUEST_TIMEOUT:.0f} s") from error
        except RateLimited as error:
            self._pacer.pause(error.retry_after)
            log.warning("Telegram asked to wait %.0f s; all sends pause", error.retry_after)
            raise
        finally:
            self._pacer.answered(ticket, chat_id)

    @staticmethod
    def _outcome(claim: claims.Claim, status: str, error: str) -> claims.Outcome:
        return claims.Outcome(claim.delivery_id, status, error=error)

    @staticmethod
    def _refused(claim: claims.Claim, error: str) -> claims.Outcome:
        log.info("chat %s refused delivery (%s); it is now inactive", claim.chat_id, error)
        return claims.Outcome(
            claim.delivery_id, claims.FAILED, error=error, refused_chat=claim.chat_id
        )


class _RateLimited(Exception):
    """Telegram refused the first part with a 429: nothing of the delivery was sent."""


class _Lost(Exception):
    """Another instance declared this delivery abandoned; it must not be sent further."""


class _NotMine(Exception):
    """Another process took this delivery first."""


@dataclass(frozen=True, slots=True)
class _Done:
    claim: claims.Claim
    outcome: claims.Outcome
    message_ids: list[int]


def _start(
    session: Session, claims_: list[claims.Claim], *, clock: Clock
) -> list[HighlightView | None | _NotMine]:
    """Take these deliveries (one compare-and-set) and load their highlights (a few reads)."""
    mine = claims.start_sending_many(
        session, delivery_ids=[c.delivery_id for c in claims_], now=clock()
    )
    views = load_owned_views(
        session, owners={c.highlight_id: c.chat_id for c in claims_ if c.delivery_id in mine}
    )
    return [views.get(c.highlight_id) if c.delivery_id in mine else _NotMine() for c in claims_]


def _finish(session: Session, done: list[_Done], *, clock: Clock) -> list[None]:
    """Write these outcomes, and which messages show which highlight, in a few statements."""
    claims.finish_many(session, outcomes=[d.outcome for d in done], now=clock())
    remember_shown(
        session,
        shown=[
            (d.claim.chat_id, message_id, d.claim.highlight_id)
            for d in done
            if d.outcome.status == claims.SENT
            for message_id in d.message_ids
        ],
    )
    return [None] * len(done)


class _Batcher(Generic[Item, Result]):
    """Runs many deliveries' database work as one set-based unit: one commit for many.

    ``work(session, items)`` returns one result per item (an exception instance is raised
    to that item's caller). Items that arrive within a few milliseconds share a batch
    (SQLite has one writer at a time, and each commit costs a sync); if a batch fails, its
    items are run again one by one, so one bad row never costs the others.
    """

    def __init__(
        self,
        sessions: SessionFactory,
        work: Callable[[Session, list[Item]], list[Any]],
        *,
        delay: float = 0.005,
        size: int = 64,
    ) -> None:
        self._sessions = sessions
        self._work = work
        self._delay = delay
        self._size = size
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def run(self, item: Item) -> Result:
        """Put ``item`` in the next batch; its result once committed."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._pending:
            if len(self._pending) < self._size:
                await asyncio.sleep(self._delay)  # let work arriving now join this batch
            batch, self._pending = self._pending[: self._size], self._pending[self._size :]
            try:
                results = await self._commit([item for item, _ in batch])
            except Exception:  # noqa: BLE001 - retried one by one below, errors kept per row
                for item, done in batch:
                    try:
                        [result] = await self._commit([item])
                    except Exception as error:  # noqa: BLE001 - handed to the one who waits
                        _settle(done, error)
                    else:
                        _settle(done, result)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                _settle(done, result)

    async def _commit(self, items: list[Item]) -> list[Any]:
        return await in_thread(self._sessions, lambda session: self._work(session, items))

    async def close(self) -> None:
        """Wait until everything queued is committed."""
        if self._flushing is not None:
            await self._flushing


def _settle(done: asyncio.Future[Any], result: Any) -> None:
    if done.done():  # its caller may have been cancelled meanwhile
        return
    if isinstance(result, BaseException):
        done.set_exception(result)
    else:
        done.set_result(result)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
