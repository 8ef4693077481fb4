"""Writing one chunk of an import's records with set-based SQL: a few statements a chunk,
whatever its size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from bot.library import _bulk, search_index, selection
from bot.library._import_books import ImportBooks
from bot.library._import_edits import find_edits
from bot.library._import_records import Incoming, stored_location_type
from bot.library._sql import chunked
from bot.library.identity import normalize_text
from bot.library.tagging import ensure_tags
from bot.models import Highlight, HighlightTag, Note, table_of, utcnow
from bot.parsers import ParsedHighlight
from bot.parsers.tags import tag_key

_HIGHLIGHT = table_of(Highlight)
_LINK = table_of(HighlightTag)
_NOTE = table_of(Note)
_NOTE_COLUMNS = ("highlight_id", "text", "source", "created_at")

Landed = dict[int, Incoming]
"""Highlight id -> the record that lands on that highlight."""


@dataclass(frozen=True, slots=True)
class _Stored:
    """A highlight the chat holds with a record's fingerprint."""

    id: int
    favorite: bool
    discarded: bool


def write_chunk(
    session: Session,
    *,
    chat_id: int,
    chunk: Sequence[Incoming],
    books: ImportBooks,
    source: str,
    had_highlights: bool,
) -> None:
    """Store one chunk of records: update the stored highlights they match or are edits of,
    insert the rest, attach their tags and notes, and re-place and re-index what changed."""
    now = utcnow()
    stored = _stored_by_fingerprint(session, chat_id, chunk) if had_highlights else {}
    fresh = [item for item in chunk if item.fingerprint not in stored]
    edits = find_edits(session, fresh, books)
    landed, changed = _update_stored(session, chunk, stored, edits, now)
    stored_ids = set(landed)
    new = [item for item in fresh if item.fingerprint not in edits]
    landed.update(_insert_new(session, chat_id, new, books, now))
    changed |= _attach_tags(session, chat_id, landed, stored_ids)
    changed |= _attach_notes(session, landed, stored_ids, source)
    _count_stored(landed, stored_ids, changed)
    touched = sorted((landed.keys() - stored_ids) | changed)
    # New highlights were keyed at weight 1 before their tags were attached.
    selection.rekey(session, chat_id=chat_id, highlight_ids=touched)
    search_index.refresh(session, highlight_ids=touched)


def _stored_by_fingerprint(
    session: Session, chat_id: int, chunk: Sequence[Incoming]
) -> dict[str, _Stored]:
    rows = session.execute(
        select(
            _HIGHLIGHT.c.fingerprint,
            _HIGHLIGHT.c.id,
            _HIGHLIGHT.c.favorite,
            _HIGHLIGHT.c.discarded,
        ).where(
            _HIGHLIGHT.c.chat_id == chat_id,
            _fingerprint_in(session, [item.fingerprint for item in chunk]),
        )
    )
    return {fp: _Stored(id=i, favorite=fav, discarded=dis) for fp, i, fav, dis in rows}


def _fingerprint_in(session: Session, fingerprints: list[str]) -> ColumnElement[bool]:
    """``fingerprint IN (...)``; on PostgreSQL one array parameter instead of thousands.

    PostgreSQL compares a row with a list of bound parameters one by one (it hashes only
    constant lists), and psycopg re-parses a statement with thousands of placeholders on
    every call: with ``= ANY(array)`` the unique index answers each fingerprint directly.
    """
    if session.get_bind().dialect.name == "postgresql":
        return _HIGHLIGHT.c.fingerprint == any_(
            bindparam("fingerprints", fingerprints, type_=ARRAY(String))
        )
    return _HIGHLIGHT.c.fingerprint.in_(fingerprints)


def _update_stored(
    session: Session,
    chunk: Sequence[Incoming],
    stored: dict[str, _Stored],
    edits: dict[str, int],
    now: datetime,
) -> tuple[Landed, set[int]]:
    """Bring the stored highlights up to the records that land on them: an edit's text and
    place, the flags a record raises. Returns those records and the highlights changed."""
    landed: Landed = {}
    changed: set[int] = set()
    for item in chunk:
        held = stored.get(item.fingerprint)
        if held is not None:
            landed[held.id] = item
            if flags := _raised_flags(held, item.record):
                changed.add(held.id)
                _update_highlight(session, held.id, flags)
        elif (edited := edits.get(item.fingerprint)) is not None:
            landed[edited] = item
            changed.add(edited)
            _update_highlight(session, edited, _edited_fields(item, now))
    return landed, changed


def _update_highlight(session: Session, highlight_id: int, values: dict[str, Any]) -> None:
    session.execute(update(_HIGHLIGHT).where(_HIGHLIGHT.c.id == highlight_id), values)


def _raised_flags(row: _Stored, record: ParsedHighlight) -> dict[str, Any]:
    """Flags switch on from an import but never off: a discard made in the bot stays."""
    flags: dict[str, Any] = {}
    if record.favorite and not row.favorite:
        flags["favorite"] = True
    if record.discarded and not row.discarded:
        flags["discarded"] = True
    return flags


def _edited_fields(item: Incoming, now: datetime) -> dict[str, Any]:
    record = item.record
    return {
        "text": record.text,
        "location": record.location,
        "location_type": stored_location_type(record),
        "location_start": record.location_start,
        "fingerprint": item.fingerprint,
        "updated_at": now,
    }


