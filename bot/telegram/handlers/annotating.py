"""Annotating a highlight: replies, reply commands, reactions and the highlight's buttons."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Message, ReactionTypeEmoji, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.library import annotating
from bot.library.annotating import Annotation, NotInLibrary
from bot.library.browsing import get_highlight, tag_choices
from bot.library.errors import LibraryError
from bot.library.messages import highlight_for_message
from bot.library.tagging import tag_names
from bot.library.views import HighlightView
from bot.telegram import buttons, render
from bot.telegram.context import Context, require_chat, require_message, transact

_HAS_WORDS = re.compile(r"\w")


def _replies_to_bot(message: Message, context: Context) -> bool:
    replied = message.reply_to_message
    return (
        replied is not None
        and replied.from_user is not None
        and (replied.from_user.id == context.bot.id)
    )


async def _replied_highlight(message: Message, context: Context) -> int | None:
    """The highlight shown by the bot message this message replies to, in this chat."""
    replied = message.reply_to_message
    if replied is None or not _replies_to_bot(message, context):
        return None
    chat_id, message_id = message.chat_id, replied.message_id
    return await transact(
        context, lambda s: highlight_for_message(s, chat_id=chat_id, message_id=message_id)
    )


async def reply(update: Update, context: Context) -> None:
    """A text reply to a highlight: ``#tags``, ``-#tags`` and a note."""
    message = require_message(update)
    highlight_id = await _replied_highlight(message, context)
    if highlight_id is None:
        if _replies_to_bot(message, context):
            await message.reply_html(render.NOT_A_HIGHLIGHT)
        return
    text = message.text or ""
    if not _HAS_WORDS.search(text):
        # An emoji on its own is a reaction, not a note.
        if any(annotating.is_favorite_reaction(char) for char in _emoji_candidates(text)):
            await _set_favorite(context, message.chat_id, highlight_id, True)
            await message.reply_html("⭐ Marked as a favorite.")
        return
    annotation = annotating.parse_annotation(text)
    await _annotate(message, context, highlight_id, annotation)


def _emoji_candidates(text: str) -> list[str]:
    stripped = text.strip()
    return [stripped, stripped.replace("\ufe0f", ""), *stripped]


async def _annotate(
    message: Message, context: Context, highlight_id: int, annotation: Annotation
) -> None:
    chat_id, ref = message.chat_id, str(message.message_id)
    try:
        result = await transact(
            context,
            lambda s: annotating.annotate(
                s, chat_id=chat_id, highlight_id=highlight_id, annotation=annotation, source_ref=ref
            ),
        )
    except LibraryError as error:
        await message.reply_html(render.error(str(error)))
        return
    await message.reply_html(
        render.Confirmation(
            added=result.added, removed=result.removed, note_saved=result.note_saved
        ).text()
    )


async def edited_reply(update: Update, context: Context) -> None:
    """Editing a reply edits the note it made (or makes one if it had none)."""
    message = update.edited_message
    if message is None or not message.text:
        return
    highlight_id = await _replied_highlight(message, context)
    if highlight_id is None:
        return
    annotation = annotating.parse_annotation(message.text)
    chat_id, ref = message.chat_id, str(message.message_id)

    def work(session: Session) -> render.Confirmation:
        edited = bool(annotation.note) and annotating.edit_note(
            session, chat_id=chat_id, source_ref=ref, text=annotation.note
        )
        result = annotating.annotate(
            session,
            chat_id=chat_id,
            highlight_id=highlight_id,
            annotation=Annotation(
                add=annotation.add, remove=annotation.remove, note="" if edited else annotation.note
            ),
            source_ref=ref,
        )
        return render.Confirmation(
            added=result.added,
            removed=result.removed,
            note_saved=result.note_saved,
            note_edited=edited,
        )

    try:
        confirmation = await transact(context, work)
    except LibraryError as error:
        await message.reply_html(render.error(str(error)))
        return
    await message.reply_html(confirmation.text())


