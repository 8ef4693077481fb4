"""What a Kindle clipping's title and details lines mean, whatever the device language.

A details line is a dash, then ``|``-separated parts: the kind (highlight, note or
bookmark), an optional page, an optional location range and the date it was added, e.g.
``- Your Highlight on page 119 | Location 1375-1376 | Added on Thursday, ...``. The keyword
reader here finds those parts by their localized words, whatever their order, so unseen
variants (``at location``, ``on Page``) still read; _kindle_grammars reads the exact lines
devices write much faster and falls back to it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal, NamedTuple

# A real details line is about 120 characters. The cap keeps the keyword searches cheap on
# adversarial input (no search can go quadratic over a long line), and tells a long
# sentence from a details line.
MAX_DETAILS_LENGTH = 400


ClipKind = Literal["highlight", "note", "bookmark"]
"""What a Kindle record is."""


class Details(NamedTuple):
    """A parsed details line. ``page`` is the page as written (``"119"``, ``"xii"``)."""

    kind: ClipKind
    page: str | None
    location_start: int | None
    location_end: int | None
    added: datetime | None


Fields = tuple[ClipKind, str | None, int | None, int | None, datetime | None]
"""A details line's fields in the order of Details, as a plain tuple: the record loop takes
them straight into its clip, where a Details would be made through its own Python __new__."""


_DASHES = ("-", "\u2013", "\u2014")  # Russian devices write an EN DASH.
_KIND = re.compile(
    r"(?P<bookmark>bookmark|lesezeichen|marcador|signet|segnalibro|bladwijzer|закладка"
    r"|ブックマーク|书签)"
    r"|(?P<note>\bnote\b|notiz|\bnota\b|notitie|заметка|メモ|笔记)"
    r"|(?P<highlight>highlight|underline|clip this article|markierung|subrayado|resaltado"
    r"|surlignement|evidenziazione|destaque|выделенный|ハイライト|标注)",
    re.IGNORECASE,
)
# Numbers are capped at nine digits: anything longer is no Kindle location, and a bounded
# number can always become an int without hitting Python's digit limit.
_LOCATION = re.compile(
    r"(?:location(?:\s*No\.)?|locatie|loc\.?|position|posición|posicion|posição|posizione"
    r"|emplacement|мест[ое]|位置(?:\s*No\.?)?)"
    r"\s*(?:#\s*)?(?P<start>\d{1,9})(?!\d)"
    r"(?:\s*(?:[-\u2013\u2014]|t/m)\s*(?P<end>\d{1,9})(?!\d))?",
    re.IGNORECASE,
)
_PAGE_TOKEN = r"(?:\d{1,9}(?!\d)|[ivxlcdm]+(?![a-z]))"
_PAGE = re.compile(
    rf"(?:(?:\b(?:page|seite|página|pagina|страниц[аеы])|第)\s*(?P<page>{_PAGE_TOKEN}"
    rf"(?:(?:[-\u2013]| t/m ){_PAGE_TOKEN})?))"
    rf"|(?P<ja_page>{_PAGE_TOKEN}(?:[-\u2013]{_PAGE_TOKEN})?)(?:\s*ページ|page)",
    re.IGNORECASE,
)
_ADDED_WORDS = re.compile(
    r"\s*(?:added on|hinzugefügt am|añadido el|ajouté le|aggiunto in data|作成日"
    r"|toegevoegd op|adicionado|добавлено|添加于)",
    re.IGNORECASE,
)
_PIPES = ("|", "\uff5c")

_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)")
_MERIDIEM = re.compile(r"\s*([ap])\.?\s?m\.?(?![^\W\d_])", re.IGNORECASE)
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")

_MONTH_NAMES: tuple[tuple[int, str], ...] = (
    (1, "january jan januar enero janvier gennaio januari janeiro января"),
    (2, "february feb februar febrero février fevrier febbraio februari fevereiro февраля"),
    (3, "march mar märz marz marzo mars maart março марта"),
    (4, "april apr abril avril aprile апреля"),
    (5, "may mai mayo maggio mei maio мая"),
    (6, "june jun juni junio juin giugno junho июня"),
    (7, "july jul juli julio juillet luglio julho июля"),
    (8, "august aug agosto août aout augustus августа"),
    (9, "september sep sept septiembre setiembre septembre settembre setembro сентября"),
    (10, "october oct oktober octubre octobre ottobre outubro октября"),
    (11, "november nov noviembre novembre novembro ноября"),
    (12, "december dec dezember diciembre décembre decembre dicembre dezembro декабря"),
)
MONTHS: dict[str, int] = {
    spelling: number
    for number, names in _MONTH_NAMES
    for name in names.split()
    for spelling in (name, name.capitalize())
}
_KIND_WORDS_BY_KIND: tuple[tuple[ClipKind, str], ...] = (
    ("highlight", "highlight|underline|markierung|subrayado|resaltado"),
    ("highlight", "surlignement|evidenziazione|destaque|выделенный отрывок"),
    ("highlight", "ハイライト|标注"),
    # The one layout with no kind word (Japanese firmware with English words, read by
    # its own grammar): its clippings are highlights.
    ("highlight", ""),
    ("note", "note|notiz|nota|notitie|заметка|メモ|笔记"),
    ("bookmark", "bookmark|lesezeichen|marcador|signet|segnalibro|bladwijzer"),
    ("bookmark", "закладка|ブックマーク|书签"),
)
KIND_WORDS: dict[str, ClipKind] = {
    word: kind
    for kind, words in _KIND_WORDS_BY_KIND
    for word in words.split("|")
    # Every case a device writes, so the hot path needs no lower().
    for word in {word, word.capitalize(), word.title()}
}


def read_by_keywords(line: str) -> Details | None:
    """Read a details line by its localized keywords, whatever their order and wording."""
    line = line.strip()
    if not line.startswith(_DASHES) or len(line) > MAX_DETAILS_LENGTH:
        return None
    meta, added = _split_added(line)
    kind_match = _KIND.search(meta)
    kind: ClipKind | None
    if kind_match is None:
        kind = None
    elif kind_match.group("bookmark") is not None:
        kind = "bookmark"
    elif kind_match.group("note") is not None:
        kind = "note"
    else:
        kind = "highlight"
    start = end = None
    page_match = _PAGE.search(meta)
    page = page_match.group("page") or page_match.group("ja_page") if page_match else None
    locations = _LOCATION.findall(meta)
    if len(locations) > 1 and page is None:
        # Old firmware writes the page as a first location: "at location 174 | location
        # 2665-2666". The last one is the location.
        first_start, first_end = locations[0]
        page = f"{first_start}-{first_end}" if first_end else first_start
    if locations:
        raw_start, raw_end = locations[-1]
        start = int(raw_start)
        end = range_end(start, raw_end or None)
    if kind is None:
        # Japanese firmware with English words writes no kind word ("- 6page|location No.
        # 85-87 |作成日: ..."); its records that carry text are highlights. Without a place
        # and a date, a line with no kind word is no details line.
        if (page is None and start is None) or added is None:
            return None
        kind = "highlight"
    return Details(
        kind=kind,
        page=page,
        location_start=start,
        location_end=end,
        added=parse_added(added) if added is not None else None,
    )


def _split_added(line: str) -> tuple[str, str | None]:
    """Split off the trailing ``| Added on ...`` part, when there is one."""
    cut = max(line.rfind(pipe) for pipe in _PIPES)
    if cut < 0:
        return line, None
    tail = line[cut + 1 :]
    if _ADDED_WORDS.match(tail) or _TIME.search(tail):
        return line[:cut], tail
    return line, None


def range_end(start: int, raw_end: str | None) -> int:
    """Expand a range end; old devices drop the digits it shares with the start (466-69)."""
    if raw_end is None:
        return start
    end = int(raw_end)
    if end < start:
        digits = str(start)
        if len(raw_end) < len(digits):
            end = int(digits[: len(digits) - len(raw_end)] + raw_end)
        if end < start:
            return start  # Not a range we can make sense of: keep the start we know.
    return end


def parse_added(text: str) -> datetime | None:
    """Read the localized date a clipping was added, as UTC; None when it cannot be read.

    The device records local time without a zone, so the wall-clock time is kept as UTC.
    """
    time = _TIME.search(text)
    if time is None:
        hour = minute = second = 0
        day_part = text
    else:
        hour, minute = int(time.group(1)), int(time.group(2))
        second = int(time.group(3) or 0)
        hour = _apply_meridiem(hour, text, time.start(), time.end())
        day_part = f"{text[: time.start()]} {text[time.end() :]}"
    day = _read_day(day_part)
    if day is None:
        return None
    try:
        return datetime(*day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None


def _apply_meridiem(hour: int, text: str, start: int, end: int) -> int:
    """Turn a 12-hour clock into 24 hours (``7:01 PM``, Chinese ``下午6:57``)."""
    if hour > 12:
        return hour
    after = _MERIDIEM.match(text, end)
    before = text[:start].rstrip()
    if (after and after.group(1).lower() == "p") or before.endswith(("下午", "午後")):
        return hour % 12 + 12
    if (after and after.group(1).lower() == "a") or before.endswith(("上午", "午前")):
        return hour % 12
    return hour


@lru_cache(maxsize=4096)
def _read_day(text: str) -> tuple[int, int, int] | None:
    """Find (year, month, day) in a date without its time; cached, as days repeat a lot."""
    if cjk := _CJK_DATE.search(text):
        return int(cjk.group(1)), int(cjk.group(2)), int(cjk.group(3))
    month = next(
        (m for word in _WORD.findall(text) if (m := MONTHS.get(word.lower())) is not None),
        None,
    )
    numbers = _NUMBER.findall(text)
    year = next((int(n) for n in numbers if len(n) == 4), None)
    day = next((int(n) for n in numbers if len(n) <= 2), None)
    if month is None or year is None or day is None:
        return None
    return year, month, day


def split_title(line: str) -> tuple[str, str]:
    """Split a title line into (title, author); the author is in the LAST parentheses.

    ``Title (Spanish Edition) (Author)`` gives ``("Title (Spanish Edition)", "Author")``;
    ``A;B`` authors are spaced as ``A; B``; no parentheses means no author.
    """
    line = line.replace("\ufeff", "").strip()
    if not line.endswith(")"):
        return line, ""
    depth = 0
    for index in range(len(line) - 1, -1, -1):
        char = line[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                title = line[:index].strip()
                author = line[index + 1 : -1]
                if not title:
                    return line, ""
                return title, "; ".join(p.strip() for p in author.split(";") if p.strip())
    return line, ""
