"""One claimed delivery taken through its turn, the compare-and-set, its requests and its
outcome: the part of a tick that talks to the messenger."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from sqlmodel import Session

from bot.db import SessionFactory, in_thread
from bot.delivery import claims
from bot.delivery.batcher import Batcher
from bot.delivery.pacer import Pacer
from bot.delivery.sender import OutcomeUnknown, RateLimited, Refused, Rejected, Sender
from bot.library.messages import remember_shown
from bot.library.reviews import Card
from bot.library.themes import theme_of
from bot.library.views import HighlightView, load_owned_views

log = logging.getLogger(__name__)
T = TypeVar("T")
Clock = Callable[[], datetime]

MAX_RETRIES = 5
REQUEST_TIMEOUT = claims.REQUEST_TIMEOUT.total_seconds()


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


@dataclass(slots=True)
class Stopping:
    """The engine's stop, shared with its deliveries: set once, by when the deliveries under
    way must be done, and which deliveries wait for their turn."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    deadline: float = math.inf
    waiting: set[asyncio.Task[Any]] = field(default_factory=set)

    def begin(self, grace: float) -> None:
        """Stop now; the deliveries waiting their turn end at once, still claimed."""
        if self.event.is_set():
            return
        self.deadline = time.monotonic() + grace
        self.event.set()
        for task in self.waiting:
            task.cancel()

    def grace_left(self) -> float:
        """Seconds until the deadline (infinite before a stop)."""
        return max(self.deadline - time.monotonic(), 0.0)


class Courier:
    """Delivers the claims of one tick through one sender; its outcomes go to ``report``."""

    def __init__(
        self,
        *,
        sender: Sender,
        sessions: SessionFactory,
        pacer: Pacer,
        clock: Clock,
        stopping: Stopping,
        report: TickReport,
    ) -> None:
        self._sender = sender
        self._sessions = sessions
        self._pacer = pacer
        self._clock = clock
        self._stopping = stopping
        self.report = report
        # Each batch reads the clock when it runs: a long tick's later sends must not look
        # stale to another instance's ``recover_stale``.
        self._starts: Batcher[claims.Claim, Card | None] = Batcher(
            sessions, partial(_start, clock=clock)
        )
        self._outcomes: Batcher[_Done, None] = Batcher(sessions, partial(_finish, clock=clock))

    async def close(self) -> None:
        """Wait until every outcome is written."""
        await self._starts.close()
        await self._outcomes.close()

    async def _turn(self, chat_id: int) -> list[float] | None:
        """This chat's pacer slot, or None once the engine is stopping."""
        if self._stopping.event.is_set():
            return None
        task = asyncio.current_task()
        assert task is not None
        self._stopping.waiting.add(task)
        try:
            return await self._pacer.slot(chat_id)
        except asyncio.CancelledError:
            # ``stop`` cancels the deliveries still waiting their turn; they end quietly,
            # still claimed. Any other cancellation goes on.
            if self._stopping.event.is_set() and task.uncancel() == 0:
                return None
            raise
        finally:
            self._stopping.waiting.discard(task)

    async def deliver(self, claim: claims.Claim) -> None:
        """Take one claimed delivery through its turn, the compare-and-set and its sends."""
        for _ in range(MAX_RETRIES + 1):
            ticket = await self._turn(claim.chat_id)
            if ticket is None:
                return  # stopping: still claimed, for the next tick of any instance
            # Take the delivery (compare-and-set) and read what to send, in one transaction
            # shared with the other deliveries starting now.
            try:
                card = await self._starts.run(claim)
            except _NotMine:
                self._pacer.answered(ticket, claim.chat_id)
                return
            try:
                done = await self._send(claim, card, ticket)
            except _RateLimited:
                # Nothing of it was sent: back to ``claimed`` while everyone waits.
                self.report.retried += 1
                release = claims.Outcome(claim.delivery_id, claims.CLAIMED, error="rate limited")
                await self._outcomes.run(_Done(claim, release, []))
                continue
            if done is not None:
                await self._outcomes.run(done)
            return

    async def _send(
        self, claim: claims.Claim, card: Card | None, ticket: list[float]
    ) -> _Done | None:
        """Send a taken delivery; its outcome to write (None if another instance wrote it)."""
        outcome: claims.Outcome
        message_ids: list[int] = []
        try:
            if card is None:
                self._pacer.answered(ticket, claim.chat_id)
                raise LookupError("the picked highlight was deleted before it was sent")
            message_ids = await self._send_parts(claim, card, ticket)
        except _Lost:
            return None
        except RateLimited as error:
            # A later part stayed rate limited: the first ones arrived, so it is not resent.
            self.report.retried += 1
            outcome = self._outcome(claim, claims.FAILED, f"gave up mid-way: {error}")
        except Refused as error:
            self.report.refused += 1
            outcome = self._refused(claim, str(error))
        except Rejected as error:
            log.error("Telegram rejected the delivery to chat %s: %s", claim.chat_id, error)
            self.report.refused += 1
            outcome = self._outcome(claim, claims.FAILED, str(error))
        except OutcomeUnknown as error:
            self.report.unknown += 1
            log.warning("delivery to chat %s: outcome unknown (%s)", claim.chat_id, error)
            outcome = self._outcome(claim, claims.UNKNOWN, str(error))
        except LookupError as error:
            outcome = self._outcome(claim, claims.FAILED, str(error))
        else:
            self.report.sent += 1
            outcome = claims.Outcome(claim.delivery_id, claims.SENT, message_id=message_ids[-1])
        return _Done(claim, outcome, message_ids)

    async def _send_parts(self, claim: claims.Claim, card: Card, ticket: list[float]) -> list[int]:
        """Send every part of the review's first card; their message ids.

        The first part goes out on ``ticket``, taken before the delivery was; a 429 for it
        raises ``_RateLimited``. Each later part first renews the delivery's claim to be
        ``sending``, so it never looks abandoned to another instance.
        """
        parts = self._sender.parts(card)
        sent: list[int] = []
        for index, text in enumerate(parts):
            send = partial(
                self._sender.send, claim.chat_id, card, text, last=index == len(parts) - 1
            )
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
            still_mine = await in_thread(
                self._sessions,
                lambda s: claims.renew_sending(s, delivery_id=claim.delivery_id, now=self._clock()),
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
) -> list[Card | None | _NotMine]:
    """Take these deliveries (one compare-and-set) and load their first cards (a few reads)."""
    mine = claims.start_sending_many(
        session, delivery_ids=[c.delivery_id for c in claims_], now=clock()
    )
    views = load_owned_views(
        session, owners={c.highlight_id: c.chat_id for c in claims_ if c.delivery_id in mine}
    )
    return [
        _first_card(c, views.get(c.highlight_id)) if c.delivery_id in mine else _NotMine()
        for c in claims_
    ]


def _first_card(claim: claims.Claim, view: HighlightView | None) -> Card | None:
    if view is None:
        return None
    return Card(claim.delivery_id, 0, claim.size, view, theme=theme_of(claim.review))


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
