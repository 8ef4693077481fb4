"""The records an import writes: made storable, given their identity, and merged where a
file holds one highlight more than once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from bot.library.identity import book_key, fingerprint, normalize_text, note_place
from bot.library.import_report import BookReport
from bot.parsers import Kind, ParsedHighlight
from bot.parsers.tags import tag_key

UNKNOWN_BOOK = "Unknown book"
MAX_INT = 2**31 - 1
"""The largest value an integer column holds on every database."""


@dataclass(slots=True)
class Incoming:
    """A parsed record with its identity, after in-file duplicates were merged into it."""

    record: ParsedHighlight
    key: str
    """Its book's key (``identity.book_key``)."""
    fingerprint: str
    book: BookReport
    """Where what the import does with the record is counted."""


def merge_repeats(
    records: Iterable[ParsedHighlight], books: dict[str, BookReport]
) -> list[Incoming]:
    """The records worth storing, each once: a repeat within the file adds its tags, notes
    and flags to the first and counts as a duplicate. ``books`` gains a report, by book key,
    for every book they belong to."""
    first_of: dict[str, Incoming] = {}
    key_of = cache(book_key)  # a file has few books and many records per book
    for record in records:
        _sanitize(record)
        if not record.text.strip():
            continue
        key = key_of(record.book_title, record.author)
        book = books.get(key)
        if book is None:
            book = books[key] = BookReport(title=record.book_title.strip(), author=record.author)
        identity = _fingerprint(key, record)
        first = first_of.get(identity)
        if first is None:
            first_of[identity] = Incoming(record=record, key=key, fingerprint=identity, book=book)
        else:
            book.duplicates += 1
            _merge_into(first.record, record)
    return list(first_of.values())


def stored_location_type(record: ParsedHighlight) -> str | None:
    """The record's location type as the database stores it."""
    return None if record.location_type is None else record.location_type.value


def _fingerprint(key: str, record: ParsedHighlight) -> str:
    place = (
        ""
        if record.kind is Kind.HIGHLIGHT
        else note_place(stored_location_type(record), record.location)
    )
    return fingerprint(key, record.kind.value, record.text, place)


def _merge_into(kept: ParsedHighlight, repeat: ParsedHighlight) -> None:
    kept.tags = _union(kept.tags, repeat.tags, normalize=tag_key)
    kept.notes = _union(kept.notes, repeat.notes, normalize=normalize_text)
    kept.favorite = kept.favorite or repeat.favorite
    kept.discarded = kept.discarded or repeat.discarded


def _sanitize(record: ParsedHighlight) -> None:
    """Make a record storable anywhere: no NUL characters (PostgreSQL refuses them), a
    book title, and a start location that fits an integer column."""
    record.text = _without_nul(record.text)
    record.book_title = _without_nul(record.book_title).strip() or UNKNOWN_BOOK
    record.author = _without_nul(record.author).strip()
    record.chapter = _without_nul(record.chapter) if record.chapter else None
    record.location = _without_nul(record.location) if record.location else None
    record.color = _without_nul(record.color) if record.color else None
    if record.tags:
        record.tags = [tag for tag in map(_without_nul, record.tags) if tag]
    if record.notes:
        record.notes = [_without_nul(note) for note in record.notes]
    if record.location_start is not None and not 0 <= record.location_start <= MAX_INT:
        record.location_start = None


def _without_nul(text: str) -> str:
    # A NUL is rare, and looking for one costs less than replacing nothing.
    return text.replace("\x00", "") if "\x00" in text else text


def _union(
    first: Sequence[str], second: Sequence[str], normalize: Callable[[str], str]
) -> list[str]:
    """``first``, then what ``second`` adds to it, compared as ``normalize`` folds them."""
    known = {normalize(item) for item in first}
    merged = list(first)
    for item in second:
        if normalize(item) not in known:
            known.add(normalize(item))
            merged.append(item)
    return merged
