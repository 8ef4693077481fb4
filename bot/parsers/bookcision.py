"""Bookcision JSON: the highlights of one Kindle book, saved from Amazon's notebook page.

docs/formats.md, "Bookcision JSON", has the fields and the traps::

    {"asin": "B00T3N7XB4", "title": "Building Microservices", "authors": "Sam Newman",
     "highlights": [{"text": "…", "isNoteOnly": false,
                     "location": {"url": "kindle://book?…", "value": 597}, "note": null}]}
"""

from __future__ import annotations

from bot.parsers import tags as tagging
from bot.parsers._json import key_pattern, load_json, starts_like_json
from bot.parsers.records import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
)

NAME = "bookcision"

_HIGHLIGHTS = key_pattern("highlights", "[")
_MARKS = (key_pattern("isNoteOnly", ""), key_pattern("asin", ""))
_WHAT = "Bookcision export"


def looks_like(text: str) -> bool:
    """A JSON object with a ``highlights`` list and Bookcision's ``isNoteOnly`` or ``asin``."""
    return (
        starts_like_json(text)
        and _HIGHLIGHTS.search(text) is not None
        and any(mark.search(text) for mark in _MARKS)
    )


def parse(text: str) -> ParseResult:
    """Read a Bookcision JSON file into highlight records."""
    document = load_json(text, what=_WHAT)
    books = document if isinstance(document, list) else [document]
    result = ParseResult(format=NAME)
    for book in books:
        if not isinstance(book, dict) or not isinstance(book.get("highlights"), list):
            raise ParseError("This JSON is not a Bookcision export: it has no list of highlights.")
        _read_book(book, result)
    return result


def _read_book(book: dict[str, object], result: ParseResult) -> None:
    title = _text(book.get("title")) or "Untitled"
    author = _authors(book.get("authors"))
    highlights = book.get("highlights")
    assert isinstance(highlights, list)
    records: list[ParsedHighlight] = []
    for item in highlights:
        # A highlight's number in the file stands for its line (docs/formats.md).
        place = len(result.highlights) + len(records) + len(result.skipped) + 1
        if not isinstance(item, dict):
            result.skipped.append(Skipped("highlight that is not an object", place, title))
            continue
        text, note = _text(item.get("text")), _text(item.get("note"))
        note_only = item.get("isNoteOnly") is True
        if note_only:
            # A note with no passage: its words are the `note`; `text` holds whatever the
            # notebook page showed beside it, only worth keeping when the note is empty.
            text, note = note or text, ""
        if not text:
            result.skipped.append(Skipped("highlight with no text", place, title))
            continue
        location = _location(item.get("location"))
        records.append(
            ParsedHighlight(
                book_title=title,
                author=author,
                text=text,
                kind=Kind.NOTE if note_only else Kind.HIGHLIGHT,
                location=str(location) if location is not None else None,
                location_type=LocationType.LOCATION if location is not None else None,
                location_start=location,
                notes=[note] if note else [],
                line=place,
            )
        )
    tagging.honour_note_actions(records)
    result.highlights.extend(records)


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _authors(raw: object) -> str:
    """``authors`` is one string; some tools write a list."""
    if isinstance(raw, list):
        return "; ".join(name for item in raw if (name := _text(item)))
    return _text(raw)


def _location(raw: object) -> int | None:
    value = raw.get("value") if isinstance(raw, dict) else raw
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
