"""Inserting many rows at once through the database driver's own fast path.

An import writes a hundred thousand rows. Through SQLAlchemy each row is a dict whose every
value goes through its type's bind processor: on SQLite that was a third of the import's
Python time. Here the rows are plain tuples, already in the driver's types, and go in as
one ``executemany`` (sqlite3) or one ``COPY`` (psycopg), in the session's transaction, so a
rollback still takes them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session

Row = tuple[Any, ...]

IMPORT_CACHE_KIB = 32 * 1024
"""SQLite's page cache while an import writes (the default is 2 MB)."""


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Iterable[Row]
) -> None:
    """Insert rows given as tuples in ``columns`` order, timestamps as ``time_writer``
    gives them."""
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[name].name) for name in columns)
    target = quote(table.name)
    if connection.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    driver.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)


def rows_after(session: Session, table: Table, columns: Sequence[str], after_id: int) -> list[Row]:
    """``columns`` of the rows whose id is past ``after_id``, read through the driver (a
    cursor's own rows: SQLAlchemy's result rows cost more than the query here)."""
    connection = session.connection()
    driver: Any = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[name].name) for name in columns)
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    query = f"SELECT {names} FROM {quote(table.name)} WHERE {quote(table.c.id.name)} > {mark}"
    rows: list[Row] = driver.execute(query, (after_id,)).fetchall()
    return rows


def time_writer(session: Session) -> Callable[[datetime | None], Any]:
    """How ``insert_rows`` takes a timestamp on this session's database: UTC, as
    ``UTCDateTime`` stores it.

    SQLite keeps SQLAlchemy's text form (``2024-08-22 19:01:04.000000``, no zone), so rows
    written here read back like any other; psycopg takes the aware datetime itself.
    """
    postgres = session.get_bind().dialect.name == "postgresql"

    def write(value: datetime | None) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        value = value.astimezone(UTC)
        return value if postgres else sqlite_time(value)

    return write


def sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite storage format for a UTC datetime."""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 - the fastest form here
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache that holds an import's hot pages while it writes.

    The indexes on fingerprints and shuffle keys take rows in random order, and the FTS5
    segments are merged as they grow: with the default 2 MB cache their pages were spilled
    to the WAL and rewritten over and over. The connection's own size is back afterwards
    (the dirty pages wait for the commit either way), so a pooled connection stays small.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = int(session.execute(text("PRAGMA cache_size")).scalar_one())
    session.execute(text(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {before}"))
