"""Reading an uploaded SQLite database: from a private copy, read-only, and never trusted.

A parser gets the database as bytes. SQLite needs a file, so the bytes go to a temporary
directory of their own: even a read-only open of a database in WAL mode creates ``-wal`` and
``-shm`` files beside it, and they must land (and be deleted) with the copy, never anywhere
shared. A truncated or damaged file shows up as ``sqlite3.DatabaseError`` at the first query,
not at the open, so every read goes through ``reading``, which turns it into a ParseError.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from bot.parsers.records import ParseError

MAGIC = b"SQLite format 3\x00"
"""The first sixteen bytes of every SQLite database."""

DAMAGED = (
    "This SQLite database is damaged or cut short (was the copy finished before the device "
    "was unplugged?). Copy it again and send the new copy."
)


def is_sqlite(data: bytes) -> bool:
    """Whether the bytes start like a SQLite database."""
    return data.startswith(MAGIC)


@contextmanager
def reading(data: bytes) -> Iterator[sqlite3.Connection]:
    """The database in ``data``, opened read-only from a copy that is deleted afterwards."""
    if not is_sqlite(data):
        raise ParseError("This file is not a SQLite database.")
    with tempfile.TemporaryDirectory(prefix="commonplace-sqlite-") as directory:
        path = Path(directory) / "upload.sqlite"
        path.write_bytes(data)
        try:
            connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            raise ParseError(DAMAGED) from None
        with closing(connection):
            try:
                # The schema is the sender's: nothing in it (views, triggers, generated
                # columns) may call functions with side effects.
                connection.execute("PRAGMA trusted_schema = OFF")
                yield connection
            except sqlite3.DatabaseError:
                raise ParseError(DAMAGED) from None


def table_names(connection: sqlite3.Connection) -> frozenset[str]:
    """The database's tables, as SQLite spells them."""
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return frozenset(str(name) for (name,) in rows)


def column_names(connection: sqlite3.Connection, table: str) -> frozenset[str]:
    """The columns of one table (``table`` is one of ours, never the file's)."""
    return frozenset(str(row[1]) for row in connection.execute(f'PRAGMA table_info("{table}")'))


def tables_of(data: bytes) -> frozenset[str]:
    """The tables of a database given as bytes; empty for bytes that are no database."""
    if not is_sqlite(data):
        return frozenset()
    with reading(data) as connection:
        return table_names(connection)
