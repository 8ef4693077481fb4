"""What the delivery engine needs from a messenger: the ``Sender`` protocol and its errors.

The engine decides what to do with each outcome (retry, hand back, give up, deactivate a
chat); a sender only tells them apart. ``bot.telegram.sending.TelegramSender`` is the one the
bot uses.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.library.reviews import Card


class SendError(Exception):
    """A message was not confirmed as sent."""


class RateLimited(SendError):
    """The messenger asked everyone to wait ``retry_after`` seconds; nothing was sent."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


class Refused(SendError):
    """The chat refuses the bot for good (blocked it, left, was deleted)."""


class Rejected(SendError):
    """This message was refused; the chat itself is fine."""


class OutcomeUnknown(SendError):
    """No answer came: the message may or may not have arrived."""


class Sender(Protocol):
    """How the delivery engine reaches a chat."""

    def transport(self) -> AbstractAsyncContextManager[None]:
        """The connection, open while a tick sends through this sender."""
        ...

    def parts(self, card: Card) -> list[str]:
        """The messages that show a review's first card, in order (more than one when a
        review of one highlight is long)."""
        ...

    async def send(self, chat_id: int, card: Card, text: str, *, last: bool) -> int:
        """Send one part (``last`` carries the card's buttons); its message id."""
        ...
