"""The books an import writes into: found or created, and where it has put highlights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlmodel import Session

from bot.library._import_records import Incoming
from bot.library._sql import chunked
from bot.models import Book, table_of, utcnow

_BOOK = table_of(Book)


@dataclass(slots=True)
class ImportBooks:
    """The import's books in the database, and where this import has put highlights so far."""

    ids: dict[str, int]
    """Book key -> book id."""
    existing: set[int]
    """Books the chat had before this import: only these can hold earlier versions."""
    placed: set[tuple[int, int]] = field(default_factory=set)
    """(book id, start location) of every highlight this import inserted."""


def find_or_create_books(
    session: Session, *, chat_id: int, incoming: Sequence[Incoming]
) -> ImportBooks:
    """The books these records belong to, the missing ones created."""
    wanted = {item.key: item for item in incoming}
    ids: dict[str, int] = {}
    for keys in chunked(wanted):
        rows = session.execute(
            select(_BOOK.c.key, _BOOK.c.id).where(_BOOK.c.chat_id == chat_id, _BOOK.c.key.in_(keys))
        )
        ids.update(dict(rows.all()))
    existing = set(ids.values())
    missing = [
        {
            "chat_id": chat_id,
            "title": item.book.title,
            "author": item.book.author,
            "key": key,
            "created_at": utcnow(),
        }
        for key, item in wanted.items()
        if key not in ids
    ]
    if missing:
        created = session.execute(
            insert(_BOOK).returning(_BOOK.c.key, _BOOK.c.id, sort_by_parameter_order=True),
            missing,
        )
        ids.update(dict(created.all()))
    return ImportBooks(ids=ids, existing=existing)
