"""Inline mode's results: a highlight as a message to share, and as its card where one exists."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot.library.sharing import InlinePage
from bot.library.views import HighlightView
from bot.telegram.render._text import MAX_MESSAGE, snippet, split_text

InlineResult = InlineQueryResultArticle | InlineQueryResultCachedPhoto
START_BUTTON = "Start the bot to build your library"
START_PARAMETER = "inline"


def shared_text(view: HighlightView) -> str:
    """The highlight as it is posted in another chat: the passage, its book and author (no
    tags or notes: those are the reader's own). A very long passage is cut with "…"."""
    footer = f"\n— <b>{escape(view.book_title)}</b>" + (
        f", {escape(view.author)}" if view.author else ""
    )
    pieces = split_text(view.text, MAX_MESSAGE - 200 - len(view.book_title) - len(view.author))
    body = pieces[0] + ("…" if len(pieces) > 1 else "")
    return f"<blockquote>{escape(body)}</blockquote>{footer}"


def inline_results(page: InlinePage) -> list[InlineResult]:
    """Each highlight as text and, where Telegram has its card, as that photo."""
    results: list[InlineResult] = []
    for view in page.hits:
        by = f" — {view.author}" if view.author else ""
        results.append(
            InlineQueryResultArticle(
                id=f"h{view.id}",
                title=snippet(view.text, 80),
                description=f"{view.book_title}{by}",
                input_message_content=InputTextMessageContent(
                    shared_text(view), parse_mode=ParseMode.HTML
                ),
            )
        )
        file_id = page.cards.get(view.id)
        if file_id is not None:
            results.append(
                InlineQueryResultCachedPhoto(
                    id=f"c{view.id}", photo_file_id=file_id, title=snippet(view.text, 80)
                )
            )
    return results


def start_button() -> InlineQueryResultsButton:
    """For a user with no library: opens the private chat with the bot, /start inline."""
    return InlineQueryResultsButton(text=START_BUTTON, start_parameter=START_PARAMETER)
