"""The daily review: /review (its size, or today's review now), Next ▶ and the feedback."""

from __future__ import annotations

from sqlmodel import Session
from telegram import ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.delivery import on_demand
from bot.library import chats, reviews
from bot.library.browsing import library_size
from bot.library.errors import LibraryError
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact
from bot.telegram.sending import send_parts


async def review_command(update: Update, context: Context) -> None:
    """/review sends today's review now; /review N sets its size."""
    message = require_message(update)
    args = context.args or []
    if not args:
        await review_now(update, context)
        return
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


async def streak_command(update: Update, context: Context) -> None:
    """/streak on|off shows or hides the streak."""
    message = require_message(update)
    args = [arg.lower() for arg in context.args or []]
    if args not in (["on"], ["off"]):
        await message.reply_html(render.STREAK_USAGE)
        return
    shown, chat_id = args == ["on"], require_chat(update).id
    await transact(context, lambda s: chats.set_streaks(s, chat_id=chat_id, shown=shown))
    await message.reply_html(render.streaks_set(shown))


async def review_now(update: Update, context: Context) -> None:
    """Today's review now; it counts as the scheduled one if that has not gone out."""
    chat_id = require_chat(update).id
    default, engine = context.bot_data.settings.default_timezone, context.bot_data.delivery

    def take(session: Session) -> tuple[on_demand.Taken | on_demand.AlreadySent | None, int]:
        taken = on_demand.take_today(
            session, chat_id=chat_id, now=engine.now(), default_timezone=default
        )
        return taken, library_size(session, chat_id=chat_id) if taken is None else 0

    try:
        taken, stored = await transact(context, take)
    except LibraryError as error:
        await require_message(update).reply_html(render.error(str(error)))
        return
    if taken is None:
        text = render.ALL_DISCARDED if stored else render.EMPTY_LIBRARY
        await require_message(update).reply_html(text)
    elif isinstance(taken, on_demand.AlreadySent):
        await require_message(update).reply_html(
            render.REVIEW_ALREADY_SENT,
            reply_parameters=ReplyParameters(taken.message_id, allow_sending_without_reply=True)
            if taken.message_id
            else None,
        )
    else:
        await send_review(context, chat_id, taken.card)


async def send_review(context: Context, chat_id: int, card: reviews.Card) -> None:
    """Send a review taken on demand and record how it went: sent, or never again."""
    keyboard = render.review_keyboard(card, share=context.bot_data.inline_mode)
    try:
        messages = await send_parts(context.bot, chat_id, render.review_messages(card), keyboard)
    except TelegramError as error:
        now, said = context.bot_data.delivery.now(), str(error)
        await transact(context, lambda s: on_demand.give_up(s, card=card, error=said, now=now))
        raise
    now = context.bot_data.delivery.now()
    await transact(
        context,
        lambda s: on_demand.finish(
            s, card=card, chat_id=chat_id, message_ids=[m.message_id for m in messages], now=now
        ),
    )


async def next_button(update: Update, context: Context) -> None:
    """Next ▶: the same message shows the review's next card."""
    query = update.callback_query
    assert query is not None
    where = buttons.NEXT.ids_in(query.data)
    message = query.message
    if where is None or message is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT)
        return
    chat_id, message_id = require_chat(update).id, message.message_id
    try:
        card = await transact(
            context,
            lambda s: reviews.advance(
                s,
                chat_id=chat_id,
                delivery_id=where[0],
                position=where[1],
                message_id=message_id,
            ),
        )
    except LibraryError as error:
        await query.answer(str(error))
        return
    await query.answer()
    await query.edit_message_text(
        render.card_text(card),
        parse_mode=ParseMode.HTML,
        reply_markup=render.review_keyboard(card, share=context.bot_data.inline_mode),
    )


CARD_ACTIONS = (
    (buttons.SOONER, reviews.CardAction.SOONER),
    (buttons.LATER, reviews.CardAction.LATER),
    (buttons.NEVER, reviews.CardAction.NEVER),
    (buttons.KEEP, reviews.CardAction.KEEP),
    (buttons.STAR, reviews.CardAction.FAVORITE),
)


async def card_button(update: Update, context: Context) -> None:
    """🔁 Sooner, ⏩ Later, 🙈 Never (↩️ Undo) and ⭐ on a review's card."""
    query = update.callback_query
    assert query is not None
    found = [(kind.ids_in(query.data), action) for kind, action in CARD_ACTIONS]
    where, action = next(((ids, a) for ids, a in found if ids is not None), (None, None))
    if where is None or action is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT)
        return
    chat_id, now = require_chat(update).id, context.bot_data.delivery.now()
    try:
        card, days = await transact(
            context,
            lambda s: reviews.act(
                s, chat_id=chat_id, delivery_id=where[0], position=where[1], action=action, now=now
            ),
        )
    except LibraryError as error:
        await query.answer(str(error))
        return
    await query.answer(render.card_action_said(action, card, days))
    try:
        await query.edit_message_reply_markup(
            render.review_keyboard(card, share=context.bot_data.inline_mode)
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
