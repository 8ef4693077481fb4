"""Backup and restore of the whole database, between SQLite and PostgreSQL in any direction.

A backup is gzip-compressed JSON lines: a header naming the schema revision, then one line
per row, table by table in foreign-key order. Restoring needs an empty database at the same
schema revision; it keeps every id, rebuilds the search index and, on PostgreSQL, moves the
id sequences past the restored rows.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, Engine, Table, func, insert, select, text
from sqlmodel import Session, SQLModel

import bot.models  # noqa: F401  (registers every table on SQLModel.metadata)
from bot import db
from bot.library import search_index
from bot.library.errors import LibraryError
from bot.models import UTCDateTime

FORMAT = "commonplace-backup"
VERSION = 1
TABLES = (
    "chat",
    "book",
    "highlight",
    "tag",
    "highlight_tag",
    "note",
    "import_run",
    "bot_message",
    "saved_search",
    "delivery",
)
SERIAL_TABLES = ("book", "highlight", "tag", "note", "import_run", "saved_search", "delivery")
_BATCH = 1000


class RestoreRefused(LibraryError):
    """The backup cannot be restored here; nothing was written."""


@dataclass(slots=True)
class BackupReport:
    """Rows per table written or restored."""

    schema: str
    rows: dict[str, int] = field(default_factory=dict)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _encode(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table) -> dict[str, type[datetime] | type[date]]:
    kinds: dict[str, type[datetime] | type[date]] = {}
    for column in table.columns:
        if isinstance(column.type, UTCDateTime | DateTime):
            kinds[column.name] = datetime
        elif isinstance(column.type, Date):
            kinds[column.name] = date
    return kinds


def _decode(row: dict[str, Any], kinds: dict[str, type[datetime] | type[date]]) -> dict[str, Any]:
    for name, kind in kinds.items():
        value = row.get(name)
        if isinstance(value, str):
            parsed = kind.fromisoformat(value)
            if isinstance(parsed, datetime) and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            row[name] = parsed
    return row


def backup(engine: Engine, path: Path) -> BackupReport:
    """Write every row of every table to ``path``."""
    report = BackupReport(schema=db.current_revision(engine) or "")
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema": report.schema,
        "dialect": engine.dialect.name,
        "created_at": datetime.now(UTC).isoformat(),
    }
    with gzip.open(path, "wt", encoding="utf-8") as out, Session(engine) as session:
        out.write(json.dumps(header) + "\n")
        for name in TABLES:
            table = _table(name)
            order = list(table.primary_key.columns)
            rows = session.execute(select(table).order_by(*order)).mappings()
            count = 0
            for row in rows.yield_per(_BATCH):
                out.write(
                    json.dumps({"t": name, "r": {k: _encode(v) for k, v in row.items()}}) + "\n"
                )
                count += 1
            report.rows[name] = count
    return report


def _lines(stream: IO[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            raise RestoreRefused(f"The backup is damaged at line {number}.") from None
        if not isinstance(item, dict):
            raise RestoreRefused(f"The backup is damaged at line {number}.")
        yield item


def restore(engine: Engine, path: Path) -> BackupReport:
    """Load a backup into an empty database at the same schema revision."""
    schema = db.current_revision(engine) or ""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            return _restore(engine, _lines(stream), schema)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise RestoreRefused(f"This is not a readable Commonplace backup ({error}).") from None


def _restore(engine: Engine, items: Iterator[dict[str, Any]], schema: str) -> BackupReport:
    header = next(items, None)
    if header is None or header.get("format") != FORMAT:
        raise RestoreRefused("This is not a Commonplace backup.")
    if header.get("version") != VERSION:
        raise RestoreRefused(f"Backup format version {header.get('version')} is not supported.")
    if header.get("schema") != schema:
        raise RestoreRefused(
            f"The backup was made at schema revision {header.get('schema')}, this database is at "
            f"{schema or 'none'}: restore with the Commonplace version that made it, or run "
            "`commonplace db upgrade` so both match."
        )
    report = BackupReport(schema=schema, rows=dict.fromkeys(TABLES, 0))
    with db.unit_of_work(db.session_factory(engine)) as session:
        for name in TABLES:
            if session.execute(select(func.count()).select_from(_table(name))).scalar_one():
                raise RestoreRefused(
                    f"Restore needs an empty database, and table {name} has rows. Point "
                    "DATABASE_URL at a new database."
                )
        decoders = {name: _decoder(_table(name)) for name in TABLES}
        batch: list[dict[str, Any]] = []
        current: str | None = None
        for item in items:
            table_name, row = item.get("t"), item.get("r")
            if table_name not in decoders or not isinstance(row, dict):
                raise RestoreRefused(f"The backup names an unknown table {table_name!r}.")
            if table_name != current or len(batch) >= _BATCH:
                _flush(session, current, batch)
                batch, current = [], table_name
            batch.append(_decode(row, decoders[table_name]))
            report.rows[table_name] += 1
        _flush(session, current, batch)
        ids = session.execute(select(_table("highlight").c.id)).scalars().all()
        search_index.refresh(session, highlight_ids=ids)
        if engine.dialect.name == "postgresql":
            _advance_sequences(session)
    return report


def _flush(session: Session, name: str | None, rows: list[dict[str, Any]]) -> None:
    if name is not None and rows:
        session.execute(insert(_table(name)), rows)


def _advance_sequences(session: Session) -> None:
    """Restored ids were given explicitly; the next new row must come after them."""
    for name in SERIAL_TABLES:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )
