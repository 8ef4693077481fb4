"""Reading: a random highlight, another one, and opening one from a list."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode

from bot.library.browsing import get_highlight, library_size, random_highlight
from bot.library.views import HighlightView
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, transact
from bot.telegram.sending import send_highlight


async def random_command(update: Update, context: Context) -> None:
    """Send one random highlight now."""
    chat = require_chat(update)

    def work(session: Session) -> tuple[HighlightView | None, int]:
        view = random_highlight(session, chat_id=chat.id)
        return view, 0 if view is not None else library_size(session, chat_id=chat.id)

    view, stored = await transact(context, work)
    if view is None:
        # Nothing to pick: an empty library, or one whose every highlight was discarded.
        text = render.ALL_DISCARDED if stored else render.EMPTY_LIBRARY
        await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
        return
    await send_highlight(context, chat_id=chat.id, view=view)


async def another(update: Update, context: Context) -> None:
    """The 🔀 button: answer the tap, then send another random highlight."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await random_command(update, context)


async def open_result(update: Update, context: Context) -> None:
    """A numbered search result: send that highlight as its own message."""
    query = update.callback_query
    assert query is not None
    chat = require_chat(update)
    ids = buttons.OPEN.ids_in(query.data)
    view = (
        await transact(context, lambda s: get_highlight(s, chat_id=chat.id, highlight_id=ids[0]))
        if ids
        else None
    )
    if view is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    await query.answer()
    await send_highlight(context, chat_id=chat.id, view=view)
