"""Inline mode: what ``@bot words`` offers from the querying user's own library."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.library.cards import DEFAULT_THEME
from bot.library.search import search
from bot.library.views import HighlightView, load_views
from bot.models import Chat, Highlight, QuoteCard

INLINE_PAGE = 10
_SHARE = re.compile(r"share:(\d{1,18})")


@dataclass(slots=True)
class InlinePage:
    """One page of inline results; ``next_offset`` None when there are no more."""

    hits: list[HighlightView] = field(default_factory=list)
    next_offset: int | None = None
    has_library: bool = True
    cards: dict[int, str] = field(default_factory=dict)
    """Highlight id -> the file_id of a card Telegram already has, in the chat's theme if one."""


def share_query(highlight_id: int) -> str:
    """The inline query the ↗ Share button types: this one highlight."""
    return f"share:{highlight_id}"


def inline_page(
    session: Session, *, chat_id: int, query: str, offset: int, limit: int = INLINE_PAGE
) -> InlinePage:
    """Highlights of this chat for an inline query: a search, or with no words its favorites
    and then its most recent highlights; ``share:ID`` is that one highlight."""
    query = " ".join(query.split())
    if not session.execute(
        select(col(Highlight.id)).where(col(Highlight.chat_id) == chat_id).limit(1)
    ).first():
        return InlinePage(has_library=False)
    page = InlinePage()
    shared = _SHARE.fullmatch(query)
    if shared:
        page.hits = [] if offset else load_views(session, chat_id=chat_id, ids=[int(shared[1])])
    elif query:
        # An inline result shows the start of the highlight: no snippets to build.
        found = search(
            session, chat_id=chat_id, query=query, limit=limit, offset=offset, with_snippets=False
        )
        page.hits = found.hits
        if offset + len(found.hits) < found.total:
            page.next_offset = offset + limit
    else:
        ids = _favorites_then_recent(session, chat_id, offset, limit + 1)
        page.hits = load_views(session, chat_id=chat_id, ids=ids[:limit])
        if len(ids) > limit:
            page.next_offset = offset + limit
    page.cards = _cards(session, chat_id, [hit.id for hit in page.hits])
    return page


def _favorites_then_recent(session: Session, chat_id: int, offset: int, limit: int) -> list[int]:
    """Ids of the chat's highlights that are not discarded: favorites, then the others, each
    newest first; ``limit`` of them from ``offset``."""
    kept = (col(Highlight.chat_id) == chat_id, col(Highlight.discarded).is_(False))
    favorites = session.execute(
        select(func.count()).where(*kept, col(Highlight.favorite).is_(True))
    ).scalar_one()
    ids: list[int] = []
    if offset < favorites:
        ids += session.execute(
            select(col(Highlight.id))
            .where(*kept, col(Highlight.favorite).is_(True))
            .order_by(col(Highlight.id).desc())
            .offset(offset)
            .limit(limit)
        ).scalars()
    if len(ids) < limit:
        ids += session.execute(
            select(col(Highlight.id))
            .where(*kept, col(Highlight.favorite).is_(False))
            .order_by(col(Highlight.id).desc())
            .offset(max(offset - favorites, 0))
            .limit(limit - len(ids))
        ).scalars()
    return ids


def _cards(session: Session, chat_id: int, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    theme = (
        session.execute(
            select(col(Chat.card_theme)).where(col(Chat.id) == chat_id)
        ).scalar_one_or_none()
        or DEFAULT_THEME
    )
    rows = session.execute(
        select(col(QuoteCard.highlight_id), col(QuoteCard.theme), col(QuoteCard.file_id)).where(
            col(QuoteCard.highlight_id).in_(ids)
        )
    ).all()
    cards: dict[int, str] = {}
    # The chat's own theme wins; otherwise any card of the highlight will do.
    for highlight_id, _, file_id in sorted(rows, key=lambda row: row[1] == theme):
        cards[highlight_id] = file_id
    return cards
