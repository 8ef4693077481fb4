"""Telegram's flood limits for bots, as sliding windows.

Telegram documents about 30 messages per second overall, one per second to a private chat and
20 per minute to a group. It tolerates short bursts in practice; the fake does not, so a bot
that passes here stays inside the documented limits. Only sent messages count (sendMessage,
sendDocument, sendPhoto), not edits or other calls.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from .models import ApiError

OVERALL_PER_SECOND = 30
PRIVATE_PER_SECOND = 1
GROUP_PER_MINUTE = 20


class _Window:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.stamps: deque[float] = deque()

    def wait_needed(self, now: float) -> float:
        """Seconds until one more event fits, 0 when it fits now."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.seconds - now


class FloodControl:
    """Counts sent messages and refuses one that would exceed a limit with a 429."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._overall = _Window(OVERALL_PER_SECOND, 1.0)
        self._chats: dict[int, _Window] = {}

    def admit(self, chat_id: int) -> None:
        """Record a message to ``chat_id``, or raise ApiError 429 with ``retry_after``."""
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            # Negative ids are groups and channels, positive ones private chats.
            chat = (
                _Window(GROUP_PER_MINUTE, 60.0) if chat_id < 0 else _Window(PRIVATE_PER_SECOND, 1.0)
            )
            self._chats[chat_id] = chat
        wait = max(self._overall.wait_needed(now), chat.wait_needed(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )
        self._overall.stamps.append(now)
        chat.stamps.append(now)
