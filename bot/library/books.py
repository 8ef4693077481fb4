"""A chat's books page by page, and how often each book's highlights come."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session, col

from bot.library import selection
from bot.library.chats import ensure_chat
from bot.library.errors import LibraryError
from bot.library.selection import Frequency
from bot.models import Book, Chat, Highlight

BOOKS_PER_PAGE = 8


class BookNotInLibrary(LibraryError):
    """The book does not exist in this chat (it may belong to another one)."""

    def __init__(self) -> None:
        super().__init__("That book is not in your library any more.")


@dataclass(frozen=True, slots=True)
class BookEntry:
    """A book with its number of highlights and how often they come."""

    id: int
    title: str
    author: str
    highlights: int
    frequency: Frequency


@dataclass(frozen=True, slots=True)
class BookPage:
    """One page of the chat's books, biggest first."""

    offset: int
    total: int
    entries: list[BookEntry]


def _entries(
    session: Session, chat_id: int, *, book_id: int | None = None, offset: int = 0, limit: int = 1
) -> list[BookEntry]:
    per_book = func.count(col(Highlight.id))
    query = (
        select(col(Book.id), col(Book.title), col(Book.author), per_book, col(Book.frequency))
        .join(Highlight, col(Highlight.book_id) == col(Book.id))
        .where(col(Book.chat_id) == chat_id)
        .group_by(col(Book.id), col(Book.title), col(Book.author), col(Book.frequency))
        .order_by(per_book.desc(), col(Book.title), col(Book.id))
        .offset(offset)
        .limit(limit)
    )
    if book_id is not None:
        query = query.where(col(Book.id) == book_id)
    return [
        BookEntry(id_, title, author, count, Frequency.of(frequency))
        for id_, title, author, count, frequency in session.execute(query)
    ]


def book_page(
    session: Session, *, chat_id: int, offset: int = 0, limit: int = BOOKS_PER_PAGE
) -> BookPage:
    """The chat's books from ``offset`` (a page past the end shows the last one)."""
    total = session.execute(
        select(func.count(func.distinct(col(Highlight.book_id)))).where(
            col(Highlight.chat_id) == chat_id
        )
    ).scalar_one()
    start = min(max(offset, 0), max(total - 1, 0) // limit * limit)
    entries = _entries(session, chat_id, offset=start, limit=limit)
    return BookPage(offset=start, total=total, entries=entries)


def book_entry(session: Session, *, chat_id: int, book_id: int) -> BookEntry:
    """One book of the chat; BookNotInLibrary for another chat's or a deleted one."""
    found = _entries(session, chat_id, book_id=book_id)
    if not found:
        raise BookNotInLibrary
    return found[0]


def set_frequency(
    session: Session, *, chat_id: int, book_id: int, frequency: Frequency
) -> BookEntry:
    """Set how often a book's highlights come, and re-place them in the current round."""
    book = session.get(Book, book_id)
    if book is None or book.chat_id != chat_id:
        raise BookNotInLibrary
    book.frequency = frequency
    session.flush()
    ensure_chat(session, chat_id=chat_id)
    chat = session.get(Chat, chat_id)
    assert chat is not None
    ids = session.execute(
        select(col(Highlight.id)).where(
            col(Highlight.chat_id) == chat_id, col(Highlight.book_id) == book_id
        )
    ).scalars()
    selection.replace(session, chat_id=chat_id, mode=chat.mode, highlight_ids=list(ids))
    return book_entry(session, chat_id=chat_id, book_id=book_id)
