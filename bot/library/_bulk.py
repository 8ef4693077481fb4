"""Inserting many rows at once through the database driver's own fast path.

An import writes a hundred thousand rows. Through SQLAlchemy each row is a dict whose every
value goes through its type's bind processor, a large part of the import's Python time.
Here the rows are plain tuples, already in the driver's types, and go in as one
``executemany`` (sqlite3) or one ``COPY`` (psycopg), in the session's transaction, so a
rollback still takes them back. Tuples, not dicts: both drivers take them as they are,
where a dict's values would be looked up by name, row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session

from bot.models import UTCDateTime

Row = tuple[Any, ...]
"""A row's values in the order of the columns it is inserted with."""

IMPORT_CACHE_KIB = 32 * 1024
"""SQLite's page cache while an import writes (the default is 2 MB)."""


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert rows given as tuples in ``columns`` order, timestamps as ``time_writer``
    gives them."""
    if not rows:
        return
    driver, postgres, target, names = _driver_sql(session, table, columns)
    if postgres:
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    driver.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", rows)


def _driver_sql(
    session: Session, table: Table, columns: Sequence[str]
) -> tuple[Any, bool, str, str]:
    """The session's driver connection, whether it is psycopg, and the quoted table name and
    column list for SQL written by hand."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    return (
        connection.connection.driver_connection,
        connection.dialect.name == "postgresql",
        quote(table.name),
        ", ".join(quote(table.c[name].name) for name in columns),
    )


def rows_after(session: Session, table: Table, columns: Sequence[str], after_id: int) -> list[Row]:
    """``columns`` of the rows whose id is past ``after_id``, read through the driver (a
    cursor's own rows: SQLAlchemy's result rows cost more than the query here)."""
    driver, postgres, target, names = _driver_sql(session, table, columns)
    query = f"SELECT {names} FROM {target} WHERE id > {'%s' if postgres else '?'}"
    rows: list[Row] = driver.execute(query, (after_id,)).fetchall()
    return rows


def time_writer(session: Session) -> Callable[[datetime | None], Any]:
    """How ``insert_rows`` takes a timestamp on this session's database: what ``UTCDateTime``
    binds (UTC; on SQLite SQLAlchemy's text form), so rows written here read back like any
    other, and a naive datetime is refused alike."""
    dialect = session.get_bind().dialect
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None  # a TypeDecorator with process_bind_param always has one
    return process


@contextmanager
def roomy_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache that holds an import's hot pages while it writes.

    The indexes on fingerprints and shuffle keys take rows in random order, and the FTS5
    segments are merged as they grow: the default 2 MB cache would spill their pages to the
    WAL and rewrite them over and over. The connection's own size is back afterwards
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
