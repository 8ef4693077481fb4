"""Alembic owns the schema: the migrations build exactly what the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables)
from bot import db

# The full-text index is built by hand in the migrations, per backend.
SEARCH_OBJECTS = {"highlight_fts", "highlight_search"}


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table":
        return not (name or "").startswith(tuple(SEARCH_OBJECTS))
    table = getattr(obj, "table", None)
    return table is None or table.name not in SEARCH_OBJECTS


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _ours, "compare_type": True}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert {"chat", "highlight", "note", "tag", "book"} <= set(inspect(engine).get_table_names())
