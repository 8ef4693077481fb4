"""Finding the stored earlier version of a new highlight: an edit made on the device.

A Kindle edit moves either end of a passage, or both: a stored highlight of the same book
whose place overlaps this one's and whose words are a version of its words (see
bot.parsers.versions) is the earlier version of this one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from bot.library._import_books import ImportBooks
from bot.library._import_records import Incoming, stored_location_type
from bot.library._sql import chunked
from bot.library.identity import normalize_text
from bot.models import Highlight, table_of
from bot.parsers import Kind, ParsedHighlight
from bot.parsers.versions import same_passage, span_of

EDIT_REACH = 1000
"""How far before a new highlight's start a stored version of it is looked for: a stored
highlight that starts further back and still reaches this one is taken for another."""

_HIGHLIGHT = table_of(Highlight)
_START = _HIGHLIGHT.c.location_start


class _Version(NamedTuple):
    """A stored highlight that may be an earlier version of a new one."""

    first: int
    """The first location (or page) of its place."""
    last: int
    highlight_id: int
    text: str


_Where = tuple[int, ColumnElement[bool]]
"""A book id and a condition on the start of its highlights."""


def find_edits(session: Session, fresh: Sequence[Incoming], books: ImportBooks) -> dict[str, int]:
    """The stored highlights that new records are device edits of: the highlight's id by the
    record's fingerprint. A stored highlight is the earlier version of one record at most."""
    candidates, where = _candidates(fresh, books)
    if not candidates:
        return {}
    versions = _stored_versions(session, where)
    edits: dict[str, int] = {}
    claimed: set[int] = set()
    for item in candidates:
        near = versions.get((books.ids[item.key], stored_location_type(item.record)))
        if not near:
            continue  # the common case: nothing stored near, no need to normalise the text
        found = _earlier_version(item.record, near, claimed)
        if found is not None:
            edits[item.fingerprint] = found
            claimed.add(found)
    return edits


def _candidates(
    fresh: Sequence[Incoming], books: ImportBooks
) -> tuple[list[Incoming], list[_Where]]:
    """The records that may be edits, and where their earlier versions may be.

    Only a book the chat already had, or a place this import already filled, can hold an
    earlier version: a first import of a large file looks nothing up at all. In a book the
    chat had, a version may start anywhere near; a place this import filled holds what the
    file gave, already resolved by the parser, so only its own start is looked at.
    """
    ranges: dict[int, tuple[int, int]] = {}  # book id -> the starts to look at
    starts: dict[int, set[int]] = {}
    candidates = []
    for item in fresh:
        record = item.record
        start = record.location_start
        if record.kind is not Kind.HIGHLIGHT or start is None:
            continue
        book_id = books.ids[item.key]
        if book_id in books.existing:
            low, high = ranges.get(book_id, (start, start))
            ranges[book_id] = (min(low, start - EDIT_REACH), max(high, _span(record)[1]))
        elif (book_id, start) in books.placed:
            starts.setdefault(book_id, set()).add(start)
        else:
            continue
        candidates.append(item)
    where: list[_Where] = [(book_id, _START.between(*span)) for book_id, span in ranges.items()]
    where += [
        (book_id, _START.in_(chunk))
        for book_id, wanted in starts.items()
        for chunk in chunked(sorted(wanted))
    ]
    return candidates, where


def _stored_versions(
    session: Session, where: list[_Where]
) -> dict[tuple[int, str | None], list[_Version]]:
    """The stored highlights in those places, by book and location type, in place order."""
    versions: dict[tuple[int, str | None], list[_Version]] = {}
    # The book is this chat's, so (book, start) finds the rows through ix_highlight_book_location.
    for book_id, condition in where:
        rows = session.execute(
            select(
                _HIGHLIGHT.c.id,
                _START,
                _HIGHLIGHT.c.location,
                _HIGHLIGHT.c.location_type,
                _HIGHLIGHT.c.text,
            ).where(
                _HIGHLIGHT.c.book_id == book_id,
                condition,
                _HIGHLIGHT.c.kind == Kind.HIGHLIGHT.value,
            )
        )
        for highlight_id, start, location, location_type, text in rows:
            first, last = _stored_span(location, start)
            version = _Version(first, last, highlight_id, text)
            versions.setdefault((book_id, location_type), []).append(version)
    for near in versions.values():
        near.sort()
    return versions


def _earlier_version(
    record: ParsedHighlight, near: list[_Version], claimed: set[int]
) -> int | None:
    """The id of the stored version of ``record`` among ``near`` that no other record
    claimed, if there is one."""
    low, high = _span(record)
    words = normalize_text(record.text)
    # By start: from the furthest back a version may start, to this one's end.
    by_start = attrgetter("first")
    for version in near[
        bisect_left(near, low - EDIT_REACH, key=by_start) : bisect_right(near, high, key=by_start)
    ]:
        if version.highlight_id in claimed or version.last < low:
            continue
        if same_passage(normalize_text(version.text), words):
            return version.highlight_id
    return None


def _span(record: ParsedHighlight) -> tuple[int, int]:
    return _stored_span(record.location, record.location_start or 0)


def _stored_span(location: str | None, start: int) -> tuple[int, int]:
    """The first and last location (or page) of a place such as ``"280-286"``."""
    span = span_of(location) if location else None
    return span if span is not None and span[0] == start else (start, start)
