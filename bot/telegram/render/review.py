"""A review's card: its message, its keyboard, and the answers to its buttons."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.library.reviews import Card, CardAction
from bot.telegram import buttons
from bot.telegram.render.highlights import highlight_messages, passing_on

REVIEW_ALREADY_SENT = (
    "📚 Today's review has gone out already: here it is. /review 5 sets how many highlights "
    "tomorrow's holds."
)
STREAK_USAGE = (
    "ℹ️ <code>/streak off</code> hides your streak; <code>/streak on</code> shows it again."
)
_ROOM = 80
"""Room in a card's message for its count and the end of the review."""
_THEME_ROOM = 32
"""Room for the name of a theme above its review's cards."""


def review_messages(card: Card) -> list[str]:
    """The messages of a review's first card: a review of one is a highlight as any other;
    a longer one is one message, edited card after card, so a long passage is cut short.
    A themed review's cards say which theme it is."""
    if card.size > 1:
        return [card_text(card)]
    if card.theme is None:
        return highlight_messages(card.view)
    first, *rest = highlight_messages(card.view, room=_THEME_ROOM)
    return [_theme_header(card.theme) + first, *rest]


def _theme_header(theme: str) -> str:
    return f"🎯 <b>{escape(theme)}</b>\n"


def card_text(card: Card) -> str:
    """One card of a review of several, in one message."""
    room = _ROOM + (_THEME_ROOM if card.theme is not None else 0)
    parts = highlight_messages(card.view, room=room)
    body = parts[0] + ("\n… (/search finds the rest)" if len(parts) > 1 else "")
    text = f"<b>{card.position + 1}/{card.size}</b>\n{body}"
    if card.theme is not None:
        text = _theme_header(card.theme) + text
    if card.last:
        text += "\n\n✅ <b>Review done</b>"
        if card.streak:
            text += f" · 🔥 {streak_words(card.streak)}"
    return text


def streak_words(streak: int) -> str:
    """A streak in words."""
    return "1 review in a row" if streak == 1 else f"{streak} reviews in a row"


def review_keyboard(card: Card, *, share: bool = False) -> InlineKeyboardMarkup:
    """The feedback on every card, at most three buttons a row; Next ▶ until the last card.
    A review of one keeps a highlight's own keyboard and adds a row of feedback. ``share``:
    the bot's inline mode is on (see ``passing_on``)."""
    where = (card.delivery_id, card.position)
    view = card.view
    favorite = InlineKeyboardButton(
        "⭐ Favorite" if view.favorite else "☆ Favorite", callback_data=buttons.STAR.data(*where)
    )
    sooner = InlineKeyboardButton("🔁 Sooner", callback_data=buttons.SOONER.data(*where))
    later = InlineKeyboardButton("⏩ Later", callback_data=buttons.LATER.data(*where))
    tags = InlineKeyboardButton("🏷 Tags", callback_data=buttons.TAGS.data(view.id))
    one = card.size == 1
    if view.discarded:
        never = InlineKeyboardButton(
            "↩️ Undo discard" if one else "↩️ Undo", callback_data=buttons.KEEP.data(*where)
        )
    else:
        never = InlineKeyboardButton(
            "🙈 Discard" if one else "🙈 Never", callback_data=buttons.NEVER.data(*where)
        )
    if one:
        another = InlineKeyboardButton("🔀 Another", callback_data=buttons.ANOTHER.data())
        return InlineKeyboardMarkup(
            [[favorite, another], [never, tags], [sooner, later], passing_on(view, share)]
        )
    second = [favorite, tags]
    if not card.last:
        second.append(InlineKeyboardButton("Next ▶", callback_data=buttons.NEXT.data(*where)))
    return InlineKeyboardMarkup([[sooner, later, never], second, passing_on(view, share)])


def _days(days: float) -> str:
    rounded = max(round(days), 1)
    return "1 day" if rounded == 1 else f"{rounded} days"


def card_action_said(action: CardAction, card: Card, days: float | None) -> str:
    """The short answer to a feedback button."""
    if action is CardAction.SOONER:
        return f"🔁 Sooner: it comes back in about {_days(days or 0)}."
    if action is CardAction.LATER:
        return f"⏩ Later: it comes back in about {_days(days or 0)}."
    if action is CardAction.FAVORITE:
        return "⭐ Favorite" if card.view.favorite else "☆ Unfavorited"
    if action is CardAction.NEVER:
        return "🙈 It won't come again. ↩️ Undo brings it back."
    return "↩️ Back in the rotation."


def streaks_set(shown: bool) -> str:
    """/streak done."""
    if shown:
        return "🔥 Streaks are on: the end of a review and /stats show yours."
    return (
        "🙈 Streaks are off: no streak at the end of a review or in /stats. "
        "/streak on brings them back."
    )
