"""KOReader's exporter plugin, JSON: one book, or several as ``{"documents": [...]}``.

docs/formats.md, "KOReader", has the fields and the traps::

    {"title": "The Sound of Water", "author": "Sam Hamill", "number_of_pages": 68,
     "entries": [{"sort": "highlight", "text": "…", "note": "…", "chapter": "Cover",
                  "page": 2, "time": 1694256612, "drawer": "lighten", "color": "yellow"}],
     "created_on": 1694256681, "version": "json/1.0.0"}
"""

from __future__ import annotations

from typing import Any, NamedTuple

from bot.parsers import _koreader
from bot.parsers._json import key_pattern, load_json, starts_like_json
from bot.parsers.records import ParseError, ParseResult, Skipped

NAME = "koreader_json"

_ENTRIES = key_pattern("entries", "[")
_DOCUMENTS = key_pattern("documents", "[")
_HIGHLIGHTS = key_pattern("highlights", "[")
_WHAT = "KOReader export"


def looks_like(text: str) -> bool:
    """A JSON object with an ``entries`` list (a book) or a ``documents`` list (several)."""
    if not starts_like_json(text) or _HIGHLIGHTS.search(text):
        return False
    return bool(_ENTRIES.search(text) or _DOCUMENTS.search(text))


class _Entry(NamedTuple):
    """The fields of an entry that are kept: a tuple holds them in a third of a dict's room,
    which matters for an export of a whole library."""

    text: str
    note: str
    page: object
    chapter: str
    color: str
    time: object


def _entry(item: dict[str, Any]) -> object:
    """Every object but a book or the whole export is an entry (or part of one)."""
    if "entries" in item or "documents" in item:
        return item
    return _Entry(
        text=_koreader.text_of(item.get("text")),
        note=_koreader.text_of(item.get("note")),
        page=item.get("page"),
        chapter=_koreader.text_of(item.get("chapter")),
        color=_koreader.text_of(item.get("color")),
        time=item.get("time"),
    )


def parse(text: str) -> ParseResult:
    """Read a KOReader JSON export into highlight records."""
    document = load_json(text, what=_WHAT, object_hook=_entry)
    if not isinstance(document, dict):
        raise ParseError("This JSON is not a KOReader export: it has no list of entries.")
    books = document.get("documents", [document]) if "entries" not in document else [document]
    if not isinstance(books, list):
        raise ParseError("This KOReader export's 'documents' is not a list.")
    result = ParseResult(format=NAME)
    for number, book in enumerate(books, start=1):
        if not isinstance(book, dict) or not isinstance(book.get("entries", []), list):
            raise ParseError(f"Book {number} of this KOReader export has no list of entries.")
        _read_book(book, result)
    return result


def _read_book(book: dict[str, object], result: ParseResult) -> None:
    title = _koreader.text_of(book.get("title"))
    author = _koreader.authors_of(book.get("author"))
    entries = book.get("entries", [])
    assert isinstance(entries, list)
    # Each entry is let go of once it is a record, so a big export is never held twice.
    entries.reverse()
    while entries:
        entry = entries.pop()
        # An entry's number in the file stands for its line (docs/formats.md, "KOReader").
        place = len(result.highlights) + len(result.skipped) + 1
        if not isinstance(entry, _Entry):
            result.skipped.append(Skipped("entry that is not an object", place, title))
            continue
        if not entry.text and not entry.note:
            result.skipped.append(Skipped("entry with no text", place, title))
            continue
        result.highlights.append(
            _koreader.record(
                title=title,
                author=author,
                text=entry.text,
                note=entry.note,
                page=entry.page,
                chapter=entry.chapter,
                color=entry.color,
                when=_koreader.epoch_time(entry.time),
                line=place,
            )
        )
