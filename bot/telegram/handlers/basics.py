"""Greeting, help, the allowlist, unknown commands and the error handler."""

from __future__ import annotations

import logging

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import ApplicationHandlerStop

from bot.library.browsing import library_size
from bot.library.chats import set_active
from bot.library.errors import LibraryError
from bot.library.importing import ImportReport, import_bytes
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact

log = logging.getLogger(__name__)


async def gate(update: Update, context: Context) -> None:
    """Refuse chats outside ALLOWED_CHAT_IDS politely, before anything is stored."""
    allowed = context.bot_data.settings.allowed_chat_ids
    chat = update.effective_chat
    # An inline query comes from no chat: the library it reads is the user's private chat's.
    inline = update.inline_query
    chat_id = inline.from_user.id if inline is not None else chat.id if chat else None
    if not allowed or (chat_id is not None and chat_id in allowed):
        return
    log.info("refused update %s from a chat outside the allowlist", update.update_id)
    refusal = render.not_allowed(context.bot_data.settings.run_your_own_url)
    if inline is not None:
        await inline.answer([], is_personal=True, cache_time=60)
    elif update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    elif update.message is not None and chat is not None:
        await update.message.reply_text(refusal)
    raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> None:
    """Greet the reader, revive delivery, and offer the sample library to an empty one."""
    chat = require_chat(update)

    def work(session: Session) -> bool:
        set_active(session, chat_id=chat.id, active=True)
        return library_size(session, chat_id=chat.id) == 0

    empty = await transact(context, work)
    user = update.effective_user
    keyboard = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "📚 Load the sample library", callback_data=buttons.SAMPLE.data()
                    )
                ]
            ]
        )
        if empty
        else None
    )
    await require_message(update).reply_html(
        render.welcome(empty=empty, name=user.first_name if user else None),
        reply_markup=keyboard,
    )


async def load_sample(update: Update, context: Context) -> None:
    """Import the sample library into this chat (the /start button)."""
    query = update.callback_query
    assert query is not None
    chat = require_chat(update)
    settings = context.bot_data.settings
    await query.answer("Loading the sample library…")
    if query.message is not None:
        # Taking the button away first claims the import: Telegram applies edits one at a time,
        # so of two quick taps only one succeeds and the other finds nothing left to change.
        try:
            await context.bot.edit_message_reply_markup(chat.id, query.message.message_id)
        except BadRequest as error:
            if "not modified" not in error.message:
                raise
            return
    sample = settings.sample_library

    def work(session: Session) -> ImportReport:
        try:
            data = sample.read_bytes()
        except OSError as error:
            raise LibraryError(f"the sample library is missing ({error.strerror})") from None
        return import_bytes(
            session,
            chat_id=chat.id,
            data=data,
            max_bytes=settings.import_max_bytes,
            filename=sample.name,
        )

    try:
        report = await transact(context, work)
    except LibraryError as error:
        context.bot_data.metrics.imports.labels(outcome="refused").inc()
        await context.bot.send_message(
            chat.id, render.import_failed(sample.name, str(error)), parse_mode=ParseMode.HTML
        )
        return
    context.bot_data.metrics.imports.labels(outcome="imported").inc()
    await context.bot.send_message(chat.id, render.import_report(report), parse_mode=ParseMode.HTML)


async def on_error(update: object, context: Context) -> None:
    """Log the failure first, then tell the reader that something went wrong."""
    error = context.error
    # python-telegram-bot makes BadRequest a NetworkError, but it means Telegram refused a
    # request as malformed (bad HTML, a text too long): our bug, which must not pass quietly.
    if isinstance(error, Forbidden) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    ):
        log.warning("Telegram refused or timed out: %s", error)
        return
    log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, render.SOMETHING_WRONG)
        except Exception:  # noqa: BLE001 - the reader may be unreachable; the log has it
            log.warning("could not tell chat %s about the error", update.effective_chat.id)


async def expired_button(update: Update, context: Context) -> None:
    """A button this version does not know (an old message, or forged data)."""
    if update.callback_query is not None:
        await update.callback_query.answer("That button has expired.", show_alert=True)
