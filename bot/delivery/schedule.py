"""When a chat's daily highlight is due, in its own time zone, across daylight-saving changes.

Pure functions over aware datetimes: the clock is always passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.delivery.rhythm import EVERY_DAY, Rhythm
from bot.library.chats import zone


def parse_hhmm(value: str) -> time:
    """``"08:00"`` as a time (settings are stored normalised)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_date(now: datetime, timezone_name: str) -> date:
    """The chat's calendar date at ``now``."""
    return now.astimezone(zone(timezone_name)).date()


def due_at(day: date, delivery_time: str, timezone_name: str) -> datetime:
    """The UTC instant of ``delivery_time`` on ``day`` in the chat's zone.

    With ``fold=0`` (PEP 495) a wall time skipped by a spring-forward change lands the
    length of the gap later (02:30 becomes 03:30), and a wall time that happens twice in
    autumn is taken at its first occurrence.
    """
    wall = datetime.combine(day, parse_hhmm(delivery_time))
    return wall.replace(tzinfo=zone(timezone_name), fold=0).astimezone(UTC)


def next_due(
    now: datetime,
    delivery_time: str,
    timezone_name: str,
    *,
    last_claimed: date | None,
    rhythm: Rhythm = EVERY_DAY,
) -> tuple[date, datetime]:
    """The first day after ``last_claimed`` that the ``rhythm`` allows and whose delivery
    time is still ahead of ``now``.

    This is how a chat is scheduled when it is new or its time, zone or days changed: a time
    that has already passed today means the next allowed day. (A chat already scheduled whose
    time passed while the bot was down is still served that same day: see
    ``claims.claim_due_batch``.)
    """
    day = local_date(now, timezone_name)
    if last_claimed is not None and last_claimed >= day:
        day = last_claimed + timedelta(days=1)
    day = rhythm.first_day(day, last=last_claimed)
    while due_at(day, delivery_time, timezone_name) <= now:
        day = rhythm.first_day(day + timedelta(days=1), last=last_claimed)
    return day, due_at(day, delivery_time, timezone_name)
