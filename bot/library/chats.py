"""A chat's own settings: delivery time, time zone, mode, tag weights, pause."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select, update
from sqlmodel import Session, col

from bot.delivery import rhythm
from bot.library import selection
from bot.library._sql import insert_ignore
from bot.library.errors import LibraryError
from bot.library.tagging import ensure_tags, tag_name
from bot.models import Chat, ReviewTheme, Tag, table_of, utcnow
from bot.parsers.tags import tag_key

MAX_WEIGHT = 100
MAX_REVIEW = 15
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_SPAN = re.compile(r"^(\d{1,3})\s*(d|days?|w|weeks?)$", re.IGNORECASE)
MAX_SNOOZE = timedelta(days=365)


@dataclass(slots=True)
class ChatSettings:
    """Everything /settings shows."""

    chat_id: int
    timezone: str
    delivery_time: str
    mode: str
    paused: bool
    active: bool
    review_size: int = 1
    streaks: bool = True
    days: rhythm.Rhythm = rhythm.EVERY_DAY
    snoozed_until: datetime | None = None
    """The end of a snooze still running, else None."""
    weights: list[tuple[str, int]] = field(default_factory=list)
    """Tags whose weight is not the default 1, heaviest first."""


def ensure_chat(session: Session, *, chat_id: int) -> None:
    """Create the chat's row if it has none yet (safe under concurrency)."""
    insert_ignore(session, table_of(Chat), [{"id": chat_id, "created_at": utcnow()}])


def _chat(session: Session, chat_id: int) -> Chat:
    ensure_chat(session, chat_id=chat_id)
    chat = session.get(Chat, chat_id)
    assert chat is not None
    return chat


def get_settings(
    session: Session, *, chat_id: int, default_timezone: str, now: datetime | None = None
) -> ChatSettings:
    """The chat's settings, with the configured default time zone filled in; a snooze over
    by ``now`` is not shown."""
    chat = _chat(session, chat_id)
    weights = session.execute(
        select(col(Tag.name), col(Tag.weight))
        .where(col(Tag.chat_id) == chat_id, col(Tag.weight) != 1)
        .order_by(col(Tag.weight).desc(), col(Tag.name))
    ).all()
    return ChatSettings(
        chat_id=chat_id,
        timezone=chat.timezone or default_timezone,
        delivery_time=chat.delivery_time,
        mode=chat.mode,
        paused=chat.paused,
        active=chat.active,
        review_size=chat.review_size,
        streaks=chat.streaks,
        days=rhythm.decode(chat.days),
        snoozed_until=_snooze_running(chat, now or utcnow()),
        weights=[(name, weight) for name, weight in weights],
    )


