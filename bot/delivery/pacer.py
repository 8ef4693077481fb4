"""Send slots within Telegram's limits: 30 messages/s overall, 1/s per chat, 20/minute per
group."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

OVERALL_PER_SECOND = 29.0
"""Just under Telegram's 30/s, so a sliding one-second window never sees 31."""
PRIVATE_SPACING = 1.0
GROUP_SPACING = 3.0  # 20 per minute


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
