"""Importing parsed highlights into a chat's library: transactional and idempotent.

The import never commits; the caller's unit of work does, so a file that fails half-way
leaves nothing behind. Records are written in chunks with set-based SQL, which keeps a
100,000-record file fast and its memory bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from bot.collector import collector_paused
from bot.library import _bulk
from bot.library._import_books import ImportBooks, find_or_create_books
from bot.library._import_chunk import write_chunk
from bot.library._import_records import Incoming, merge_repeats
from bot.library.chats import ensure_chat
from bot.library.errors import ImportRejected
from bot.library.identity import book_key, normalize_text
from bot.library.import_report import BookReport, ImportReport
from bot.models import Chat, Highlight, ImportRun, table_of
from bot.parsers import ParseError, ParseResult, Skipped, parse_bytes, parse_file

__all__ = [
    "CHUNK",
    "BookReport",
    "ImportReport",
    "ProgressCallback",
    "import_bytes",
    "import_file",
    "import_records",
]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while records are written."""

CHUNK = 2000
"""Records written together: progress is reported after each chunk."""

_CHAT = table_of(Chat)
_HIGHLIGHT = table_of(Highlight)


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
    report = ImportReport(
        format=result.format,
        filename=filename,
        notices=list(result.notices),
        files=list(result.files),
    )
    books: dict[str, BookReport] = {}
    incoming = merge_repeats(result.highlights, books)
    _file_skipped(report, books, result.skipped)
    report.books = list(books.values())

    _lock_chat(session, chat_id)
    import_books = find_or_create_books(session, chat_id=chat_id, incoming=incoming)
    had_highlights = _has_highlights(session, chat_id)
    _write(session, chat_id, incoming, import_books, result.format, had_highlights, progress)
    _record_run(session, chat_id, report)
    return report


def _file_skipped(
    report: ImportReport, books: dict[str, BookReport], skipped: Sequence[Skipped]
) -> None:
    """Put each skipped entry under its book (a book with nothing else gets a report of its
    own), or under the file when it names no book."""
    by_title = {normalize_text(book.title): book for book in books.values()}
    for entry in skipped:
        if not entry.book_title:
            report.skipped.append(entry)
            continue
        title = normalize_text(entry.book_title)
        if title not in by_title:
            by_title[title] = books[book_key(entry.book_title, "")] = BookReport(
                title=entry.book_title.strip(), author=""
            )
        by_title[title].skipped.append(entry)


def _lock_chat(session: Session, chat_id: int) -> None:
    """Make sure the chat exists, and keep other imports into it out until the commit."""
    ensure_chat(session, chat_id=chat_id)
    if session.get_bind().dialect.name == "postgresql":
        # Two imports into one chat at once would both insert the same new books; the chat
        # row's lock makes the second wait for the first. (On SQLite the write lock does.)
        session.execute(select(_CHAT.c.id).where(_CHAT.c.id == chat_id).with_for_update())


def _has_highlights(session: Session, chat_id: int) -> bool:
    """Whether the chat holds any highlight yet.

    A chat with none can hold none of the records: their fingerprints are unique after
    merging, so no chunk meets another's, and the chat's lock keeps other imports out.
    """
    first = select(_HIGHLIGHT.c.id).where(_HIGHLIGHT.c.chat_id == chat_id).limit(1)
    return session.execute(first).first() is not None


def _write(
    session: Session,
    chat_id: int,
    incoming: Sequence[Incoming],
    books: ImportBooks,
    source: str,
    had_highlights: bool,
    progress: ProgressCallback | None,
) -> None:
    """Write the records a chunk at a time, reporting progress after each."""
    total = len(incoming)
    if progress:
        progress(0, total)
    with _bulk.roomy_cache(session):
        for start in range(0, total, CHUNK):
            chunk = incoming[start : start + CHUNK]
            write_chunk(
                session,
                chat_id=chat_id,
                chunk=chunk,
                books=books,
                source=source,
                had_highlights=had_highlights,
            )
            if progress:
                progress(start + len(chunk), total)


def _record_run(session: Session, chat_id: int, report: ImportReport) -> None:
    session.add(
        ImportRun(
            chat_id=chat_id,
            filename=report.filename,
            format=report.format,
            new=report.new,
            duplicates=report.duplicates,
            updated=report.updated,
            notes=report.notes,
            skipped=len(report.all_skipped),
        )
    )
    session.flush()
