"""Sending a highlight: render, send every part, remember which messages show it."""

from __future__ import annotations

from telegram import Message
from telegram.constants import ParseMode

from bot.library.messages import remember_messages
from bot.library.views import HighlightView
from bot.telegram import render
from bot.telegram.context import Context, transact


async def send_highlight(context: Context, *, chat_id: int, view: HighlightView) -> list[Message]:
    """Send a highlight (split if long; buttons on the last part) and map its messages."""
    parts = render.highlight_messages(view)
    sent: list[Message] = []
    for index, html in enumerate(parts):
        last = index == len(parts) - 1
        sent.append(
            await context.bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=render.highlight_keyboard(view) if last else None,
                link_preview_options=None,
            )
        )
    ids = [message.message_id for message in sent]
    await transact(
        context,
        lambda s: remember_messages(s, chat_id=chat_id, message_ids=ids, highlight_id=view.id),
    )
    return sent