async def reply_command_target(update: Update, context: Context, command: str) -> int | None:
    """The highlight a reply command targets, or None after telling the reader how to use it."""
    message = require_message(update)
    highlight_id = await _replied_highlight(message, context)
    if highlight_id is None:
        await message.reply_html(render.NOT_A_REPLY.format(command=command))
    return highlight_id


async def tag_command(update: Update, context: Context) -> None:
    """/tag NAME… as a reply: add tags."""
    await _tags_command(update, context, command="/tag", add=True)


async def untag_command(update: Update, context: Context) -> None:
    """/untag NAME… as a reply: remove tags."""
    await _tags_command(update, context, command="/untag", add=False)


async def _tags_command(update: Update, context: Context, *, command: str, add: bool) -> None:
    # The text, not context.args: a quoted tag of several words is one tag.
    names = tag_names((require_message(update).text or "").partition(" ")[2])
    if not names:
        await require_message(update).reply_html(
            render.usage(f"Reply to a highlight with <code>{command} name…</code>")
        )
        return
    highlight_id = await reply_command_target(update, context, f"{command} name…")
    if highlight_id is not None:
        annotation = Annotation(add=names) if add else Annotation(remove=names)
        await _annotate(require_message(update), context, highlight_id, annotation)


async def note_command(update: Update, context: Context) -> None:
    """/note TEXT as a reply: add a note."""
    message = require_message(update)
    text = (message.text or "").partition(" ")[2].strip()
    if not text:
        await message.reply_html(render.usage("Reply to a highlight with <code>/note text</code>"))
        return
    highlight_id = await reply_command_target(update, context, "/note text")
    if highlight_id is not None:
        await _annotate(message, context, highlight_id, Annotation(note=text))


async def fav_command(update: Update, context: Context) -> None:
    """/fav as a reply: toggle favorite."""
    highlight_id = await reply_command_target(update, context, "/fav")
    if highlight_id is None:
        return
    message = require_message(update)
    favorite = await _set_favorite(context, message.chat_id, highlight_id, None)
    await message.reply_html("⭐ Marked as a favorite." if favorite else "☆ No longer a favorite.")


async def discard_command(update: Update, context: Context) -> None:
    """/discard as a reply: never deliver this highlight again."""
    highlight_id = await reply_command_target(update, context, "/discard")
    if highlight_id is None:
        return
    message = require_message(update)
    chat_id = message.chat_id
    await transact(
        context,
        lambda s: annotating.set_discarded(
            s, chat_id=chat_id, highlight_id=highlight_id, discarded=True
        ),
    )
    await message.reply_html(
        "🙈 Discarded: I won't send it again. Tap ↩️ Undo on it to take it back."
    )


async def _set_favorite(
    context: Context, chat_id: int, highlight_id: int, favorite: bool | None
) -> bool:
    return await transact(
        context,
        lambda s: annotating.set_favorite(
            s, chat_id=chat_id, highlight_id=highlight_id, favorite=favorite
        ),
    )


async def reaction(update: Update, context: Context) -> None:
    """❤ 👍 🔥 ⭐ on a highlight message marks it favorite."""
    change = update.message_reaction
    if change is None:
        return
    emojis = [r.emoji for r in change.new_reaction if isinstance(r, ReactionTypeEmoji)]
    if not any(annotating.is_favorite_reaction(emoji) for emoji in emojis):
        return
    chat_id, message_id = change.chat.id, change.message_id
    highlight_id = await transact(
        context, lambda s: highlight_for_message(s, chat_id=chat_id, message_id=message_id)
    )
    if highlight_id is not None:
        await _set_favorite(context, chat_id, highlight_id, True)


# ---------------------------------------------------------------------------------------------
# The highlight's buttons


