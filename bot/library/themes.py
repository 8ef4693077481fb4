"""Themed reviews: a chat's saved ``/search`` queries, each a review of its own.

A theme's review draws from the query's matches (at most ``search.MATCH_LIMIT``, the ones
``/search`` ranks first), found afresh each time so new highlights join in. Matches that
feedback made due come first, earliest due first; the rest come in random order without
repeating until every match has come once (the theme's round, kept in ``shown``). Discarded
highlights and books set to Never never come; other book and tag weights play no part: the
theme already says what to draw on.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.library import picking, recall
from bot.library.chats import ensure_chat
from bot.library.errors import LibraryError
from bot.library.search import matching_ids, parse_query
from bot.library.selection import Frequency
from bot.models import Book, Highlight, ReviewTheme

_NAME = re.compile(r"[\w-]{1,24}")
ADD = frozenset({"add", "new", "save"})
DELETE = frozenset({"del", "delete", "rm", "remove"})
RESERVED = ADD | DELETE | {"list"}
"""Words of ``/theme`` itself, which a theme cannot be called."""


REVIEW_PREFIX = "theme:"
"""A theme's reviews are deliveries whose ``review`` is this and the theme's name."""


def review_of(name: str) -> str:
    """The ``review`` of a theme's deliveries."""
    return REVIEW_PREFIX + name


def theme_of(review: str) -> str | None:
    """The theme a delivery's ``review`` names; None for the daily review."""
    return review.removeprefix(REVIEW_PREFIX) if review.startswith(REVIEW_PREFIX) else None


class UnknownTheme(LibraryError):
    """The chat has no theme of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"You have no theme called “{name}”. /theme lists yours.")
        self.name = name


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    """A theme as ``/theme`` lists it."""

    name: str
    query: str
    delivery_time: str | None
    days: str


def parse_name(raw: str) -> str:
    """A theme's name as stored (lower case); LibraryError if it cannot be one."""
    name = raw.strip().lower()
    if not _NAME.fullmatch(name):
        raise LibraryError(
            f"“{raw}” cannot name a theme: use one word of up to 24 letters, digits, - or _."
        )
    if name in RESERVED:
        raise LibraryError(f"“{name}” is a word of /theme itself: choose another name.")
    return name


def get_theme(session: Session, *, chat_id: int, name: str) -> ReviewTheme:
    """The chat's theme called ``name``; UnknownTheme if it has none."""
    key = name.strip().lower()
    theme: ReviewTheme | None = session.execute(
        select(ReviewTheme).where(col(ReviewTheme.chat_id) == chat_id, col(ReviewTheme.name) == key)
    ).scalar_one_or_none()
    if theme is None:
        raise UnknownTheme(key)
    return theme


def save_theme(session: Session, *, chat_id: int, name: str, query: str) -> tuple[str, int]:
    """Save (or replace the query of) a theme; its name and how many highlights match now."""
    key = parse_name(name)
    parsed = parse_query(query)
    if parsed.is_empty:
        raise LibraryError(
            "Say what the theme is about, for example /theme add stoic tag:stoicism."
        )
    ensure_chat(session, chat_id=chat_id)
    try:
        theme = get_theme(session, chat_id=chat_id, name=key)
    except UnknownTheme:
        theme = ReviewTheme(chat_id=chat_id, name=key, query=query.strip())
        session.add(theme)
    else:
        theme.query, theme.shown = query.strip(), ""
    session.flush()
    return key, len(matching_ids(session, chat_id=chat_id, query=parsed))


def list_themes(session: Session, *, chat_id: int) -> list[ThemeInfo]:
    """The chat's themes by name."""
    rows = session.execute(
        select(ReviewTheme).where(col(ReviewTheme.chat_id) == chat_id).order_by(ReviewTheme.name)
    ).scalars()
    return [ThemeInfo(t.name, t.query, t.delivery_time, t.days) for t in rows]


def delete_theme(session: Session, *, chat_id: int, name: str) -> str:
    """Delete a theme (its past reviews stay); its name."""
    theme = get_theme(session, chat_id=chat_id, name=name)
    session.delete(theme)
    session.flush()
    return theme.name


def pick_theme(
    session: Session,
    *,
    theme: ReviewTheme,
    size: int,
    now: datetime,
    rng: random.Random | None = None,
) -> list[int]:
    """The theme's next review of ``size`` highlights, marked shown in its round."""
    chat_id = theme.chat_id
    matches = matching_ids(session, chat_id=chat_id, query=parse_query(theme.query))
    if not matches:
        return []
    rows = session.execute(
        select(col(Highlight.id), col(Highlight.due_at), col(Highlight.half_life))
        .join(Book, col(Book.id) == col(Highlight.book_id))
        .where(
            col(Highlight.id).in_(matches),
            col(Highlight.discarded).is_(False),
            col(Book.frequency) != Frequency.NEVER,
        )
    ).all()
    due = sorted((at, hid, half) for hid, at, half in rows if at is not None and at <= now)
    picked = [hid for _, hid, _ in due[:size]]
    shown = {int(part) for part in theme.shown.split(",") if part}
    generator = rng or random.Random()
    fresh = [hid for hid, _, _ in rows if hid not in shown and hid not in picked]
    generator.shuffle(fresh)
    picked += fresh[: size - len(picked)]
    if len(picked) < size:
        # The round is over: the next one starts with the rest of this review.
        shown = set()
        again = [hid for hid, _, _ in rows if hid not in picked]
        generator.shuffle(again)
        picked += again[: size - len(picked)]
    theme.shown = ",".join(map(str, sorted(shown | set(picked))))
    for _, hid, half_life in due[:size]:
        highlight = session.get(Highlight, hid)
        assert highlight is not None
        highlight.due_at = recall.due_at(now, half_life or recall.START_HALF_LIFE)
    session.flush()
    if due:
        picking.refresh_due(session, chat_ids=[chat_id])
    return picked
