"""Which bot message shows which highlight, and saved searches for paging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from bot.library._sql import insert_ignore
from bot.library.chats import ensure_chat
from bot.models import BotMessage, Chat, SavedSearch, table_of, utcnow


def remember_messages(
    session: Session, *, chat_id: int, message_ids: Iterable[int], highlight_id: int
) -> None:
    """Record that these messages show this highlight."""
    remember_shown(session, shown=[(chat_id, m, highlight_id) for m in message_ids])


def remember_shown(session: Session, *, shown: Sequence[tuple[int, int, int]]) -> None:
    """Record many (chat id, message id, highlight id) at once: a few statements in all."""
    if not shown:
        return
    now = utcnow()
    chats = sorted({chat_id for chat_id, _, _ in shown})
    insert_ignore(session, table_of(Chat), [{"id": c, "created_at": now} for c in chats])
    insert_ignore(
        session,
        table_of(BotMessage),
        [
            {"chat_id": c, "message_id": m, "highlight_id": h, "created_at": now}
            for c, m, h in shown
        ],
    )


def highlight_for_message(session: Session, *, chat_id: int, message_id: int) -> int | None:
    """The highlight a bot message in this chat shows, if any."""
    return session.execute(
        select(col(BotMessage.highlight_id)).where(
            col(BotMessage.chat_id) == chat_id, col(BotMessage.message_id) == message_id
        )
    ).scalar_one_or_none()


def save_search(session: Session, *, chat_id: int, query: str) -> int:
    """Keep a query so its result pages can be turned later; returns its id."""
    ensure_chat(session, chat_id=chat_id)
    saved = SavedSearch(chat_id=chat_id, query=query)
    session.add(saved)
    session.flush()
    assert saved.id is not None
    return saved.id


def load_search(session: Session, *, chat_id: int, search_id: int) -> str | None:
    """A saved query of this chat (None for another chat's id)."""
    saved = session.get(SavedSearch, search_id)
    return saved.query if saved is not None and saved.chat_id == chat_id else None
