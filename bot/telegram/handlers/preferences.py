"""Daily delivery settings: /settings, /time, /timezone, /days, /mode, /weight, /pause,
/resume."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from telegram import Update

from bot.library import chats
from bot.library.errors import LibraryError
from bot.telegram import render
from bot.telegram.context import Context, require_chat, require_message, transact


async def _change(update: Update, context: Context, change: Callable[[Session, int], str]) -> None:
    """Apply a settings change and answer with the outcome or the reason it was refused."""
    chat_id = require_chat(update).id
    try:
        said = await transact(context, lambda s: change(s, chat_id))
    except LibraryError as error:
        said = render.error(str(error))
    await require_message(update).reply_html(said)


async def settings_command(update: Update, context: Context) -> None:
    """Show every delivery setting."""
    default = context.bot_data.settings.default_timezone
    now = context.bot_data.delivery.now()

    def show(session: Session, chat_id: int) -> str:
        return render.settings_text(
            chats.get_settings(session, chat_id=chat_id, default_timezone=default, now=now)
        )

    await _change(update, context, show)


async def time_command(update: Update, context: Context) -> None:
    """/time HH:MM."""
    value = await _one_argument(
        update,
        context,
        render.usage("<code>/time HH:MM</code>, for example <code>/time 07:30</code>"),
    )
    if value is None:
        return

    def change(session: Session, chat_id: int) -> str:
        time = chats.set_delivery_time(session, chat_id=chat_id, value=value)
        return render.time_set(time)

    await _change(update, context, change)


async def timezone_command(update: Update, context: Context) -> None:
    """/timezone Area/City or +HH:MM."""
    value = await _one_argument(
        update,
        context,
        render.usage(
            "<code>/timezone Area/City</code> or a UTC offset, for example "
            "<code>/timezone Europe/Berlin</code> or <code>/timezone +05:45</code>"
        ),
    )
    if value is None:
        return

    def change(session: Session, chat_id: int) -> str:
        name = chats.set_timezone(session, chat_id=chat_id, value=value)
        local = chats.local_now(name).strftime("%H:%M")
        return render.timezone_set(name, local)

    await _change(update, context, change)


async def days_command(update: Update, context: Context) -> None:
    """/days RULE, or /days alone to see the rule."""
    words = " ".join(context.args or [])
    default = context.bot_data.settings.default_timezone

    def change(session: Session, chat_id: int) -> str:
        if not words.strip():
            current = chats.get_settings(session, chat_id=chat_id, default_timezone=default)
            return render.days_shown(current.days)
        return render.days_set(chats.set_days(session, chat_id=chat_id, words=words))

    await _change(update, context, change)


async def mode_command(update: Update, context: Context) -> None:
    """/mode random|weighted."""
    value = await _one_argument(update, context, render.mode_usage())
    if value is None:
        return

    def change(session: Session, chat_id: int) -> str:
        mode = chats.set_mode(session, chat_id=chat_id, value=value)
        return render.mode_set(mode)

    await _change(update, context, change)


async def weight_command(update: Update, context: Context) -> None:
    """/weight TAG N; the tag may be several words (``/weight "deep work" 3``)."""
    # The text, not context.args: a tag of several words is one tag.
    tag, _, number = (require_message(update).text or "").partition(" ")[2].strip().rpartition(" ")
    if not tag.strip() or not number.lstrip("-").isdigit():
        await require_message(update).reply_html(
            render.usage(
                "<code>/weight tag N</code>: N from 0 (never) to 100, for example "
                '<code>/weight culture 3</code> or <code>/weight "deep work" 3</code>'
            )
        )
        return
    weight = int(number)

    def change(session: Session, chat_id: int) -> str:
        name, value = chats.set_tag_weight(session, chat_id=chat_id, tag=tag, weight=weight)
        return render.weight_set(name, value)

    await _change(update, context, change)


async def pause_command(update: Update, context: Context) -> None:
    """/pause until /resume, or /pause 7d for a week."""
    args = context.args or []
    if len(args) > 2:
        await require_message(update).reply_html(render.PAUSE_USAGE)
        return
    span = "".join(args)
    default = context.bot_data.settings.default_timezone
    now = context.bot_data.delivery.now()

    def change(session: Session, chat_id: int) -> str:
        if not span:
            chats.set_paused(session, chat_id=chat_id, paused=True)
            return render.PAUSED
        until = chats.snooze(session, chat_id=chat_id, span=span, now=now)
        zone_name = chats.get_settings(session, chat_id=chat_id, default_timezone=default).timezone
        return render.snoozed(until, zone_name)

    await _change(update, context, change)


async def resume_command(update: Update, context: Context) -> None:
    """/resume."""

    def change(session: Session, chat_id: int) -> str:
        chats.set_paused(session, chat_id=chat_id, paused=False)
        return render.RESUMED

    await _change(update, context, change)


async def _one_argument(update: Update, context: Context, usage: str) -> str | None:
    """The command's one argument, or None after answering with its ``usage``."""
    if len(context.args or []) != 1:
        await require_message(update).reply_html(usage)
        return None
    return (context.args or [""])[0]
