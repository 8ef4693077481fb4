"""SQL helpers the domain modules share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

T = TypeVar("T")

IN_LIST_SIZE = 1000
"""The most values one statement takes in an ``IN (...)`` list."""


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, leaving alone any that already exist (by primary or unique key)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
    session.execute(statement.on_conflict_do_nothing(), rows)


def chunked(items: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``: one statement each."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
