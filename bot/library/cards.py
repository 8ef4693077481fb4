"""Quote cards: which theme a chat uses, and the cards Telegram already has (by file_id)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from bot.library.browsing import get_highlight
from bot.library.chats import ensure_chat
from bot.library.views import HighlightView
from bot.models import Chat, QuoteCard

THEMES = ("light", "dark", "sepia")
DEFAULT_THEME = "light"


@dataclass(frozen=True, slots=True)
class CardRequest:
    """A card to send: the highlight, the theme, and the file_id if Telegram has it already."""

    view: HighlightView
    theme: str
    fingerprint: str
    file_id: str | None


def card_fingerprint(view: HighlightView) -> str:
    """What a card shows, hashed: the same card is the same text, book and author."""
    shown = "\x1f".join((view.text, view.book_title, view.author))
    return hashlib.sha256(shown.encode()).hexdigest()


def request_card(
    session: Session, *, chat_id: int, highlight_id: int, theme: str | None = None
) -> CardRequest | None:
    """The card of a highlight of this chat (None: not in its library). A ``theme`` given
    becomes the chat's theme; without one the chat's own (or the default) is used."""
    view = get_highlight(session, chat_id=chat_id, highlight_id=highlight_id)
    if view is None:
        return None
    if theme is None:
        theme = session.execute(
            select(col(Chat.card_theme)).where(col(Chat.id) == chat_id)
        ).scalar_one_or_none()
    else:
        if theme not in THEMES:
            raise ValueError(f"unknown card theme {theme!r}")
        ensure_chat(session, chat_id=chat_id)
        session.execute(update(Chat).where(col(Chat.id) == chat_id).values(card_theme=theme))
    theme = theme or DEFAULT_THEME
    fingerprint = card_fingerprint(view)
    file_id = session.execute(
        select(col(QuoteCard.file_id)).where(
            col(QuoteCard.highlight_id) == highlight_id,
            col(QuoteCard.theme) == theme,
            col(QuoteCard.fingerprint) == fingerprint,
        )
    ).scalar_one_or_none()
    return CardRequest(view=view, theme=theme, fingerprint=fingerprint, file_id=file_id)


def remember_card(session: Session, *, request: CardRequest, file_id: str) -> None:
    """Keep the file_id Telegram gave the card, replacing an older card of the same theme."""
    highlight_id = request.view.id
    session.execute(
        delete(QuoteCard).where(
            col(QuoteCard.highlight_id) == highlight_id, col(QuoteCard.theme) == request.theme
        )
    )
    session.add(
        QuoteCard(
            highlight_id=highlight_id,
            theme=request.theme,
            fingerprint=request.fingerprint,
            file_id=file_id,
        )
    )
    session.flush()
