"""The days a review may come: the reader's words, their stored form, the next allowed day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import rhythm
from bot.delivery.rhythm import EVERY_DAY, EVERY_OTHER_DAY, WEEKLY, WORKDAYS, Rhythm
from bot.delivery.schedule import next_due
from bot.library.errors import LibraryError

MONDAY = date(2026, 3, 23)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("every day", EVERY_DAY),
        ("Daily", EVERY_DAY),
        ("weekdays", WORKDAYS),
        ("mon tue wed thu fri", WORKDAYS),
        ("mon wed fri", Rhythm(frozenset({0, 2, 4}))),
        ("Monday, Wednesday & Friday", Rhythm(frozenset({0, 2, 4}))),
        ("tu th", Rhythm(frozenset({1, 3}))),
        ("sun", Rhythm(frozenset({6}))),
        ("every other day", EVERY_OTHER_DAY),
        ("every-other-day", EVERY_OTHER_DAY),
        ("weekly", WEEKLY),
        ("once a week", WEEKLY),
        ("weekends", Rhythm(frozenset({5, 6}))),
    ],
)
def test_words_become_a_rhythm_that_is_stored_and_read_back(words: str, expected: Rhythm) -> None:
    parsed = rhythm.parse(words)
    assert parsed == expected
    stored = rhythm.encode(parsed)
    assert len(stored) <= 32
    assert rhythm.decode(stored) == expected


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("", "Say which days, for example /days weekdays or /days mon wed fri."),
        ("mon funday", "“funday” is not a day I know."),
        ("t", "“t” is not a day I know."),
        ("s", "“s” is not a day I know."),
        ("every third day", "“every” is not a day I know."),
    ],
)
def test_words_that_are_not_days_say_which_word(words: str, message: str) -> None:
    with pytest.raises(LibraryError) as refused:
        rhythm.parse(words)
    assert str(refused.value).startswith(message)


def test_an_unreadable_stored_rhythm_is_every_day() -> None:
    assert rhythm.decode("") == EVERY_DAY
    assert rhythm.decode("someday") == EVERY_DAY
    assert rhythm.encode(EVERY_DAY) == "daily"
    assert rhythm.encode(Rhythm(frozenset({4, 0}))) == "mon,fri"


def test_a_rhythm_must_allow_some_day() -> None:
    with pytest.raises(ValueError):
        Rhythm(frozenset())
    with pytest.raises(ValueError):
        Rhythm(gap=0)


def test_first_day_follows_weekdays_and_the_gap() -> None:
    mwf = rhythm.parse("mon wed fri")
    assert mwf.first_day(MONDAY, last=None) == MONDAY
    assert mwf.first_day(MONDAY + timedelta(days=1), last=MONDAY) == date(2026, 3, 25)
    assert mwf.first_day(date(2026, 3, 28), last=None) == date(2026, 3, 30)  # Sat -> Mon
    assert EVERY_OTHER_DAY.first_day(MONDAY + timedelta(days=1), last=MONDAY) == date(2026, 3, 25)
    assert WEEKLY.first_day(MONDAY + timedelta(days=1), last=MONDAY) == date(2026, 3, 30)
    # A review long ago does not hold the next one back.
    assert WEEKLY.first_day(MONDAY, last=MONDAY - timedelta(days=30)) == MONDAY


def _a_year(days: Rhythm, zone: str, start: datetime) -> list[date]:
    """The days a chat at 08:00 local gets its review over a year, claimed one after another."""
    last: date | None = None
    now = start
    claimed = []
    for _ in range(400):
        day, at = next_due(now, "08:00", zone, last_claimed=last, rhythm=days)
        if day.year > start.year:
            break
        local = at.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute, local.date()) == (8, 0, day)
        claimed.append(day)
        last, now = day, at + timedelta(seconds=1)
    return claimed


def test_weekdays_across_both_dst_changes_land_at_eight_on_weekdays_only() -> None:
    days = _a_year(WORKDAYS, "Europe/Berlin", datetime(2026, 1, 1, tzinfo=UTC))
    assert all(day.weekday() < 5 for day in days)
    assert len(days) == len(set(days)) == 261  # every weekday of 2026, each once
    # The Monday after each change comes at 08:00 local: 06:00 UTC in summer, 07:00 in winter.
    assert date(2026, 3, 30) in days and date(2026, 10, 26) in days


def test_every_other_day_keeps_its_step_across_the_spring_change() -> None:
    days = _a_year(EVERY_OTHER_DAY, "America/New_York", datetime(2026, 3, 1, tzinfo=UTC))
    gaps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
    assert gaps == {2}
    assert date(2026, 3, 8) in days or date(2026, 3, 9) in days  # the change day itself is fine


def test_weekly_is_seven_local_days_apart_across_the_autumn_change() -> None:
    days = _a_year(WEEKLY, "Europe/Berlin", datetime(2026, 10, 1, 12, tzinfo=UTC))
    assert days[:6] == [date(2026, 10, 2) + timedelta(weeks=n) for n in range(6)]
