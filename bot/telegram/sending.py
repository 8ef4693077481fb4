"""Sending a highlight to Telegram: for a handler's answer and for the daily delivery alike."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.sender import OutcomeUnknown, RateLimited, Refused, Rejected
from bot.library.messages import remember_messages
from bot.library.reviews import Card
from bot.library.views import HighlightView
from bot.telegram import render
from bot.telegram.context import Context, transact

GONE = ("chat not found", "bot was kicked", "user is deactivated", "have no rights")
"""Telegram's words for a chat that will never take a message from the bot again."""


async def send_part(
    bot: Bot, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None
) -> Message:
    """Send one rendered part of a highlight; the last one carries its buttons."""
    return await bot.send_message(
        chat_id, html, parse_mode=ParseMode.HTML, reply_markup=keyboard, link_preview_options=None
    )


async def send_parts(
    bot: Bot, chat_id: int, parts: list[str], keyboard: InlineKeyboardMarkup
) -> list[Message]:
    """Send the rendered parts of a highlight or a card in order; the last carries the
    buttons."""
    last = len(parts) - 1
    return [
        await send_part(bot, chat_id, html, keyboard if index == last else None)
        for index, html in enumerate(parts)
    ]


async def send_highlight(context: Context, *, chat_id: int, view: HighlightView) -> list[Message]:
    """Send a highlight (split if long; buttons on the last part) and map its messages."""
    keyboard = render.highlight_keyboard(view, share=context.bot_data.inline_mode)
    sent = await send_parts(context.bot, chat_id, render.highlight_messages(view), keyboard)
    ids = [message.message_id for message in sent]
    await transact(
        context,
        lambda s: remember_messages(s, chat_id=chat_id, message_ids=ids, highlight_id=view.id),
    )
    return sent


class TelegramSender:
    """The delivery engine's way to Telegram: one ``Bot``, its errors told apart.

    Give it a plain ``Bot`` without ``AIORateLimiter``: the limiter's own retries would
    bypass the engine's pacer and turn one 429 into a storm.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.share = False
        """Whether highlights carry ↗ Share: the bot's inline mode is on (getMe says so)."""

    @contextlib.asynccontextmanager
    async def transport(self) -> AsyncIterator[None]:
        """Open the bot's HTTP transport, and only that.

        ``Bot.initialize`` would also ask Telegram ``getMe``, which sending does not need.
        """
        await self.bot.request.initialize()  # the one sendMessage uses; no getUpdates here
        try:
            yield
        finally:
            await self.bot.request.shutdown()

    def parts(self, card: Card) -> list[str]:
        """The review's first card as Telegram messages."""
        return render.review_messages(card)

    async def send(self, chat_id: int, card: Card, text: str, *, last: bool) -> int:
        """Send one part; PTB's errors become the engine's."""
        keyboard = render.review_keyboard(card, share=self.share) if last else None
        try:
            message = await send_part(self.bot, chat_id, text, keyboard)
        except RetryAfter as error:
            wait = error.retry_after
            raise RateLimited(
                wait.total_seconds() if isinstance(wait, timedelta) else wait
            ) from error
        except Forbidden as error:
            raise Refused(str(error)) from error
        except BadRequest as error:  # before NetworkError, of which it is one
            if any(reason in error.message.lower() for reason in GONE):
                raise Refused(error.message) from error
            raise Rejected(error.message) from error
        except (TimedOut, NetworkError) as error:
            raise OutcomeUnknown(str(error) or type(error).__name__) from error
        return message.message_id
