"""Due times in the chat's own zone, offsets like +05:45, and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.schedule import due_at, local_date, next_due


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", utc(2026, 3, 10, 8, 0)),
        ("Europe/Berlin", utc(2026, 3, 10, 7, 0)),  # CET, +01:00
        ("Asia/Kathmandu", utc(2026, 3, 10, 2, 15)),  # +05:45
        ("+05:45", utc(2026, 3, 10, 2, 15)),
        ("-03:30", utc(2026, 3, 10, 11, 30)),
        ("America/St_Johns", utc(2026, 3, 10, 10, 30)),  # NDT -02:30 since 8 March
        ("Pacific/Kiritimati", utc(2026, 3, 9, 18, 0)),  # +14:00: the day before in UTC
    ],
)
def test_eight_oclock_in_each_zone(zone: str, expected: datetime) -> None:
    assert due_at(date(2026, 3, 10), "08:00", zone) == expected


def test_daylight_saving_keeps_the_local_hour() -> None:
    # Berlin moves from +01:00 to +02:00 on 29 March 2026 and back on 25 October.
    before, after = date(2026, 3, 28), date(2026, 3, 29)
    assert due_at(before, "08:00", "Europe/Berlin") == utc(2026, 3, 28, 7, 0)
    assert due_at(after, "08:00", "Europe/Berlin") == utc(2026, 3, 29, 6, 0)
    assert due_at(date(2026, 10, 25), "08:00", "Europe/Berlin") == utc(2026, 10, 25, 7, 0)
    # New York: 8 March 2026 (EST -5 -> EDT -4).
    assert due_at(date(2026, 3, 7), "08:00", "America/New_York") == utc(2026, 3, 7, 13, 0)
    assert due_at(date(2026, 3, 8), "08:00", "America/New_York") == utc(2026, 3, 8, 12, 0)


def test_a_skipped_wall_time_moves_forward_and_a_repeated_one_comes_first() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: it is delivered at 03:30 CEST.
    assert due_at(date(2026, 3, 29), "02:30", "Europe/Berlin") == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October 2026: the first time, still CEST.
    assert due_at(date(2026, 10, 25), "02:30", "Europe/Berlin") == utc(2026, 10, 25, 0, 30)


def test_next_due_is_today_while_ahead_then_tomorrow() -> None:
    morning = utc(2026, 6, 1, 5, 0)
    assert next_due(morning, "08:00", "UTC", last_claimed=None) == (
        date(2026, 6, 1),
        utc(2026, 6, 1, 8, 0),
    )
    evening = utc(2026, 6, 1, 20, 0)
    assert next_due(evening, "08:00", "UTC", last_claimed=None)[0] == date(2026, 6, 2)
    assert next_due(morning, "08:00", "UTC", last_claimed=date(2026, 6, 1))[0] == date(2026, 6, 2)


def test_next_due_follows_the_local_calendar_not_utc() -> None:
    # 20:00 UTC on 1 June is already 2 June 01:45 in Kathmandu.
    now = utc(2026, 6, 1, 20, 0)
    assert local_date(now, "Asia/Kathmandu") == date(2026, 6, 2)
    assert next_due(now, "08:00", "Asia/Kathmandu", last_claimed=None) == (
        date(2026, 6, 2),
        utc(2026, 6, 2, 2, 15),
    )


def test_every_day_of_a_dst_year_is_due_exactly_once_at_eight_local() -> None:
    now = utc(2026, 1, 1, 0, 0)
    last: date | None = None
    days = []
    for _ in range(365):
        day, at = next_due(now, "08:00", "Europe/Berlin", last_claimed=last)
        local = at.astimezone(ZoneInfo("Europe/Berlin"))
        assert (local.hour, local.minute, local.date()) == (8, 0, day)
        days.append(day)
        last, now = day, at
    assert len(set(days)) == 365
    assert days[0] == date(2026, 1, 1)
    assert days[-1] == date(2026, 12, 31)
