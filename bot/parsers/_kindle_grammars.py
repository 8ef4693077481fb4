"""The exact details lines Kindle devices write, one anchored grammar per language.

Reading a file of 100,000 clippings fast enough means one regex match per record: each
grammar reads a whole details line (and, wrapped, a whole record) in one go. Anything a
grammar does not fit goes to the keyword reader in _kindle_meta, which the grammars must
agree with; the tests check that they do.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

from bot.parsers._kindle_meta import (
    KIND_WORDS,
    MAX_DETAILS_LENGTH,
    MONTHS,
    Details,
    Fields,
    range_end,
    read_by_keywords,
)

# The pieces the grammars are built from (the whole lines are quoted in docs/formats.md).
# Every repeat is bounded, so no line a grammar reads is longer than MAX_DETAILS_LENGTH and
# the whole-record path needs no length check. The grammars are case-sensitive: they spell
# words as devices write them, and other casings go to the keyword reader.
# An optional part is written "(?:...|)", not "(?:...)?": the same matches, tried in the same
# order, and Python's regex engine enters an empty alternative without setting up a repeat,
# which matters in a pattern matched once per record.
_N = r"\d{1,9}"
_PAGE_TOKEN = r"(?:\d{1,9}|[ivxlcdmIVXLCDM]{1,12})"
# PDFs and personal documents give a page range as their place ("26-26").
_PAGE_NUMBER = rf"(?P<page>{_PAGE_TOKEN}(?:[-\u2013]{_PAGE_TOKEN}|))"
_DUTCH_PAGE = rf"(?P<page>{_PAGE_TOKEN}(?:(?:-| t/m ){_PAGE_TOKEN}|))"
_KIND_WORD = r"(?P<kind>\w{1,24})"
_ENGLISH_KIND = r"(?P<kind>[A-Za-z]{1,24})"
_TIME_OF_DAY = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})|)"
# Thursday, August 22, 2024 7:01:04 PM / Monday, April 30, 2012, 09:35 PM (English devices
# write ASCII names, so the letter classes are ASCII)
_DATE_US = (
    r"(?P<date>[A-Za-z]{1,24}, (?P<month>[A-Za-z]{1,24}) (?P<day>\d{1,2}), (?P<year>\d{4})),? "
    + _TIME_OF_DAY
    + r"(?: (?P<meridiem>[AaPp][Mm])|)"
)
# Thursday, 22 August 2024 / Donnerstag, 22. August 2024 / jueves, 22 de agosto de 2024 /
# jeudi 22 août 2024 / quinta-feira, 22 de agosto de 2024 / четверг, 22 августа 2024 г. в /
# Sonntag, 24. März 2013 um 22:02:21 Uhr (old German firmware)
_DATE_DMY = (
    r"(?P<date>[\w-]{1,24},? (?P<day>\d{1,2})\.? (?:de |)(?P<month>[^\W\d_]{1,24}) (?:de |)"
    r"(?P<year>\d{4}))"
    r"(?: г\.| um|)(?: в|) " + _TIME_OF_DAY + r"(?P<meridiem>)(?: Uhr|)"
)
# 2024年8月22日木曜日 18:27:17 / 2024年8月22日星期四 下午6:57:47
_DATE_CJK = (
    r"(?P<date>(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日)[^\W\d_]{0,8}? ?"
    r"(?:(?P<meridiem>上午|下午|午前|午後)|)" + _TIME_OF_DAY
)


# Old firmware writes the page as a first location, "at location 174 | location 2665-2666":
# no grammar fits that, and the keyword reader takes the last location as the location.
_ENGLISH_PAGE = rf"- Your {_ENGLISH_KIND}(?: on [Pp]age {_PAGE_NUMBER}|)(?: \||)"


def _location(words: str, dash: str = "-") -> str:
    return rf"(?: {words} (?P<start>{_N})(?:{dash}(?P<end>{_N})|)|)"


_FIELDS = (
    "kind",
    "page",
    "start",
    "end",
    "date",
    "hour",
    "minute",
    "second",
    "meridiem",
)
# A whole well-formed record, from the newline before its title to its separator: title,
# details, blank line, one line of text. Neither title nor text may be a separator line.
_NOT_SEPARATOR = r"(?!==========[ \t]*(?:\n|\Z))"
_RECORD_HEAD = rf"\n{_NOT_SEPARATOR}(?P<title>\S[^\n]*)\n"
_RECORD_TAIL = rf"[ \t]*\n\n{_NOT_SEPARATOR}(?P<body>[^\n]*)\n==========[ \t]*(?=\n|\Z)"


class _Grammar(NamedTuple):
    """One device language: its details line alone, and wrapped in a whole record."""

    line: re.Pattern[str]
    record: re.Pattern[str]


def _grammar(details: str) -> _Grammar:
    return _Grammar(re.compile(details), re.compile(_RECORD_HEAD + details + _RECORD_TAIL))


_GRAMMARS: tuple[_Grammar, ...] = tuple(
    _grammar(pattern)
    for pattern in (
        _ENGLISH_PAGE + _location("(?:(?:at|on) |)[Ll]ocation") + r" \| Added on " + _DATE_US,
        _ENGLISH_PAGE + _location("(?:(?:at|on) |)[Ll]ocation") + r" \| Added on " + _DATE_DMY,
        # Old devices give no page; the empty group keeps every grammar's fields alike.
        rf"- {_KIND_WORD} Loc\. (?P<start>{_N})(?:-(?P<end>{_N})|)(?P<page>)"
        + r" {0,8}\| Added on "
        + _DATE_US,
        rf"- (?:Deine?|Ihre?) {_KIND_WORD}(?: auf Seite {_PAGE_NUMBER}|)(?: \||)"
        + _location("(?:bei |)Position")
        + r" \| Hinzugefügt am "
        + _DATE_DMY,
        rf"- (?:La|El|Tu) {_KIND_WORD}(?: en la página {_PAGE_NUMBER}|)(?: \||)"
        + _location("(?:en la |)posición")
        + r" \| Añadido el "
        + _DATE_DMY,
        rf"- Votre {_KIND_WORD}(?: sur la page {_PAGE_NUMBER}|)(?: \||)"
        + _location("(?:à l['\u2019\u02bc]|)emplacement")
        + r" \| Ajouté le "
        + _DATE_DMY,
        rf"- (?:La tua|Il tuo) {_KIND_WORD}(?: a pagina {_PAGE_NUMBER}|)(?: \||)"
        + _location("(?:alla |)posizione")
        + r" \| Aggiunto in data "
        + _DATE_DMY,
        rf"- Je {_KIND_WORD}(?: op pagina {_DUTCH_PAGE}|)(?: \||)"
        + _location("(?:op |)locatie", " t/m ")
        + r" \| Toegevoegd op "
        + _DATE_DMY,
        # Some firmware mixes English in: "- Your Highlight on Location na página 12 | ...".
        rf"- (?:Seu|Sua|Your) {_KIND_WORD}(?: on Location|)(?: na página {_PAGE_NUMBER}|)(?: \||)"
        + _location("(?:na |ou |)posição")
        + r" \| Adicionado: "
        + _DATE_DMY,
        r"[-\u2013] Ваша? (?P<kind>выделенный отрывок|\w{1,24})"
        rf"(?: на странице {_PAGE_NUMBER}|)"
        r"(?: \||)" + _location("(?:Место|в месте)", "[-\u2013]") + r" \| Добавлено: " + _DATE_DMY,
        rf"- (?:{_PAGE_NUMBER}ページ(?:\||)|)(?:位置 ?No\. (?P<start>{_N})(?:-(?P<end>{_N})|)|)"
        r"の(?P<kind>ハイライト|メモ|ブックマーク) ?\|作成日: " + _DATE_CJK,
        # The same with English words and no kind word (see KIND_WORDS).
        rf"- (?=\d|location)(?:{_PAGE_NUMBER}page(?:\||)|)"
        rf"(?:location No\. (?P<start>{_N})(?:-(?P<end>{_N})|)|)(?P<kind>) ?\|作成日: " + _DATE_CJK,
        rf"- 您在(?:第 {_PAGE_NUMBER} 页|)(?:（?位置 #(?P<start>{_N})(?:-(?P<end>{_N})|)）?|)"
        r" ?的(?P<kind>标注|笔记|书签) \| 添加于 ?" + _DATE_CJK,
        # Old firmware: "- 我的标注 位置 #465-466 | ...", "- 我的书签 在 第 65 页 | ...".
        rf"- 我的(?P<kind>标注|笔记|书签) (?:在 第 {_PAGE_NUMBER} 页|)"
        rf"(?:位置 #(?P<start>{_N})(?:-(?P<end>{_N})|)|) \| 添加于 ?" + _DATE_CJK,
    )
)
_PM = {"PM", "pm", "Pm", "pM", "下午", "午後"}


class DetailsReader:
    """Reads details lines, trying first the device language that matched last.

    A file is nearly always in one language, so one anchored match per line is the
    common case; lines no grammar fits go to the slower keyword reader.
    """

    __slots__ = ("_days", "_last")

    def __init__(self) -> None:
        self._last = _GRAMMARS[0]
        # Every clipping of a reading session is dated the same day: each day's text is
        # read once. A date's text (weekday, day, month and year) reads the same in every
        # grammar.
        self._days: dict[str, tuple[int, int, int] | None] = {}

    def read(self, line: str) -> Details | None:
        """Read one details line, or None if it is not one."""
        line = line.strip()
        if len(line) > MAX_DETAILS_LENGTH:
            return None
        details = self._read_with(self._last, line)
        if details is not None:
            return details
        for grammar in _GRAMMARS:
            if (details := self._read_with(grammar, line)) is not None:
                self._last = grammar
                return details
        return read_by_keywords(line)

    @property
    def grammar(self) -> _Grammar:
        """The grammar of the language that matched last, for a caller's own record loop."""
        return self._last

    def details_of(self, match: re.Match[str]) -> Fields | None:
        """The details a grammar's match read; None for a kind word no device writes."""
        kind_word, page, raw_start, raw_end, date, hour, minute, second, meridiem = match.group(
            *_FIELDS
        )
        kind = KIND_WORDS.get(kind_word) or KIND_WORDS.get(kind_word.lower())
        if kind is None:
            return None
        start = end = None
        if raw_start is not None:
            start = end = int(raw_start)
            if raw_end is not None and (end := int(raw_end)) < start:
                end = range_end(start, raw_end)
        day = self._days.get(date)
        if day is None and date not in self._days:
            day = self._days[date] = _day(match)
        added = None
        if day is not None:
            hour_number = int(hour)
            # Grammars without a 12-hour clock hold an empty meridiem group.
            if meridiem and hour_number <= 12:
                hour_number = hour_number % 12 + (12 if meridiem in _PM else 0)
            year, month, day_of_month = day
            try:
                added = datetime(
                    year,
                    month,
                    day_of_month,
                    hour_number,
                    int(minute),
                    int(second) if second else 0,
                    0,  # microsecond
                    UTC,
                )
            except ValueError:
                added = None  # An impossible date (31 February): the clipping stays, undated.
        return kind, page or None, start, end, added

    def _read_with(self, grammar: _Grammar, line: str) -> Details | None:
        match = grammar.line.fullmatch(line)
        fields = None if match is None else self.details_of(match)
        return None if fields is None else Details(*fields)


def _day(match: re.Match[str]) -> tuple[int, int, int] | None:
    """The year, month and day of a grammar's date; None when its month is no month name."""
    year, month, day = match.group("year", "month", "day")
    number = MONTHS.get(month) or MONTHS.get(month.lower())
    if number is None and month.isdecimal():
        number = int(month)
    return None if number is None else (int(year), number, int(day))
