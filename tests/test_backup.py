"""Backup and restore round-trip everything, SQLite to PostgreSQL and back."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import col

from bot import db
from bot.backup import RestoreRefused, backup, restore
from bot.db import unit_of_work
from bot.delivery import claims
from bot.library import annotating, chats
from bot.library.exporting import iter_library, to_json
from bot.library.importing import import_bytes
from bot.library.messages import remember_messages
from bot.library.search import search
from bot.models import Chat, Delivery, Highlight
from tests.conftest import TABLES

SEED = Path(__file__).parents[1] / "seeds" / "the-devops-handbook.txt"


def populate(engine: Engine) -> None:
    sessions = db.session_factory(engine)
    with unit_of_work(sessions) as session:
        for chat_id in (1, -1002):
            import_bytes(session, chat_id=chat_id, data=SEED.read_bytes(), max_bytes=10**7)
        first, second = session.scalars(
            select(col(Highlight.id)).where(col(Highlight.chat_id) == 1).limit(2)
        ).all()
        annotating.set_favorite(session, chat_id=1, highlight_id=first, favorite=True)
        annotating.set_discarded(session, chat_id=1, highlight_id=second, discarded=True)
        annotating.annotate(
            session,
            chat_id=1,
            highlight_id=first,
            annotation=annotating.parse_annotation("#restored a note from Telegram"),
            source_ref="55",
        )
        chats.set_timezone(session, chat_id=1, value="Asia/Kathmandu")
        chats.set_delivery_time(session, chat_id=1, value="06:30")
        chats.set_mode(session, chat_id=1, value="weighted")
        chats.set_tag_weight(session, chat_id=1, tag="culture", weight=4)
        chats.set_paused(session, chat_id=-1002, paused=True)
        remember_messages(session, chat_id=1, message_ids=[10, 11], highlight_id=first)
        now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
        claims.schedule_new_chats(session, now=now, default_timezone="UTC")
        session.execute(text("UPDATE chat SET next_due_at = :t"), {"t": now})
        claims.claim_due_batch(session, now=now, default_timezone="UTC", rng=random.Random(1))


def snapshot(engine: Engine) -> dict[str, object]:
    sessions = db.session_factory(engine)
    with sessions() as session:
        state: dict[str, object] = {}
        for chat_id in (1, -1002):
            state[f"library {chat_id}"] = to_json(iter_library(session, chat_id=chat_id))
            state[f"settings {chat_id}"] = chats.get_settings(
                session, chat_id=chat_id, default_timezone="UTC"
            )
        state["chats"] = [
            (c.id, c.next_due_at, c.next_due_date, c.active)
            for c in session.scalars(select(Chat).order_by(col(Chat.id)))
        ]
        state["deliveries"] = [
            (d.chat_id, d.local_date, d.highlight_id, d.status)
            for d in session.scalars(select(Delivery).order_by(col(Delivery.id)))
        ]
        state["search"] = [h.id for h in search(session, chat_id=1, query="telegram").hits]
        state["pending"] = sorted(
            session.scalars(select(col(Highlight.id)).where(col(Highlight.pending))).all()
        )
    return state


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Engine:
    import shutil

    path = tmp_path / "other.db"
    shutil.copy(sqlite_template, path)
    return db.create_db_engine(f"sqlite:///{path}")


@pytest.fixture
def postgres_engine(postgres_url: str) -> Engine:
    engine = db.create_db_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite->postgres", "postgres->sqlite"])
def test_round_trip_between_backends(
    direction: str, sqlite_engine: Engine, postgres_engine: Engine, tmp_path: Path
) -> None:
    source, target = (
        (sqlite_engine, postgres_engine)
        if direction == "sqlite->postgres"
        else (postgres_engine, sqlite_engine)
    )
    populate(source)
    before = snapshot(source)
    assert before["search"], "the note written in Telegram is searchable"
    file = tmp_path / "backup.jsonl.gz"
    made = backup(source, file)
    assert made.rows["highlight"] > 200
    restored = restore(target, file)
    assert restored.rows == made.rows
    assert snapshot(target) == before
    # New rows get fresh ids after the restored ones.
    with unit_of_work(db.session_factory(target)) as session:
        report = import_bytes(
            session, chat_id=3, data=SEED.read_bytes(), max_bytes=10**7, filename="again"
        )
    assert report.new == made.rows["highlight"] // 2
    sqlite_engine.dispose()
    postgres_engine.dispose()


def test_restore_refuses_a_database_with_rows_or_a_foreign_file(
    engine: Engine, tmp_path: Path
) -> None:
    populate(engine)
    file = tmp_path / "b.jsonl.gz"
    backup(engine, file)
    with pytest.raises(RestoreRefused, match="empty database"):
        restore(engine, file)
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"not gzip at all")
    with pytest.raises(RestoreRefused, match="not a readable"):
        restore(engine, junk)
