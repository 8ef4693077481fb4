"""On which local days a review comes: every day, weekdays, chosen weekdays, every other day,
weekly.

A rhythm is a set of weekdays and a least number of days between two reviews. It knows
nothing of a chat: the chat's daily review uses one, and anything else scheduled by days
can use its own. Pure functions: the reader's words in, a compact text to store, and the
next local date a review may come.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.library.errors import LibraryError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as stored and as ``date.weekday()`` numbers them (Monday is 0)."""
_ALL = frozenset(range(7))
_WORK = frozenset(range(5))
_WEEKEND = frozenset({5, 6})
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SEPARATORS = re.compile(r"[\s,;/&+]+")
_PHRASES = {
    # The words of one rule, spaces and hyphens removed.
    "daily": "daily",
    "everyday": "daily",
    "all": "daily",
    "weekdays": "weekdays",
    "workdays": "weekdays",
    "weekends": "weekends",
    "weekend": "weekends",
    "everyotherday": "every2",
    "otherday": "every2",
    "alternatedays": "every2",
    "every2days": "every2",
    "every2": "every2",
    "weekly": "weekly",
    "onceaweek": "weekly",
    "everyweek": "weekly",
}


@dataclass(frozen=True, slots=True)
class Rhythm:
    """On which weekdays a review may come, and how many days at least lie between two."""

    weekdays: frozenset[int] = _ALL
    gap: int = 1

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= _ALL or not 1 <= self.gap <= 7:
            raise ValueError(f"not a rhythm: weekdays {sorted(self.weekdays)}, gap {self.gap}")

    def allows(self, day: date, *, last: date | None) -> bool:
        """Whether a review may come on ``day`` when the one before came on ``last``."""
        return day.weekday() in self.weekdays and (last is None or (day - last).days >= self.gap)

    def first_day(self, earliest: date, *, last: date | None) -> date:
        """The first day from ``earliest`` on that a review may come."""
        day = earliest
        while not self.allows(day, last=last):
            day += timedelta(days=1)
        return day

    @property
    def is_every_day(self) -> bool:
        return self == EVERY_DAY


EVERY_DAY = Rhythm()
WORKDAYS = Rhythm(_WORK)
WEEKENDS = Rhythm(_WEEKEND)
EVERY_OTHER_DAY = Rhythm(gap=2)
WEEKLY = Rhythm(gap=7)
_NAMED = {
    "daily": EVERY_DAY,
    "weekdays": WORKDAYS,
    "weekends": WEEKENDS,
    "every2": EVERY_OTHER_DAY,
    "weekly": WEEKLY,
}


def encode(rhythm: Rhythm) -> str:
    """The rhythm as stored: a name (``daily``, ``weekly``...) or weekdays (``mon,wed,fri``)."""
    for name, named in _NAMED.items():
        if named == rhythm:
            return name
    if rhythm.gap != 1:
        raise ValueError(f"no stored form for a gap of {rhythm.gap} on chosen weekdays")
    return ",".join(WEEKDAYS[number] for number in sorted(rhythm.weekdays))


def decode(stored: str) -> Rhythm:
    """A stored rhythm; anything unreadable is every day, as it was before rhythms existed."""
    if stored in _NAMED:
        return _NAMED[stored]
    numbers = {WEEKDAYS.index(name) for name in stored.split(",") if name in WEEKDAYS}
    return Rhythm(frozenset(numbers)) if numbers else EVERY_DAY


def parse(words: str) -> Rhythm:
    """The reader's words (``every day``, ``weekdays``, ``mon wed fri``, ``every other day``,
    ``weekly``) as a rhythm; LibraryError saying what was not understood otherwise."""
    phrase = re.sub(r"[\s\-_]+", "", words.strip().lower())
    if phrase in _PHRASES:
        return _NAMED[_PHRASES[phrase]]
    tokens = [token for token in _SEPARATORS.split(words.strip().lower()) if token]
    if not tokens:
        raise LibraryError("Say which days, for example /days weekdays or /days mon wed fri.")
    numbers: set[int] = set()
    for token in tokens:
        number = _weekday(token)
        if number is None:
            raise LibraryError(
                f"“{token}” is not a day I know. Use every day, weekdays, every other day, "
                "weekly, or days of the week such as mon wed fri."
            )
        numbers.add(number)
    return Rhythm(frozenset(numbers))


def _weekday(token: str) -> int | None:
    """A weekday's number from its name or an abbreviation of three letters or more."""
    word = token.rstrip(".")
    if len(word) < 2:
        return None
    matches = {n for n, name in enumerate(_FULL_NAMES) if name.startswith(word)}
    # "tu", "th", "sa", "su" are unambiguous; "t" or "s" alone are not.
    return matches.pop() if len(matches) == 1 else None
