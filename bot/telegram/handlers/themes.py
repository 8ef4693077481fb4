"""/theme: themed reviews, saved searches that make reviews of their own."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from telegram import ReplyParameters, Update

from bot.delivery import on_demand, themed
from bot.library import themes
from bot.library.errors import LibraryError
from bot.telegram import render
from bot.telegram.context import Context, require_chat, require_message, transact
from bot.telegram.handlers.reviewing import send_review


async def theme_command(update: Update, context: Context) -> None:
    """List, save, delete, schedule or send a theme, by what follows /theme."""
    message = require_message(update)
    args = context.args or []
    verb = args[0].lower() if args else ""
    if not args or verb == "list":
        await _reply(
            update, context, lambda s, c: render.themes_text(themes.list_themes(s, chat_id=c))
        )
    elif verb in themes.ADD:
        if len(args) < 3:
            await message.reply_html(render.THEME_USAGE)
            return
        query = (message.text or "").split(maxsplit=3)[3]
        await _reply(
            update,
            context,
            lambda s, c: render.theme_saved(
                *themes.save_theme(s, chat_id=c, name=args[1], query=query)
            ),
        )
    elif verb in themes.DELETE:
        if len(args) != 2:
            await message.reply_html(render.THEME_USAGE)
            return
        await _reply(
            update,
            context,
            lambda s, c: render.theme_deleted(themes.delete_theme(s, chat_id=c, name=args[1])),
        )
    elif len(args) == 1:
        await _send_now(update, context, args[0])
    else:
        now, zone = context.bot_data.delivery.now(), context.bot_data.settings.default_timezone
        words = " ".join(args[1:])
        await _reply(
            update,
            context,
            lambda s, c: render.theme_scheduled(
                themed.set_schedule(
                    s, chat_id=c, name=args[0], words=words, now=now, default_timezone=zone
                )
            ),
        )


async def _reply(update: Update, context: Context, work: Callable[[Session, int], str]) -> None:
    """Run ``work`` in a transaction and say what it returns, or the error (changing nothing)."""
    chat_id = require_chat(update).id
    try:
        said = await transact(context, lambda s: work(s, chat_id))
    except LibraryError as error:
        said = render.error(str(error))
    await require_message(update).reply_html(said)


async def _send_now(update: Update, context: Context, name: str) -> None:
    """The theme's review now; it counts as today's scheduled one if that has not gone out."""
    chat_id = require_chat(update).id
    default, engine = context.bot_data.settings.default_timezone, context.bot_data.delivery
    message = require_message(update)
    try:
        taken = await transact(
            context,
            lambda s: themed.take_now(
                s, chat_id=chat_id, name=name, now=engine.now(), default_timezone=default
            ),
        )
    except LibraryError as error:
        await message.reply_html(render.error(str(error)))
        return
    if taken is None:
        await message.reply_html(render.theme_empty(name.lower()))
    elif isinstance(taken, on_demand.AlreadySent):
        await message.reply_html(
            render.theme_already_sent(name.lower()),
            reply_parameters=ReplyParameters(taken.message_id, allow_sending_without_reply=True)
            if taken.message_id
            else None,
        )
    else:
        await send_review(context, chat_id, taken.card)