def _insert_new(
    session: Session, chat_id: int, new: Sequence[Incoming], books: ImportBooks, now: datetime
) -> Landed:
    """Insert a highlight for each record; the record behind each new highlight's id."""
    if not new:
        return {}
    keys = selection.new_keys(len(new))
    before = session.execute(select(func.max(_HIGHLIGHT.c.id))).scalar_one() or 0
    time = _bulk.time_writer(session)
    stamp = time(now)
    _bulk.insert_rows(
        session,
        _HIGHLIGHT,
        _NEW_COLUMNS,
        [
            _new_row(chat_id, item, books.ids[item.key], time, stamp, key)
            for item, key in zip(new, keys, strict=True)
        ],
    )
    # The drivers' fast paths (an executemany on SQLite, COPY on PostgreSQL) return no ids:
    # they are read back and matched by fingerprint, which is unique per chat. RETURNING
    # would make SQLAlchemy render thousands of placeholders per statement and, kept in
    # parameter order, insert one row per statement on SQLite.
    # The new rows are past the highest id before the insert (SQLite counts on from it, a
    # PostgreSQL sequence only goes up): a range of the primary key, far cheaper than
    # looking thousands of fingerprints up. The chat is checked here, not in SQL, so that
    # the planner keeps to that range.
    new_ids = {
        fp: highlight_id
        for highlight_id, fp, row_chat in _bulk.rows_after(
            session, _HIGHLIGHT, ("id", "fingerprint", "chat_id"), before
        )
        if row_chat == chat_id
    }
    landed: Landed = {}
    for item in new:
        item.book.new += 1
        landed[new_ids[item.fingerprint]] = item
        if item.record.location_start is not None:
            books.placed.add((books.ids[item.key], item.record.location_start))
    return landed


_NEW_COLUMNS = (
    "chat_id",
    "book_id",
    "kind",
    "text",
    "location",
    "location_type",
    "location_start",
    "chapter",
    "chapter_level",
    "color",
    "highlighted_at",
    "favorite",
    "discarded",
    "fingerprint",
    "created_at",
    "updated_at",
    "shuffle_key",
    "pending",
)


def _new_row(
    chat_id: int,
    item: Incoming,
    book_id: int,
    time: Callable[[datetime | None], Any],
    now: Any,
    shuffle_key: float,
) -> _bulk.Row:
    """A new highlight's values in _NEW_COLUMNS order, timestamps as ``time`` writes them
    (``now`` already written)."""
    record = item.record
    return (
        chat_id,
        book_id,
        record.kind.value,
        record.text,
        record.location,
        stored_location_type(record),
        record.location_start,
        record.chapter,
        record.chapter_level,
        record.color,
        time(record.highlighted_at),
        record.favorite,
        record.discarded,
        item.fingerprint,
        now,  # created_at
        now,  # updated_at
        shuffle_key,
        True,  # pending: a new highlight joins the current round
    )


def _attach_tags(session: Session, chat_id: int, landed: Landed, stored_ids: set[int]) -> set[int]:
    """Link every record's tags, creating missing tags; return stored highlights that gained one."""
    wanted = {
        (highlight_id, name) for highlight_id, item in landed.items() for name in item.record.tags
    }
    if not wanted:
        return set()
    tags = ensure_tags(session, chat_id=chat_id, names=sorted({name for _, name in wanted}))
    links = {(highlight_id, tags[tag_key(name)].id) for highlight_id, name in wanted}
    touched = sorted({highlight_id for highlight_id, _ in links} & stored_ids)
    for ids in chunked(touched):
        present = session.execute(
            select(_LINK.c.highlight_id, _LINK.c.tag_id).where(_LINK.c.highlight_id.in_(ids))
        )
        links -= {(h, t) for h, t in present}
    if links:
        session.execute(insert(_LINK), [{"highlight_id": h, "tag_id": t} for h, t in sorted(links)])
    return {highlight_id for highlight_id, _ in links} & stored_ids


def _attach_notes(session: Session, landed: Landed, stored_ids: set[int], source: str) -> set[int]:
    """Add the notes each highlight lacks; return the stored highlights that gained one."""
    known: dict[int, set[str]] = {}
    with_notes = sorted(h for h, item in landed.items() if item.record.notes and h in stored_ids)
    for ids in chunked(with_notes):
        rows = session.execute(
            select(_NOTE.c.highlight_id, _NOTE.c.text).where(_NOTE.c.highlight_id.in_(ids))
        )
        for highlight_id, text in rows:
            known.setdefault(highlight_id, set()).add(normalize_text(text))
    now = _bulk.time_writer(session)(utcnow())
    rows_to_add: list[_bulk.Row] = []
    gained: set[int] = set()
    for highlight_id, item in landed.items():
        seen = known.setdefault(highlight_id, set())
        for note in item.record.notes:
            words = normalize_text(note)
            if not words or words in seen:
                continue
            seen.add(words)
            item.book.notes += 1
            gained.add(highlight_id)
            rows_to_add.append((highlight_id, note.strip(), source, now))
    _bulk.insert_rows(session, _NOTE, _NOTE_COLUMNS, rows_to_add)
    return gained & stored_ids


def _count_stored(landed: Landed, stored_ids: set[int], changed: set[int]) -> None:
    """Count each stored highlight a record landed on as updated, or else as a duplicate."""
    for highlight_id in stored_ids:
        book = landed[highlight_id].book
        if highlight_id in changed:
            book.updated += 1
        else:
            book.duplicates += 1
