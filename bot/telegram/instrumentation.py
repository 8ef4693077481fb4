"""Counting updates and timing handlers, around every other handler."""

from __future__ import annotations

import time

from telegram import Update

from bot.telegram import buttons
from bot.telegram.commands import NAMES
from bot.telegram.context import Context

# Labels must stay few: anything not known is counted under one name.
MAX_TIMERS = 10_000


def update_kind(update: Update) -> str:
    """A low-cardinality name for what an update asks: the command, the button, the kind."""
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        command = message.text.split()[0][1:].split("@")[0].lower()
        return f"/{command}" if command in NAMES else "/unknown"
    if message is not None and message.document is not None:
        return "document"
    if message is not None and message.reply_to_message is not None:
        return "reply"
    if update.callback_query is not None:
        action = (update.callback_query.data or "").split(":")[0]
        return "button:" + (action if action in buttons.ACTIONS else "unknown")
    if update.edited_message is not None:
        return "edited"
    if update.message_reaction is not None:
        return "reaction"
    return "message" if message is not None else "other"


async def start_timer(update: Update, context: Context) -> None:
    """First of all handlers: count the update and note when it arrived."""
    kind = update_kind(update)
    context.bot_data.metrics.updates.labels(kind=kind).inc()
    timers = context.bot_data.timers
    if len(timers) >= MAX_TIMERS:  # updates stopped early never come back for their timer
        timers.clear()
    timers[update.update_id] = (kind, time.perf_counter())


async def stop_timer(update: Update, context: Context) -> None:
    """After the handlers: how long the update took."""
    started = context.bot_data.timers.pop(update.update_id, None)
    if started is not None:
        kind, at = started
        context.bot_data.metrics.handler_seconds.labels(kind=kind).observe(time.perf_counter() - at)
