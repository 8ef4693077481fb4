"""/search with paged results, and /tags."""

from __future__ import annotations

import re

from sqlmodel import Session
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.library.browsing import tag_counts
from bot.library.messages import load_search, save_search
from bot.library.search import SearchPage, search
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact

_HAS_WORDS = re.compile(r"\w")


async def search_command(update: Update, context: Context) -> None:
    """Search the chat's library and show the first page of results."""
    raw = " ".join(context.args or []).strip()
    if not raw:
        await require_message(update).reply_html(render.SEARCH_USAGE)
        return
    await _search(update, context, raw)


async def text_search(update: Update, context: Context) -> None:
    """A plain message, neither a command nor a reply, is a search (if it has words)."""
    raw = " ".join((require_message(update).text or "").split())
    if _HAS_WORDS.search(raw):
        await _search(update, context, raw)


async def _search(update: Update, context: Context, raw: str) -> None:
    chat = require_chat(update)

    def work(session: Session) -> tuple[int, SearchPage]:
        search_id = save_search(session, chat_id=chat.id, query=raw)
        page = search(session, chat_id=chat.id, query=raw, limit=render.RESULTS_PER_PAGE)
        return search_id, page

    search_id, page = await transact(context, work)
    await require_message(update).reply_html(
        render.search_results(raw, page), reply_markup=render.search_keyboard(search_id, page)
    )


async def turn_page(update: Update, context: Context) -> None:
    """◀️ / ▶️ under search results: show another page in the same message."""
    query = update.callback_query
    assert query is not None
    chat = require_chat(update)
    ids = buttons.PAGE.ids_in(query.data)
    if ids is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    search_id, offset = ids[0], max(ids[1], 0)

    def work(session: Session) -> tuple[str, SearchPage] | None:
        raw = load_search(session, chat_id=chat.id, search_id=search_id)
        if raw is None:
            return None
        page = search(
            session, chat_id=chat.id, query=raw, limit=render.RESULTS_PER_PAGE, offset=offset
        )
        return raw, page

    found = await transact(context, work)
    if found is None:
        await query.answer("That search has expired; run /search again.", show_alert=True)
        return
    await query.answer()
    raw, page = found
    try:
        await query.edit_message_text(
            render.search_results(raw, page),
            parse_mode=ParseMode.HTML,
            reply_markup=render.search_keyboard(search_id, page),
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def tags_command(update: Update, context: Context) -> None:
    """List the chat's tags with counts."""
    chat = require_chat(update)
    tags = await transact(context, lambda s: tag_counts(s, chat_id=chat.id))
    await require_message(update).reply_html(render.tag_list(tags))
