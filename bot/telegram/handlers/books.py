"""/books: the chat's books page by page, and each book's frequency on its own page."""

from __future__ import annotations

from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.library.books import BookEntry, BookNotInLibrary, book_entry, book_page, set_frequency
from bot.library.selection import Frequency
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact


async def books_command(update: Update, context: Context) -> None:
    """List the chat's books, with a button to each one's page."""
    chat_id = require_chat(update).id
    page = await transact(context, lambda s: book_page(s, chat_id=chat_id))
    await require_message(update).reply_html(
        render.books_text(page), reply_markup=render.books_keyboard(page)
    )


async def books_page(update: Update, context: Context) -> None:
    """◀️ / ▶️ under /books, and ◀️ Books on a book's page: show that page of the list."""
    query = _query(update)
    chat_id = require_chat(update).id
    ids = buttons.BOOKS.ids_in(query.data)
    offset = max(ids[0], 0) if ids else 0
    page = await transact(context, lambda s: book_page(s, chat_id=chat_id, offset=offset))
    await query.answer()
    await _show(query, render.books_text(page), render.books_keyboard(page))


async def book_page_button(update: Update, context: Context) -> None:
    """A number under /books: the book's own page."""
    query = _query(update)
    chat_id = require_chat(update).id
    ids = buttons.BOOK.ids_in(query.data)
    if ids is None:
        await query.answer(render.BOOK_GONE, show_alert=True)
        return
    book_id, offset = ids
    try:
        entry = await transact(context, lambda s: book_entry(s, chat_id=chat_id, book_id=book_id))
    except BookNotInLibrary:
        await query.answer(render.BOOK_GONE, show_alert=True)
        return
    await query.answer()
    await _show(query, render.book_text(entry), render.book_keyboard(entry, offset))


async def frequency_button(update: Update, context: Context) -> None:
    """Never, Less, Normal or More on a book's page: set how often the book comes."""
    query = _query(update)
    chat_id = require_chat(update).id
    ids = buttons.BOOK_FREQUENCY.ids_in(query.data)
    levels = list(Frequency)
    if ids is None or not 0 <= ids[1] < len(levels):
        await query.answer(render.BOOK_GONE, show_alert=True)
        return
    book_id, level, offset = ids

    def change(session: Session) -> BookEntry:
        return set_frequency(session, chat_id=chat_id, book_id=book_id, frequency=levels[level])

    try:
        entry = await transact(context, change)
    except BookNotInLibrary:
        await query.answer(render.BOOK_GONE, show_alert=True)
        return
    await query.answer(render.frequency_set(entry))
    await _show(query, render.book_text(entry), render.book_keyboard(entry, offset))


def _query(update: Update) -> CallbackQuery:
    query = update.callback_query
    if query is None:
        raise ValueError(f"update {update.update_id} carries no button tap")
    return query


async def _show(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Edit the tapped message to show ``text``; the same again is not an error."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
