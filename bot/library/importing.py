"""Importing parsed highlights into a chat's library: transactional and idempotent.

The import never commits; the caller's unit of work does, so a file that fails half-way
leaves nothing behind. Records are written in chunks with set-based SQL, which keeps a
100,000-record file fast and its memory bounded.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, String, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col

from bot.collector import collector_paused
from bot.library import _bulk, search_index, selection
from bot.library.chats import ensure_chat
from bot.library.errors import ImportRejected
from bot.library.identity import book_key, fingerprint, normalize_text, note_place
from bot.library.tagging import ensure_tags
from bot.models import Book, Chat, Highlight, HighlightTag, ImportRun, Note, table_of, utcnow
from bot.parsers import (
    Kind,
    LocationType,
    ParsedHighlight,
    ParseError,
    ParseResult,
    Skipped,
    parse_bytes,
    parse_file,
)
from bot.parsers.tags import tag_key
from bot.parsers.versions import same_passage, span_of

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while records are written."""


def _stored(location_type: LocationType | None) -> str | None:
    return None if location_type is None else location_type.value


CHUNK = 2000

_BOOK = table_of(Book)
_HIGHLIGHT = table_of(Highlight)
_LINK = table_of(HighlightTag)
_NOTE = table_of(Note)


@dataclass(slots=True)
class BookReport:
    """What one import did to one book."""

    title: str
    author: str
    new: int = 0
    duplicates: int = 0
    updated: int = 0
    notes: int = 0
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    """What one import did, book by book."""

    format: str
    filename: str | None
    books: list[BookReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Skipped entries that belong to no particular book."""
    notices: list[str] = field(default_factory=list)
    """What the reader should know about the file as a whole (a missing last separator)."""

    @property
    def new(self) -> int:
        return sum(book.new for book in self.books)

    @property
    def duplicates(self) -> int:
        return sum(book.duplicates for book in self.books)

    @property
    def updated(self) -> int:
        return sum(book.updated for book in self.books)

    @property
    def notes(self) -> int:
        return sum(book.notes for book in self.books)

    @property
    def all_skipped(self) -> list[Skipped]:
        """Every skipped entry, with or without a book."""
        return [*self.skipped, *(s for book in self.books for s in book.skipped)]


def import_bytes(
    session: Session,
    *,
    chat_id: int,
    data: bytes,
    max_bytes: int,
    filename: str | None = None,
    format: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Decode, parse and import one uploaded file; ImportRejected if it cannot be read."""
    _check_size(len(data), max_bytes)
    result = _parsed(lambda: parse_bytes(data, format=format))
    return import_records(
        session, chat_id=chat_id, result=result, filename=filename, progress=progress
    )


def import_file(
    session: Session,
    *,
    chat_id: int,
    path: Path,
    max_bytes: int,
    filename: str | None = None,
    format: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """``import_bytes`` for a file on disk, read a block at a time: neither its bytes nor
    its whole text are ever held in memory, only the records parsed from it."""
    _check_size(path.stat().st_size, max_bytes)
    result = _parsed(lambda: parse_file(path, format=format))
    return import_records(
        session, chat_id=chat_id, result=result, filename=filename, progress=progress
    )


def _parsed(parse: Callable[[], ParseResult]) -> ParseResult:
    """The parser's result; its ParseError as the ImportRejected the user is told."""
    try:
        return parse()
    except ParseError as error:
        raise ImportRejected(str(error), line=error.line) from error


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ImportRejected(
            f"The file is {_megabytes(size)} MB; the import limit is {_megabytes(max_bytes)} MB."
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


@dataclass(slots=True)
class _Incoming:
    """A parsed record with its identity, after in-file duplicates were merged into it."""

    record: ParsedHighlight
    key: str
    fingerprint: str
    book: BookReport


# An import makes a few objects per record and keeps them to the end: the collector's passes
# over them would find nothing to free.
@collector_paused()
def import_records(
    session: Session,
    *,
    chat_id: int,
    result: ParseResult,
    filename: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Store parsed records in the chat's library and report what changed.

    Importing the same records again adds nothing; an edited Kindle highlight replaces its
    earlier version; flags only ever switch on, so a discarded highlight stays discarded.
    """
    report = ImportReport(format=result.format, filename=filename, notices=list(result.notices))
    books: dict[str, BookReport] = {}
    incoming = _merge_repeats(result.highlights, books)
    by_title = {normalize_text(book.title): book for book in books.values()}
    for skipped in result.skipped:
        if not skipped.book_title:
            report.skipped.append(skipped)
            continue
        title = normalize_text(skipped.book_title)
        if title not in by_title:
            by_title[title] = books[book_key(skipped.book_title, "")] = BookReport(
                title=skipped.book_title.strip(), author=""
            )
        by_title[title].skipped.append(skipped)
    report.books = list(books.values())

    ensure_chat(session, chat_id=chat_id)
    if session.get_bind().dialect.name == "postgresql":
        # Two imports into one chat at once would both insert the same new books; the chat
        # row's lock makes the second wait for the first. (On SQLite the write lock does.)
        session.execute(select(col(Chat.id)).where(col(Chat.id) == chat_id).with_for_update())
    books_in_db = _Books(*_book_ids(session, chat_id, incoming))
    # A chat with no highlights yet can hold none of these: the records' fingerprints are
    # unique after merging, so no chunk meets another's. (The chat row's lock, or SQLite's
    # write lock taken by ensure_chat, keeps other imports out until the commit.)
    had_highlights = (
        session.execute(
            select(_HIGHLIGHT.c.id).where(_HIGHLIGHT.c.chat_id == chat_id).limit(1)
        ).first()
        is not None
    )
    total = len(incoming)
    if progress:
        progress(0, total)
    with _bulk.roomy_cache(session):
        for start in range(0, total, CHUNK):
            chunk = incoming[start : start + CHUNK]
            _import_chunk(session, chat_id, chunk, books_in_db, result.format, had_highlights)
            if progress:
                progress(start + len(chunk), total)

    session.add(
        ImportRun(
            chat_id=chat_id,
            filename=filename,
            format=result.format,
            new=report.new,
            duplicates=report.duplicates,
            updated=report.updated,
            notes=report.notes,
            skipped=len(report.all_skipped),
        )
    )
    session.flush()
    return report


def _merge_repeats(
    records: Iterable[ParsedHighlight], books: dict[str, BookReport]
) -> list[_Incoming]:
    """Collapse records that are the same highlight, merging their tags, notes and flags."""
    seen: dict[str, _Incoming] = {}
    keys: dict[tuple[str, str], str] = {}  # a file has few books and many records per book
    for record in records:
        _sanitize(record)
        if not record.text.strip():
            continue
        key = keys.get((record.book_title, record.author))
        if key is None:
            key = keys[record.book_title, record.author] = book_key(
                record.book_title, record.author
            )
        book = books.get(key)
        if book is None:
            book = books[key] = BookReport(title=record.book_title.strip(), author=record.author)
        place = "" if record.kind is Kind.HIGHLIGHT else _note_place(record)
        fp = fingerprint(key, record.kind.value, record.text, place)
        first = seen.get(fp)
        if first is None:
            seen[fp] = _Incoming(record=record, key=key, fingerprint=fp, book=book)
            continue
        book.duplicates += 1  # a repeat within the file itself
        kept = first.record
        kept.tags = _union(kept.tags, record.tags, normalize=tag_key)
        kept.notes = _union(kept.notes, record.notes, normalize=normalize_text)
        kept.favorite = kept.favorite or record.favorite
        kept.discarded = kept.discarded or record.discarded
    return list(seen.values())


def _note_place(record: ParsedHighlight) -> str:
    return note_place(_stored(record.location_type), record.location)


UNKNOWN_BOOK = "Unknown book"
_MAX_INT = 2**31 - 1


def _sanitize(record: ParsedHighlight) -> None:
    """Make a record storable anywhere: no NUL characters (PostgreSQL refuses them), a
    book title, and a start location that fits an integer column."""
    # A NUL is rare: looking for one is much cheaper than replacing it in every field.
    if "\x00" in record.text:
        record.text = record.text.replace("\x00", "")
    record.book_title = _without_nul(record.book_title).strip() or UNKNOWN_BOOK
    record.author = _without_nul(record.author).strip()
    record.chapter = _without_nul(record.chapter) if record.chapter else None
    record.location = _without_nul(record.location) if record.location else None
    record.color = _without_nul(record.color) if record.color else None
    if record.tags:
        record.tags = [tag.replace("\x00", "") for tag in record.tags if tag.replace("\x00", "")]
    if record.notes:
        record.notes = [_without_nul(note) for note in record.notes]
    if record.location_start is not None and not 0 <= record.location_start <= _MAX_INT:
        record.location_start = None


def _without_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text


def _union(
    first: Sequence[str], second: Sequence[str], normalize: Callable[[str], str] = str
) -> list[str]:
    known = {normalize(item) for item in first}
    merged = list(first)
    for item in second:
        if normalize(item) not in known:
            known.add(normalize(item))
            merged.append(item)
    return merged


@dataclass(slots=True)
class _Books:
    """The import's books in the database, and where this import has put highlights so far."""

    ids: dict[str, int]
    """Book key -> book id."""
    existing: set[int]
    """Books the chat had before this import: only these can hold earlier versions."""
    placed: set[tuple[int, int]] = field(default_factory=set)
    """(book id, start location) of every highlight this import inserted."""


def _book_ids(
    session: Session, chat_id: int, incoming: Sequence[_Incoming]
) -> tuple[dict[str, int], set[int]]:
    """Ids of the books these records belong to, creating the missing ones; and which of
    them existed before."""
    wanted = {item.key: item for item in incoming}
    ids: dict[str, int] = {}
    for chunk in _chunked(list(wanted)):
        rows = session.execute(
            select(_BOOK.c.key, _BOOK.c.id).where(
                _BOOK.c.chat_id == chat_id, _BOOK.c.key.in_(chunk)
            )
        )
        ids.update(dict(rows.all()))
    missing = [
        {
            "chat_id": chat_id,
            "title": wanted[key].book.title,
            "author": wanted[key].book.author,
            "key": key,
            "created_at": utcnow(),
        }
        for key in wanted
        if key not in ids
    ]
    existing = set(ids.values())
    if missing:
        created = session.execute(
            insert(_BOOK).returning(_BOOK.c.key, _BOOK.c.id, sort_by_parameter_order=True),
            missing,
        )
        ids.update(dict(created.all()))
    return ids, existing


def _import_chunk(
    session: Session,
    chat_id: int,
    chunk: Sequence[_Incoming],
    books: _Books,
    source: str,
    had_highlights: bool,
) -> None:
    book_ids = books.ids
    existing = (
        _existing_by_fingerprint(session, chat_id, [item.fingerprint for item in chunk])
        if had_highlights
        else {}
    )
    fresh = [item for item in chunk if item.fingerprint not in existing]
    edits = _find_edits(session, fresh, books)
    now = utcnow()

    targets: dict[int, _Incoming] = {}  # highlight id -> the record that lands on it
    changed: set[int] = set()  # stored highlights this import changes
    for item in chunk:
        stored = existing.get(item.fingerprint)
        highlight_id = stored.id if stored else edits.get(id(item))
        if highlight_id is None:
            continue
        targets[highlight_id] = item
        if stored is None:
            changed.add(highlight_id)
            session.execute(
                update(_HIGHLIGHT).where(_HIGHLIGHT.c.id == highlight_id),
                _edited_fields(item, now),
            )
        elif flags := _raised_flags(stored, item.record):
            changed.add(highlight_id)
            session.execute(update(_HIGHLIGHT).where(_HIGHLIGHT.c.id == highlight_id), flags)
    stored_ids = set(targets)

    to_insert = [item for item in fresh if id(item) not in edits]
    if to_insert:
        keys = selection.new_keys(len(to_insert))
        before = session.execute(select(func.max(_HIGHLIGHT.c.id))).scalar_one() or 0
        time = _bulk.time_writer(session)
        stamp = time(now)
        _bulk.insert_rows(
            session,
            _HIGHLIGHT,
            _NEW_COLUMNS,
            [
                _new_row(chat_id, item, book_ids[item.key], time, stamp, key)
                for item, key in zip(to_insert, keys, strict=True)
            ],
        )
        # The drivers' fast paths (an executemany on SQLite, COPY on PostgreSQL) return no
        # ids: they are read back and matched by fingerprint, which is unique per chat.
        # RETURNING would make SQLAlchemy render thousands of placeholders per statement and,
        # kept in parameter order, insert one row per statement on SQLite.
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
        for item in to_insert:
            item.book.new += 1
            targets[new_ids[item.fingerprint]] = item
            if item.record.location_start is not None:
                books.placed.add((book_ids[item.key], item.record.location_start))

    changed |= _attach_tags(session, chat_id, targets, stored_ids)
    changed |= _attach_notes(session, targets, stored_ids, source)
    for highlight_id in stored_ids:
        book = targets[highlight_id].book
        if highlight_id in changed:
            book.updated += 1
        else:
            book.duplicates += 1
    touched = sorted((set(targets) - stored_ids) | changed)
    # New highlights were keyed at weight 1 before their tags were attached.
    selection.rekey(session, chat_id=chat_id, highlight_ids=touched)
    search_index.refresh(session, highlight_ids=touched)


def _attach_tags(
    session: Session, chat_id: int, targets: dict[int, _Incoming], stored_ids: set[int]
) -> set[int]:
    """Link every record's tags, creating missing tags; return stored highlights that gained one."""
    wanted = {
        (highlight_id, name) for highlight_id, item in targets.items() for name in item.record.tags
    }
    if not wanted:
        return set()
    tags = ensure_tags(session, chat_id=chat_id, names=sorted({name for _, name in wanted}))
    links = {(highlight_id, tags[tag_key(name)].id) for highlight_id, name in wanted}
    touched = sorted({highlight_id for highlight_id, _ in links} & stored_ids)
    for ids in _chunked(touched):
        present = session.execute(
            select(_LINK.c.highlight_id, _LINK.c.tag_id).where(_LINK.c.highlight_id.in_(ids))
        )
        links -= {(h, t) for h, t in present}
    if links:
        session.execute(insert(_LINK), [{"highlight_id": h, "tag_id": t} for h, t in sorted(links)])
    return {highlight_id for highlight_id, _ in links} & stored_ids


def _attach_notes(
    session: Session, targets: dict[int, _Incoming], stored_ids: set[int], source: str
) -> set[int]:
    """Add the notes each highlight lacks; return the stored highlights that gained one."""
    known: dict[int, set[str]] = {}
    with_notes = sorted(h for h, item in targets.items() if item.record.notes and h in stored_ids)
    for ids in _chunked(with_notes):
        rows = session.execute(
            select(_NOTE.c.highlight_id, _NOTE.c.text).where(_NOTE.c.highlight_id.in_(ids))
        )
        for highlight_id, text in rows:
            known.setdefault(highlight_id, set()).add(normalize_text(text))
    now = _bulk.time_writer(session)(utcnow())
    rows_to_add: list[_bulk.Row] = []
    gained: set[int] = set()
    for highlight_id, item in targets.items():
        seen = known.setdefault(highlight_id, set())
        for note in item.record.notes:
            words = normalize_text(note)
            if not words or words in seen:
                continue
            seen.add(words)
            item.book.notes += 1
            gained.add(highlight_id)
            rows_to_add.append((highlight_id, note.strip(), source, now))
    if rows_to_add:
        _bulk.insert_rows(
            session, _NOTE, ("highlight_id", "text", "source", "created_at"), rows_to_add
        )
    return gained & stored_ids


@dataclass(frozen=True, slots=True)
class _Existing:
    id: int
    favorite: bool
    discarded: bool


def _existing_by_fingerprint(
    session: Session, chat_id: int, fingerprints: list[str]
) -> dict[str, _Existing]:
    rows = session.execute(
        select(
            _HIGHLIGHT.c.fingerprint,
            _HIGHLIGHT.c.id,
            _HIGHLIGHT.c.favorite,
            _HIGHLIGHT.c.discarded,
        ).where(_HIGHLIGHT.c.chat_id == chat_id, _fingerprint_in(session, fingerprints))
    )
    return {fp: _Existing(id=i, favorite=fav, discarded=dis) for fp, i, fav, dis in rows}


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


def _raised_flags(row: _Existing, record: ParsedHighlight) -> dict[str, Any]:
    """Flags switch on from an import but never off: a discard made in the bot stays."""
    flags: dict[str, Any] = {}
    if record.favorite and not row.favorite:
        flags["favorite"] = True
    if record.discarded and not row.discarded:
        flags["discarded"] = True
    return flags


def _find_edits(session: Session, fresh: Sequence[_Incoming], books: _Books) -> dict[int, int]:
    """Map new records that are device edits of stored highlights to those highlights.

    A Kindle edit moves either end of a passage, or both: a stored highlight of the same
    book whose place overlaps this one's and whose words are a version of its words (see
    bot.parsers.versions) is the earlier version of this one.
    """
    book_ids = books.ids
    # Only a book the chat already had, or a place this import already filled, can hold an
    # earlier version: a first import of a large file looks nothing up at all. In a book
    # the chat had, a version may start anywhere near; a place this import filled holds
    # what the file gave, already resolved by the parser, so only its own start is looked at.
    ranges: dict[int, tuple[int, int]] = {}  # book id -> the starts to look at
    starts: dict[int, set[int]] = {}
    candidates = []
    for item in fresh:
        record = item.record
        start = record.location_start
        if record.kind is not Kind.HIGHLIGHT or start is None:
            continue
        book_id = book_ids[item.key]
        if book_id in books.existing:
            low, high = ranges.get(book_id, (start, start))
            ranges[book_id] = (min(low, start - _EDIT_REACH), max(high, _span(record)[1]))
        elif (book_id, start) in books.placed:
            starts.setdefault(book_id, set()).add(start)
        else:
            continue
        candidates.append(item)
    if not candidates:
        return {}
    conditions = [(book_id, _START.between(*span)) for book_id, span in ranges.items()] + [
        (book_id, _START.in_(chunk))
        for book_id, wanted in starts.items()
        for chunk in _chunked(sorted(wanted))
    ]
    stored: dict[tuple[int, str | None], list[_Stored]] = {}
    # The book is this chat's, so (book, start) finds the rows through ix_highlight_book_location.
    for book_id, condition in conditions:
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
            span = _stored_span(location, start)
            stored.setdefault((book_id, location_type), []).append((*span, highlight_id, text))
    for near in stored.values():
        near.sort()
    edits: dict[int, int] = {}
    claimed: set[int] = set()
    for item in candidates:
        record = item.record
        options = stored.get((book_ids[item.key], _stored(record.location_type)))
        if not options:
            continue  # the common case: nothing stored near, no need to normalise the text
        low, high = _span(record)
        words: str | None = None
        # By start: from the furthest back a version may start, to this one's end.
        for _first, last, highlight_id, old in options[
            bisect_left(options, (low - _EDIT_REACH,)) : bisect_right(options, (high, _MAX_INT))
        ]:
            if highlight_id in claimed or last < low:
                continue
            words = words or normalize_text(record.text)
            if same_passage(normalize_text(old), words):
                edits[id(item)] = highlight_id
                claimed.add(highlight_id)
                break
    return edits


_START = _HIGHLIGHT.c.location_start
_Stored = tuple[int, int, int, str]  # first and last location (or page), id, text
# How far before a new highlight's start a stored version of it is looked for: a stored
# highlight that starts further back and still reaches this one is taken for another.
_EDIT_REACH = 1000


def _span(record: ParsedHighlight) -> tuple[int, int]:
    return _stored_span(record.location, record.location_start or 0)


def _stored_span(location: str | None, start: int) -> tuple[int, int]:
    """The first and last location (or page) of a place such as ``"280-286"``."""
    span = span_of(location) if location else None
    return span if span is not None and span[0] == start else (start, start)


def _edited_fields(item: _Incoming, now: Any) -> dict[str, Any]:
    record = item.record
    return {
        "text": record.text,
        "location": record.location,
        "location_type": _stored(record.location_type),
        "location_start": record.location_start,
        "fingerprint": item.fingerprint,
        "updated_at": now,
    }


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
    item: _Incoming,
    book_id: int,
    time: Callable[[datetime | None], Any],
    now: Any,
    shuffle_key: float,
) -> _bulk.Row:
    """A new highlight's values in _NEW_COLUMNS order."""
    record = item.record
    return (
        chat_id,
        book_id,
        record.kind.value,
        record.text,
        record.location,
        _stored(record.location_type),
        record.location_start,
        record.chapter,
        record.chapter_level,
        record.color,
        time(record.highlighted_at),
        record.favorite,
        record.discarded,
        item.fingerprint,
        now,
        now,
        shuffle_key,
        True,  # pending: a new highlight joins the current round
    )


def _chunked(items: list[Any], size: int = 1000) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
