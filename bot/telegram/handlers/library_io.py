"""Getting a library in and out: import by document, /import, /export, /stats."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from html import escape

from sqlmodel import Session
from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.library import chats, exporting
from bot.library.errors import LibraryError
from bot.library.importing import import_bytes
from bot.library.stats import LibraryStats, library_stats
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact

log = logging.getLogger(__name__)

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
"""Bots may download files up to 20 MB from Telegram's cloud Bot API."""
PROGRESS_EVERY_SECONDS = 1.5


async def import_help(update: Update, context: Context) -> None:
    """/import: explain how to send a file."""
    await require_message(update).reply_html(render.IMPORT_HELP)


async def import_document(update: Update, context: Context) -> None:
    """A document in the chat: download it, import it, report with progress on the way."""
    message = require_message(update)
    document = message.document
    if document is None:
        return
    name = document.file_name or "your file"
    settings = context.bot_data.settings
    limit = min(TELEGRAM_DOWNLOAD_LIMIT, settings.import_max_bytes)
    if document.file_size is not None and document.file_size > limit:
        await message.reply_html(render.file_too_big(document.file_size, limit))
        return
    status = await message.reply_html(render.PROCESSING.format(name=escape(name)))
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        if "too big" not in error.message.lower():
            raise
        await status.edit_text(render.file_too_big(limit + 1, limit), parse_mode=ParseMode.HTML)
        return
    progress = _ProgressMessage(status, name, asyncio.get_running_loop())
    chat_id = message.chat_id
    try:
        report = await transact(
            context,
            lambda s: import_bytes(
                s,
                chat_id=chat_id,
                data=data,
                max_bytes=settings.import_max_bytes,
                filename=name,
                progress=progress,
            ),
        )
    except LibraryError as error:
        log.info("import refused for a chat: %s", error)
        context.bot_data.metrics.imports.labels(outcome="refused").inc()
        await progress.settle()
        await status.edit_text(render.import_failed(name, str(error)), parse_mode=ParseMode.HTML)
        return
    await progress.settle()
    log.info("import done: %s new, %s duplicates", report.new, report.duplicates)
    context.bot_data.metrics.imports.labels(outcome="imported").inc()
    await status.edit_text(render.import_report(report), parse_mode=ParseMode.HTML)


class _ProgressMessage:
    """Edits the status message from the import's worker thread, at most every 1.5 s."""

    def __init__(self, message: Message, name: str, loop: asyncio.AbstractEventLoop) -> None:
        self._message = message
        self._name = name
        self._loop = loop
        self._last = time.monotonic()
        self._pending: list[concurrent.futures.Future[object]] = []

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = now
        edit = self._message.edit_text(
            render.import_progress(self._name, done, total), parse_mode=ParseMode.HTML
        )
        # This runs in the import's worker thread, which has no event loop: only hand the
        # edit over to the bot's loop here; settle() awaits it from there.
        self._pending.append(asyncio.run_coroutine_threadsafe(edit, self._loop))

    async def settle(self) -> None:
        """Wait for progress edits still on their way, so the report is the last word."""
        results = await asyncio.gather(
            *(asyncio.wrap_future(edit) for edit in self._pending), return_exceptions=True
        )
        for result in results:
            if isinstance(result, Exception):
                log.warning("progress update failed: %s", result)


async def export_command(update: Update, context: Context) -> None:
    """/export: the formats to choose from, as buttons."""
    chat_id = require_chat(update).id
    empty = await transact(context, lambda s: exporting.is_empty(s, chat_id=chat_id))
    message = require_message(update)
    if empty:
        await message.reply_html(render.EMPTY_LIBRARY)
        return
    await message.reply_html(render.EXPORT_MENU, reply_markup=render.export_keyboard())


async def export_button(update: Update, context: Context) -> None:
    """A format under /export: the whole library as that file."""
    query = update.callback_query
    assert query is not None
    chat_id = require_chat(update).id
    ids = buttons.EXPORT.ids_in(query.data)
    if ids is None or not 0 <= ids[0] < len(render.EXPORT_CHOICES):
        await query.answer(render.BUTTON_EXPIRED, show_alert=True)
        return
    fmt = render.EXPORT_CHOICES[ids[0]][0]
    await query.answer()
    document = await transact(context, lambda s: exporting.export_file(s, chat_id=chat_id, fmt=fmt))
    if document is None:
        await context.bot.send_message(chat_id, render.EMPTY_LIBRARY, parse_mode=ParseMode.HTML)
        return
    await context.bot.send_document(
        chat_id,
        InputFile(document, filename=exporting.FILE_NAMES[fmt]),
        caption=render.EXPORT_CAPTIONS[fmt],
    )


async def stats_command(update: Update, context: Context) -> None:
    """/stats: the numbers at once, then the same as a chart."""
    chat_id = require_chat(update).id
    default, now = context.bot_data.settings.default_timezone, context.bot_data.delivery.now()

    def count(session: Session) -> LibraryStats:
        zone = chats.get_settings(session, chat_id=chat_id, default_timezone=default).timezone
        today = chats.local_now(zone, now).date()
        return library_stats(session, chat_id=chat_id, today=today)

    stats = await transact(context, count)
    message = require_message(update)
    await message.reply_html(render.stats_text(stats))
    if stats.highlights:
        chart = await context.bot_data.charts.stats_chart(stats)
        await message.reply_photo(InputFile(chart, filename="stats.png"))