def parse_time(raw: str) -> str:
    """``8:05``, ``08:05``, ``20.30`` or ``7h15`` as ``HH:MM``; LibraryError otherwise."""
    match = _TIME.match(raw.strip())
    if match is None:
        raise LibraryError(f"“{raw}” is not a time of day; use HH:MM, for example 07:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_timezone(raw: str) -> str:
    """An IANA zone (``Europe/Berlin``, any case) or a UTC offset (``+05:45``), normalised."""
    value = raw.strip()
    if offset := _OFFSET.match(value):
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        furthest = 12 if sign == "-" else 14  # no place on Earth lives outside -12:00..+14:00
        if minutes >= 60 or hours * 60 + minutes > furthest * 60:
            raise LibraryError(f"“{raw}” is not a UTC offset; offsets run from -12:00 to +14:00.")
        return f"{sign}{hours:02d}:{minutes:02d}"
    names = {name.casefold(): name for name in available_timezones()}
    name = names.get(value.casefold())
    if name is None:
        raise LibraryError(
            f"“{raw}” is not a time zone I know. Use a name like Europe/Berlin or "
            "America/New_York, or an offset like +05:45."
        )
    return name


def zone(name: str) -> tzinfo:
    """The tzinfo for a stored time zone (IANA name or ``+HH:MM`` offset)."""
    if offset := _OFFSET.match(name):
        sign = -1 if offset.group(1) == "-" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
        return timezone(sign * delta) if delta else UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_now(name: str, now: datetime | None = None) -> datetime:
    """The current time in a stored time zone."""
    return (now or datetime.now(UTC)).astimezone(zone(name))


def set_delivery_time(session: Session, *, chat_id: int, value: str) -> str:
    """Set the local time of the daily highlight; returns the normalised ``HH:MM``."""
    chat = _chat(session, chat_id)
    chat.delivery_time = parse_time(value)
    _unschedule(chat)
    return chat.delivery_time


def set_timezone(session: Session, *, chat_id: int, value: str) -> str:
    """Set the chat's time zone; returns the normalised name."""
    chat = _chat(session, chat_id)
    chat.timezone = parse_timezone(value)
    _unschedule(chat)
    # Scheduled themes come at their time in the chat's zone: the scheduler works them out
    # again too.
    themes = table_of(ReviewTheme)
    session.execute(
        update(themes)
        .where(themes.c.chat_id == chat_id, themes.c.delivery_time.is_not(None))
        .values(next_due_at=None, next_due_date=None)
    )
    return chat.timezone


def _unschedule(chat: Chat) -> None:
    """Forget the computed due time; the delivery scheduler works out the new one."""
    chat.next_due_at = None
    chat.next_due_date = None


def set_mode(session: Session, *, chat_id: int, value: str) -> selection.DeliveryMode:
    """Choose how the daily highlight is picked (``selection.DeliveryMode``)."""
    try:
        mode = selection.DeliveryMode(value.strip().lower())
    except ValueError:
        choices = " or ".join(selection.DeliveryMode)
        raise LibraryError(f"“{value}” is not a mode; choose {choices}.") from None
    _chat(session, chat_id).mode = mode
    selection.reshuffle(session, chat_id=chat_id, mode=mode, rng=random.Random(), pending_only=True)
    return mode


def set_days(session: Session, *, chat_id: int, words: str) -> rhythm.Rhythm:
    """Set on which days the review comes (``rhythm.parse`` reads the words)."""
    days = rhythm.parse(words)
    chat = _chat(session, chat_id)
    chat.days = rhythm.encode(days)
    _unschedule(chat)
    return days


def set_paused(session: Session, *, chat_id: int, paused: bool) -> None:
    """Pause daily delivery until /resume, or resume it (ending a snooze too)."""
    chat = _chat(session, chat_id)
    chat.paused = paused
    if chat.paused_until is not None:
        # The due time was put after the snooze: the scheduler works it out again from now.
        chat.paused_until = None
        _unschedule(chat)


def parse_span(raw: str) -> timedelta:
    """``7d``, ``3 days``, ``2w`` as a length of time; LibraryError otherwise."""
    match = _SPAN.match(raw.strip())
    if match is None:
        raise LibraryError(f"“{raw}” is not a length of time; use days or weeks, like 7d or 2w.")
    count, unit = int(match.group(1)), match.group(2).lower()
    span = timedelta(weeks=count) if unit.startswith("w") else timedelta(days=count)
    if not timedelta(days=1) <= span <= MAX_SNOOZE:
        raise LibraryError("A pause runs from 1 day to 365 days (52w).")
    return span


def snooze(session: Session, *, chat_id: int, span: str, now: datetime) -> datetime:
    """Pause daily delivery for ``span`` (``parse_span``); it resumes by itself. Returns
    the moment it ends."""
    length = parse_span(span)
    chat = _chat(session, chat_id)
    chat.paused = False
    chat.paused_until = now + length
    _unschedule(chat)
    return chat.paused_until


def _snooze_running(chat: Chat, now: datetime) -> datetime | None:
    until = chat.paused_until
    return until if until is not None and until > now else None


def set_review_size(session: Session, *, chat_id: int, value: str) -> int:
    """Set how many highlights the daily review holds; LibraryError outside 1..MAX_REVIEW."""
    raw = value.strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REVIEW:
        raise LibraryError(
            f"“{raw}” is not a review size; choose a number from 1 to {MAX_REVIEW}, "
            "for example /review 5."
        )
    _chat(session, chat_id).review_size = int(raw)
    return int(raw)


def set_streaks(session: Session, *, chat_id: int, shown: bool) -> None:
    """Show or hide the reader's streak."""
    _chat(session, chat_id).streaks = shown


def set_active(session: Session, *, chat_id: int, active: bool) -> None:
    """Mark whether the bot may write to the chat (Telegram refused it, or /start came)."""
    _chat(session, chat_id).active = active


def set_tag_weight(session: Session, *, chat_id: int, tag: str, weight: int) -> tuple[str, int]:
    """Set how much weighted delivery favours a tag (0 = never); creates the tag if needed.

    ``tag`` is the tag as a command names it (``tagging.tag_name``); the result has the
    tag's name as the chat spells it.
    """
    name = tag_name(tag)
    if name is None:
        raise LibraryError("Name a tag, for example /weight culture 3.")
    if not 0 <= weight <= MAX_WEIGHT:
        raise LibraryError(f"A weight runs from 0 (never) to {MAX_WEIGHT}.")
    ensure_chat(session, chat_id=chat_id)
    stored = ensure_tags(session, chat_id=chat_id, names=[name])[tag_key(name)]
    row = session.get(Tag, stored.id)
    assert row is not None
    row.weight = weight
    session.flush()
    chat = _chat(session, chat_id)
    if selection.DeliveryMode(chat.mode).follows_tags:
        selection.reshuffle(
            session, chat_id=chat_id, mode=chat.mode, rng=random.Random(), pending_only=True
        )
    return stored.name, weight
