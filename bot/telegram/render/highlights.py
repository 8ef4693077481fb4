"""A highlight as messages, its buttons and its tags panel."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, SwitchInlineQueryChosenChat

from bot.library.browsing import TagChoices
from bot.library.sharing import share_query
from bot.library.views import HighlightView
from bot.telegram import buttons
from bot.telegram.render._text import MAX_MESSAGE, hashtag, hashtags, snippet, split_text, utf16_len


def _location(view: HighlightView) -> str | None:
    if not view.location:
        return None
    kind = (view.location_type or "location").capitalize()
    return f"{kind} {view.location}"


def _footer_lines(view: HighlightView) -> list[tuple[str, str]]:
    """(visible text, html) for every line under the quote."""
    lines: list[tuple[str, str]] = []
    book = f"— {view.book_title}" + (f", {view.author}" if view.author else "")
    lines.append(
        (
            book,
            f"— <b>{escape(view.book_title)}</b>"
            + (f", {escape(view.author)}" if view.author else ""),
        )
    )
    place = [part for part in (view.chapter, _location(view)) if part]
    if place:
        lines.append((" · ".join(place), f"<i>{escape(' · '.join(place))}</i>"))
    marks = (["⭐"] if view.favorite else []) + (["🙈 discarded"] if view.discarded else [])
    tags = hashtags(view.tags)
    if tags or marks:
        line = " ".join([*marks, tags]).strip()
        lines.append((line, escape(line)))
    for note in view.notes:
        lines.append((f"📝 {note}", f"📝 {escape(note)}"))
    return lines


def highlight_messages(view: HighlightView, *, room: int = 0) -> list[str]:
    """A highlight as one or more HTML messages, each within Telegram's limit less ``room``
    (for words around it)."""
    # Room for the blockquote's line breaks and a continuation mark.
    budget = MAX_MESSAGE - 40 - room
    if view.kind != "highlight":
        # A note with no passage; 📑 marks the reader's note on a chapter (named below it).
        mark = "📑 " if view.kind == "chapter_note" else "📝 "
        head = [(mark + piece, mark + escape(piece)) for piece in split_text(view.text, budget)]
    else:
        head = [
            (piece, f"<blockquote>{escape(piece)}</blockquote>")
            for piece in split_text(view.text, budget)
        ]
    blocks = head + [
        (visible, html)
        for line_visible, line_html in _footer_lines(view)
        for visible, html in _split_line(line_visible, line_html, budget)
    ]
    messages: list[str] = []
    visible_size = 0
    current: list[str] = []
    for visible, html in blocks:
        size = utf16_len(visible) + 1
        if current and visible_size + size > budget:
            messages.append("\n".join(current))
            current, visible_size = [], 0
        current.append(html)
        visible_size += size
    if current:
        messages.append("\n".join(current))
    return messages


def _split_line(visible: str, html: str, budget: int) -> list[tuple[str, str]]:
    """A footer line that is itself too long (a very long note) is split like a quote."""
    if utf16_len(visible) <= budget:
        return [(visible, html)]
    return [(piece, escape(piece)) for piece in split_text(visible, budget)]


def highlight_keyboard(view: HighlightView, *, share: bool = False) -> InlineKeyboardMarkup:
    """⭐ Favorite · 🔀 Another · 🙈 Discard (or ↩️ Undo) · 🏷 Tags · 🖼 Card, and ↗ Share when
    the bot's inline mode is on (Telegram refuses the button otherwise)."""
    favorite = InlineKeyboardButton(
        "⭐ Favorite" if view.favorite else "☆ Favorite",
        callback_data=buttons.FAVORITE.data(view.id),
    )
    another = InlineKeyboardButton("🔀 Another", callback_data=buttons.ANOTHER.data())
    if view.discarded:
        discard = InlineKeyboardButton("↩️ Undo discard", callback_data=buttons.UNDO.data(view.id))
    else:
        discard = InlineKeyboardButton("🙈 Discard", callback_data=buttons.DISCARD.data(view.id))
    tags = InlineKeyboardButton("🏷 Tags", callback_data=buttons.TAGS.data(view.id))
    return InlineKeyboardMarkup([[favorite, another], [discard, tags], passing_on(view, share)])


def passing_on(view: HighlightView, share: bool) -> list[InlineKeyboardButton]:
    """🖼 Card, and ↗ Share when the bot's inline mode is on (Telegram refuses it otherwise)."""
    row = [InlineKeyboardButton("🖼 Card", callback_data=buttons.CARD.data(view.id))]
    if share:
        # The reader picks a chat, and there their own inline query finds this highlight.
        chosen = SwitchInlineQueryChosenChat(
            query=share_query(view.id),
            allow_user_chats=True,
            allow_group_chats=True,
            allow_channel_chats=True,
        )
        row.append(InlineKeyboardButton("↗ Share", switch_inline_query_chosen_chat=chosen))
    return row


def tags_panel(choices: TagChoices) -> tuple[str, InlineKeyboardMarkup | None]:
    """The 🏷 panel: the highlight's tags to remove, the chat's favourites to add."""
    current = escape(hashtags([name for _, name in choices.on_it])) or "no tags yet"
    text = (
        f"🏷 <b>Tags</b> of “{escape(snippet(choices.view.text, 60))}”: {current}\n\n"
        "Reply to the highlight with <code>#word</code> to add a tag or "
        "<code>-#word</code> to remove one, or tap below."
    )
    highlight_id = choices.view.id
    remove = [
        InlineKeyboardButton(
            f"✖ {hashtag(name)}", callback_data=buttons.REMOVE_TAG.data(highlight_id, tag_id)
        )
        for tag_id, name in choices.on_it
    ]
    add = [
        InlineKeyboardButton(
            f"＋ {hashtag(name)}", callback_data=buttons.ADD_TAG.data(highlight_id, tag_id)
        )
        for tag_id, name in choices.suggestions
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for row in (remove, add):
        rows.extend(row[i : i + 3] for i in range(0, len(row), 3))
    return text, InlineKeyboardMarkup(rows) if rows else None
