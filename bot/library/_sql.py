"""SQL helpers the domain modules share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignore(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, leaving alone any that already exist (by primary or unique key)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = sqlite.insert(table) if dialect == "sqlite" else postgresql.insert(table)
    session.execute(statement.on_conflict_do_nothing(), rows)
