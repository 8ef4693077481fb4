"""Sharing: quote cards (/card as a reply, the 🖼 Card button) and inline mode."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.error import BadRequest

from bot.library.cards import THEMES, CardRequest, remember_card, request_card
from bot.library.sharing import inline_page
from bot.telegram import buttons, render
from bot.telegram.cards import Card
from bot.telegram.context import Context, require_chat, require_message, transact
from bot.telegram.handlers.annotating import reply_command_target

INLINE_CACHE_SECONDS = 10
"""Short: a highlight tagged or starred a moment ago should show so in the next query."""


async def card_command(update: Update, context: Context) -> None:
    """/card [light|dark|sepia] as a reply: the highlight as a quote card."""
    message = require_message(update)
    theme = context.args[0].lower() if context.args else None
    if theme is not None and theme not in THEMES:
        await message.reply_html(render.card_usage(THEMES))
        return
    highlight_id = await reply_command_target(update, context, "/card")
    if highlight_id is None:
        return
    chat_id, chosen = message.chat_id, theme
    request = await transact(
        context,
        lambda s: request_card(s, chat_id=chat_id, highlight_id=highlight_id, theme=chosen),
    )
    if request is None:
        await message.reply_html(render.UNKNOWN_HIGHLIGHT)
        return
    await send_card(context, chat_id, request, reply_to=message.message_id)


async def card_button(update: Update, context: Context) -> None:
    """🖼 Card under a highlight: send it as a quote card in the chat's theme."""
    query = update.callback_query
    assert query is not None
    chat_id = require_chat(update).id
    ids = buttons.CARD.ids_in(query.data)
    request = None
    if ids is not None:
        highlight_id = ids[0]
        request = await transact(
            context, lambda s: request_card(s, chat_id=chat_id, highlight_id=highlight_id)
        )
    if request is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    await query.answer()
    await send_card(context, chat_id, request, reply_to=None)


async def send_card(
    context: Context, chat_id: int, request: CardRequest, *, reply_to: int | None
) -> None:
    """Send the card by the file_id Telegram gave it, or draw and upload it once."""
    if request.file_id is not None:
        try:
            await context.bot.send_photo(chat_id, request.file_id, reply_to_message_id=reply_to)
            return
        except BadRequest as error:
            # Telegram forgot the file (another bot token, a cleared server): upload anew.
            if "file" not in error.message.lower():
                raise
    view = request.view
    png = await context.bot_data.charts.quote_card(
        Card(text=view.text, book=view.book_title, author=view.author, theme=request.theme)
    )
    sent = await context.bot.send_photo(
        chat_id, InputFile(png, filename="card.png"), reply_to_message_id=reply_to
    )
    if sent.photo:
        file_id = sent.photo[-1].file_id
        await transact(context, lambda s: remember_card(s, request=request, file_id=file_id))


async def inline_query(update: Update, context: Context) -> None:
    """``@bot words`` in any chat: the user's own library (their private chat with the bot)."""
    query = update.inline_query
    assert query is not None
    # A user's private chat with the bot has the user's id: that library, and no other.
    chat_id = query.from_user.id
    offset = int(query.offset) if query.offset.isdigit() else 0
    page = await transact(
        context, lambda s: inline_page(s, chat_id=chat_id, query=query.query, offset=offset)
    )
    await query.answer(
        render.inline_results(page),
        cache_time=INLINE_CACHE_SECONDS,
        is_personal=True,
        next_offset=str(page.next_offset) if page.next_offset is not None else "",
        button=None if page.has_library else render.start_button(),
    )
