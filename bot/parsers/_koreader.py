"""What the three KOReader formats share: one highlight made into a record, and its date.

docs/formats.md, "KOReader", says what each field holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.parsers import tags as tagging
from bot.parsers.records import Kind, LocationType, ParsedHighlight

UNTITLED = "Untitled"
"""The book of highlights whose file names no title."""


def device_time(raw: object) -> datetime | None:
    """KOReader's ``2023-05-14 23:36:07``: the device's wall-clock time, kept as UTC."""
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def epoch_time(raw: object) -> datetime | None:
    """The exporter's ``time``: seconds since 1970."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        return datetime.fromtimestamp(raw, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def text_of(raw: object) -> str:
    """A string field, stripped; anything else (missing, a number, a table) is empty."""
    return raw.strip() if isinstance(raw, str) else ""


def authors_of(raw: object) -> str:
    """KOReader writes several authors one per line: they become ``A; B``."""
    return "; ".join(line.strip() for line in text_of(raw).split("\n") if line.strip())


def record(
    *,
    title: str,
    author: str,
    text: str,
    note: str,
    page: object,
    chapter: str,
    color: str,
    when: datetime | None,
    line: int = 0,
) -> ParsedHighlight:
    """One KOReader highlight (or, with no text, a note of its own) as a record.

    The page is KOReader's page number when the reader had one (or the publisher's, such as
    ``xii``); KOReader's position strings (``/body/DocFragment[12]/…``) are no place a
    reader knows, so they are left out.
    """
    location = None
    start = None
    if isinstance(page, int) and not isinstance(page, bool):
        location, start = str(page), page
    elif isinstance(page, str) and page.strip().isdigit():
        location, start = page.strip(), int(page.strip())
    elif isinstance(page, str) and 0 < len(page.strip()) <= 12 and "/" not in page:
        location = page.strip()  # a publisher's page such as `xii`
    highlight = ParsedHighlight(
        book_title=title or UNTITLED,
        author=author,
        text=text or note,
        kind=Kind.HIGHLIGHT if text else Kind.NOTE,
        location=location,
        location_type=LocationType.PAGE if location else None,
        location_start=start,
        chapter=chapter or None,
        color=color or None,
        highlighted_at=when,
        notes=[note] if text and note else [],
        line=line,
    )
    tagging.honour_note_actions([highlight])
    return highlight
