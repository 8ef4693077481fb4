"""Themed reviews on their own time and days, exactly once per (chat, theme, local date).

A scheduled theme is claimed like the daily review, through the same ``delivery`` rows and
unique constraint: its ``review`` is ``theme:NAME``. The engine sends its claims with the
daily ones, so crashes, restarts and replicas are handled as they are for the daily review.
A theme comes only while the chat's daily delivery runs (not paused, not snoozed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from bot.delivery import claims, rhythm
from bot.delivery.on_demand import AlreadySent, Taken, take_claimed
from bot.delivery.schedule import due_at, local_date, next_due
from bot.library.chats import ensure_chat, parse_time
from bot.library.errors import LibraryError
from bot.library.themes import get_theme, pick_theme, review_of
from bot.models import Chat, Delivery, ReviewTheme

THEME_BATCH = 200
"""Themes claimed in one transaction."""


@dataclass(frozen=True, slots=True)
class ThemeSchedule:
    """When a theme comes on its own: at ``delivery_time`` on ``days`` (None: only asked)."""

    name: str
    delivery_time: str | None
    days: rhythm.Rhythm


def set_schedule(
    session: Session,
    *,
    chat_id: int,
    name: str,
    words: str,
    now: datetime,
    default_timezone: str,
) -> ThemeSchedule:
    """``at 19:00 weekdays`` (``at`` and the days optional) schedules the theme; ``off``
    stops it coming on its own. LibraryError, changing nothing, if the words are not that."""
    theme = get_theme(session, chat_id=chat_id, name=name)
    tokens = words.split()
    if [t.lower() for t in tokens] == ["off"]:
        theme.delivery_time, theme.next_due_at, theme.next_due_date = None, None, None
        return ThemeSchedule(theme.name, None, rhythm.decode(theme.days))
    if tokens and tokens[0].lower() == "at":
        tokens = tokens[1:]
    if not tokens:
        raise LibraryError(
            f"Say when, for example /theme {theme.name} at 19:00 weekdays, or "
            f"/theme {theme.name} off."
        )
    at = parse_time(tokens[0])
    days = rhythm.parse(" ".join(tokens[1:])) if tokens[1:] else rhythm.EVERY_DAY
    theme.delivery_time, theme.days = at, rhythm.encode(days)
    chat = session.get(Chat, chat_id)
    assert chat is not None
    _reschedule(session, theme, chat.timezone or default_timezone, now)
    return ThemeSchedule(theme.name, at, days)


def _last_claimed(session: Session, theme: ReviewTheme) -> date | None:
    return session.execute(
        select(func.max(col(Delivery.local_date))).where(
            col(Delivery.chat_id) == theme.chat_id,
            col(Delivery.review) == review_of(theme.name),
        )
    ).scalar_one_or_none()


def _reschedule(session: Session, theme: ReviewTheme, zone_name: str, now: datetime) -> None:
    assert theme.delivery_time is not None
    theme.next_due_date, theme.next_due_at = next_due(
        now,
        theme.delivery_time,
        zone_name,
        last_claimed=_last_claimed(session, theme),
        rhythm=rhythm.decode(theme.days),
    )


def schedule_new_themes(
    session: Session, *, now: datetime, default_timezone: str, limit: int = THEME_BATCH
) -> int:
    """Give scheduled themes without a due time (new, or their chat's zone changed) one."""
    rows = session.execute(
        select(ReviewTheme, col(Chat.timezone))
        .join(Chat, col(Chat.id) == col(ReviewTheme.chat_id))
        .where(col(ReviewTheme.delivery_time).is_not(None), col(ReviewTheme.next_due_at).is_(None))
        .limit(limit)
    ).all()
    for theme, timezone in rows:
        _reschedule(session, theme, timezone or default_timezone, now)
    return len(rows)


def claim_due_themes(
    session: Session,
    *,
    now: datetime,
    default_timezone: str,
    limit: int = THEME_BATCH,
    rng: random.Random | None = None,
) -> tuple[int, int]:
    """Claim today's review of every theme that is due and pick its highlights; returns
    (themes taken, reviews claimed with something to send), as ``claims.claim_due_batch``.

    As for the daily review, only the chat's current local day is ever claimed; a day the
    bot missed is skipped."""
    statement = (
        select(ReviewTheme, col(Chat.timezone), col(Chat.review_size))
        .join(Chat, col(Chat.id) == col(ReviewTheme.chat_id))
        .where(
            col(ReviewTheme.next_due_at) <= now,
            col(Chat.active).is_(True),
            col(Chat.paused).is_(False),
            or_(col(Chat.paused_until).is_(None), col(Chat.paused_until) <= now),
        )
        .order_by(col(ReviewTheme.next_due_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(of=ReviewTheme, skip_locked=True)
    due = session.execute(statement).all()
    sent = 0
    for theme, timezone, size in due:
        zone_name = timezone or default_timezone
        today = local_date(now, zone_name)
        day = theme.next_due_date or today
        if day < today:
            day = rhythm.decode(theme.days).first_day(today, last=None)
            if due_at(day, theme.delivery_time, zone_name) > now:
                theme.next_due_date = day
                theme.next_due_at = due_at(day, theme.delivery_time, zone_name)
                continue
        new = claims.insert_claims(session, {theme.chat_id: day}, now, review_of(theme.name))
        if new:
            sent += _fix(
                session,
                new[theme.chat_id],
                pick_theme(session, theme=theme, size=size, now=now, rng=rng),
            )
        _reschedule(session, theme, zone_name, now)
    session.flush()
    return len(due), sent


def _fix(session: Session, delivery_id: int, ids: list[int]) -> int:
    """Fix a claimed review's highlights (``empty`` if there are none); 1 if it has some."""
    delivery = session.get(Delivery, delivery_id)
    assert delivery is not None
    delivery.highlight_id = ids[0] if ids else None
    delivery.highlight_ids = ",".join(map(str, ids)) if len(ids) > 1 else None
    delivery.size = max(len(ids), 1)
    delivery.status = claims.CLAIMED if ids else claims.EMPTY
    session.flush()
    return int(bool(ids))


def take_now(
    session: Session,
    *,
    chat_id: int,
    name: str,
    now: datetime,
    default_timezone: str,
    rng: random.Random | None = None,
) -> Taken | AlreadySent | None:
    """Claim the theme's review of today for sending now (it counts as today's scheduled
    one); None when no highlight matches. UnknownTheme if the chat has no such theme."""
    ensure_chat(session, chat_id=chat_id)
    theme = get_theme(session, chat_id=chat_id, name=name)
    chat = session.get(Chat, chat_id)
    assert chat is not None
    zone_name = chat.timezone or default_timezone
    today = local_date(now, zone_name)
    review = review_of(theme.name)
    new = claims.insert_claims(session, {chat_id: today}, now, review)
    if new:
        ids = pick_theme(session, theme=theme, size=chat.review_size, now=now, rng=rng)
        _fix(session, new[chat_id], ids)
        if theme.delivery_time is not None:
            _reschedule(session, theme, zone_name, now)
    return take_claimed(session, chat_id=chat_id, review=review, day=today, now=now)