async def _refresh_keyboard(update: Update, context: Context, view: HighlightView) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(
            render.highlight_keyboard(view, share=context.bot_data.inline_mode)
        )
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def _button_target(
    update: Update, context: Context, *kinds: buttons.Button
) -> list[int] | None:
    """The ids in a highlight button of one of ``kinds``, or None after answering that it
    has expired."""
    query = update.callback_query
    assert query is not None
    for kind in kinds:
        ids = kind.ids_in(query.data)
        if ids is not None:
            return ids
    await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
    return None


async def favorite_button(update: Update, context: Context) -> None:
    """⭐ toggles favorite."""
    ids = await _button_target(update, context, buttons.FAVORITE)
    if ids is None:
        return
    chat_id = require_chat(update).id

    def work(session: Session) -> HighlightView | None:
        annotating.set_favorite(session, chat_id=chat_id, highlight_id=ids[0])
        return get_highlight(session, chat_id=chat_id, highlight_id=ids[0])

    await _button_change(
        update, context, work, lambda v: "⭐ Favorite" if v.favorite else "☆ Unfavorited"
    )


async def discard_button(update: Update, context: Context) -> None:
    """🙈 discards, ↩️ undoes it."""
    ids = await _button_target(update, context, buttons.DISCARD, buttons.UNDO)
    query = update.callback_query
    if ids is None or query is None:
        return
    chat_id = require_chat(update).id
    discard = buttons.DISCARD.ids_in(query.data) is not None

    def work(session: Session) -> HighlightView | None:
        annotating.set_discarded(session, chat_id=chat_id, highlight_id=ids[0], discarded=discard)
        return get_highlight(session, chat_id=chat_id, highlight_id=ids[0])

    await _button_change(
        update,
        context,
        work,
        lambda v: (
            "🙈 Discarded: it won't come again." if v.discarded else "↩️ Back in the rotation."
        ),
    )


async def _button_change(
    update: Update,
    context: Context,
    work: Callable[[Session], HighlightView | None],
    said: Callable[[HighlightView], str],
) -> None:
    """Apply a button's change, answer the tap and redraw the highlight's buttons."""
    query = update.callback_query
    assert query is not None
    try:
        view = await transact(context, work)
    except NotInLibrary:
        view = None
    if view is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    await query.answer(said(view))
    await _refresh_keyboard(update, context, view)


async def tags_button(update: Update, context: Context) -> None:
    """🏷 shows the highlight's tags with one-tap remove and add buttons."""
    ids = await _button_target(update, context, buttons.TAGS)
    query = update.callback_query
    if ids is None or query is None:
        return
    chat_id = require_chat(update).id
    try:
        choices = await transact(
            context, lambda s: tag_choices(s, chat_id=chat_id, highlight_id=ids[0])
        )
    except NotInLibrary:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    await query.answer()
    text, keyboard = render.tags_panel(choices)
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def tag_button(update: Update, context: Context) -> None:
    """＋ #tag / ✖ #tag in the tags panel."""
    ids = await _button_target(update, context, buttons.ADD_TAG, buttons.REMOVE_TAG)
    query = update.callback_query
    if ids is None or query is None:
        return
    chat_id = require_chat(update).id
    highlight_id, tag_id = ids
    adding = buttons.ADD_TAG.ids_in(query.data) is not None

    def work(session: Session) -> tuple[list[str], tuple[str, InlineKeyboardMarkup | None]] | None:
        changed = annotating.toggle_tag(
            session, chat_id=chat_id, highlight_id=highlight_id, tag_id=tag_id, on=adding
        )
        choices = tag_choices(session, chat_id=chat_id, highlight_id=highlight_id)
        return changed, render.tags_panel(choices)

    try:
        outcome = await transact(context, work)
    except NotInLibrary:
        outcome = None
    if outcome is None:
        await query.answer(render.UNKNOWN_HIGHLIGHT, show_alert=True)
        return
    changed, (text, keyboard) = outcome
    await query.answer(render.tag_toggled(changed, added=adding) if changed else None)
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise
