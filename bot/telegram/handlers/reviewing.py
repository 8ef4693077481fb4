"""The daily review: /review (its size, or today's review now), Next ▶ and the feedback."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.library import chats
from bot.library.errors import LibraryError
from bot.telegram import render
from bot.telegram.context import Context, require_chat, require_message, transact


async def review_command(update: Update, context: Context) -> None:
    """/review N sets the review's size."""
    message = require_message(update)
    args = context.args or []
    if len(args) != 1:
        await message.reply_html(render.review_usage())
        return
    chat_id = require_chat(update).id

    def change(session: Session) -> str:
        return render.review_size_set(
            chats.set_review_size(session, chat_id=chat_id, value=args[0])
        )

    try:
        said = await transact(context, change)
    except LibraryError as error:
        said = render.error(str(error))
    await message.reply_html(said)
