"""Alembic owns the schema: the migrations build exactly what the models describe."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
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


def test_upgrade_from_the_first_schema_keeps_every_row(engine: Engine) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import text

    from bot.db import session_factory
    from bot.library.search import search

    db.downgrade(engine, "base")
    db.upgrade(engine, "0001")
    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).isoformat()
    fts = engine.dialect.name == "sqlite"
    with engine.begin() as c:
        c.execute(text("INSERT INTO chat (id, created_at) VALUES (5, :now)"), {"now": now})
        c.execute(
            text(
                "INSERT INTO book (id, chat_id, title, author, key, created_at) "
                "VALUES (1, 5, 'Walden', 'Thoreau', 'walden\x1fthoreau', :now)"
            ),
            {"now": now},
        )
        for hid, words in ((1, "I went to the woods"), (2, "Simplify, simplify")):
            c.execute(
                text(
                    "INSERT INTO highlight (id, chat_id, book_id, kind, text, favorite, "
                    "discarded, fingerprint, created_at, updated_at) "
                    "VALUES (:id, 5, 1, 'highlight', :text, :fav, false, :fp, :now, :now)"
                ),
                {"id": hid, "text": words, "fav": hid == 2, "fp": f"fp{hid}", "now": now},
            )
        c.execute(text("INSERT INTO tag (id, chat_id, name) VALUES (1, 5, 'nature')"))
        c.execute(text("INSERT INTO highlight_tag (highlight_id, tag_id) VALUES (1, 1)"))
        c.execute(
            text(
                "INSERT INTO note (highlight_id, text, source, created_at) "
                "VALUES (1, 'deliberately', 'kindle_clippings', :now)"
            ),
            {"now": now},
        )
        if fts:
            c.execute(
                text(
                    "INSERT INTO highlight_fts (rowid, chat, body, notes, title, author) "
                    "VALUES (1, 'cp5', 'I went to the woods', 'deliberately', 'Walden', 'Thoreau')"
                )
            )
        else:
            c.execute(
                text(
                    "INSERT INTO highlight_search (highlight_id, document) VALUES (1, "
                    "setweight(to_tsvector('simple', 'cp5'), 'D') || "
                    "to_tsvector('commonplace', 'I went to the woods deliberately'))"
                )
            )

    db.upgrade(engine)

    with engine.connect() as c:
        rows = c.execute(
            text("SELECT id, text, favorite, pending FROM highlight ORDER BY id")
        ).all()
        assert [(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows] == [
            (1, "I went to the woods", False, True),
            (2, "Simplify, simplify", True, True),
        ]
        assert c.execute(text("SELECT count(*) FROM note")).scalar_one() == 1
        assert c.execute(text("SELECT count(*) FROM highlight_tag")).scalar_one() == 1
        assert c.execute(text("SELECT delivery_time, mode FROM chat")).one() == ("08:00", "random")
    with session_factory(engine)() as session:
        assert [h.text for h in search(session, chat_id=5, query="deliberately").hits] == [
            "I went to the woods"
        ]
    with engine.begin() as c:
        c.execute(text("DELETE FROM chat WHERE id = 5"))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM highlight")).scalar_one() == 0
        if fts:
            assert c.execute(text("SELECT count(*) FROM highlight_fts")).scalar_one() == 0


def _pages(engine: Engine) -> tuple[int, int]:
    """(SQLite's page size, FTS5's leaf size) of a migrated SQLite database."""
    with engine.connect() as connection:
        page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
        leaf = connection.execute(
            text("SELECT v FROM highlight_fts_config WHERE k = 'pgsz'")
        ).scalar_one()
    return page_size, leaf


def test_a_new_sqlite_database_has_large_pages_and_search_leaves_that_fill_them(
    tmp_path: Path,
) -> None:
    engine = db.create_db_engine(f"sqlite:///{tmp_path / 'new.db'}")
    db.upgrade(engine)
    assert _pages(engine) == (db.SQLITE_PAGE_SIZE, db.SQLITE_PAGE_SIZE - 46)
    db.downgrade(engine, "0004")
    with engine.connect() as connection:
        leaf = connection.execute(text("SELECT v FROM highlight_fts_config WHERE k = 'pgsz'"))
        assert leaf.scalar_one() == 4050  # FTS5's own default
    db.upgrade(engine)
    assert _pages(engine) == (db.SQLITE_PAGE_SIZE, db.SQLITE_PAGE_SIZE - 46)
    engine.dispose()


def test_an_older_sqlite_database_keeps_its_pages_and_leaves_that_fit_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:  # made before: SQLite's default 4096 pages
        connection.execute("CREATE TABLE kept (x)")
    connection.close()
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    assert _pages(engine) == (4096, 4050)
    engine.dispose()


def test_tag_keys_keep_every_tag_and_merge_the_spellings_of_one(engine: Engine) -> None:
    from bot.db import session_factory, unit_of_work
    from bot.library.exporting import iter_library
    from bot.library.identity import book_key, fingerprint
    from bot.library.importing import import_records
    from bot.parsers import ParsedHighlight, ParseResult

    db.downgrade(engine, "base")
    db.upgrade(engine, "0005")
    now = "2024-01-02T03:04:05+00:00"
    with engine.begin() as c:
        c.execute(text("INSERT INTO chat (id, created_at) VALUES (5, :now)"), {"now": now})
        c.execute(
            text(
                "INSERT INTO book (id, chat_id, title, author, key, created_at) "
                "VALUES (1, 5, 'Walden', '', :key, :now)"
            ),
            {"now": now, "key": book_key("Walden", "")},
        )
        for hid, words in ((1, "I went to the woods"), (2, "Simplify, simplify")):
            c.execute(
                text(
                    "INSERT INTO highlight (id, chat_id, book_id, kind, text, favorite, "
                    "discarded, fingerprint, created_at, updated_at) "
                    "VALUES (:id, 5, 1, 'highlight', :text, false, false, :fp, :now, :now)"
                ),
                {
                    "id": hid,
                    "text": words,
                    "fp": fingerprint(book_key("Walden", ""), "highlight", words),
                    "now": now,
                },
            )
        tags = ((1, "knowledge-management", 1), (2, "deep-work", 1), (3, "deep_work", 3))
        for tag_id, name, weight in tags:
            c.execute(
                text("INSERT INTO tag (id, chat_id, name, weight) VALUES (:id, 5, :name, :w)"),
                {"id": tag_id, "name": name, "w": weight},
            )
        for hid, tag_id in ((1, 1), (1, 2), (1, 3), (2, 3)):
            c.execute(
                text("INSERT INTO highlight_tag (highlight_id, tag_id) VALUES (:h, :t)"),
                {"h": hid, "t": tag_id},
            )

    db.upgrade(engine)

    with engine.connect() as c:
        assert c.execute(text("SELECT id, name, key, weight FROM tag ORDER BY id")).all() == [
            (1, "knowledge-management", "knowledge management", 1),
            (2, "deep-work", "deep work", 3),
        ]
        links = c.execute(text("SELECT highlight_id, tag_id FROM highlight_tag ORDER BY 1, 2"))
        assert links.all() == [(1, 1), (1, 2), (2, 2)]
    # The next import that spells the tag with its spaces gives them back.
    record = ParsedHighlight(book_title="Walden", text="Simplify, simplify")
    record.tags = ["knowledge management"]
    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=5, result=ParseResult(format="test", highlights=[record]))
    with unit_of_work(sessions) as session:
        assert [view.tags for view in iter_library(session, chat_id=5)] == [
            ["deep-work", "knowledge management"],
            ["deep-work", "knowledge management"],
        ]
    db.downgrade(engine, "0005")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM highlight_tag")).scalar_one() == 4
    db.upgrade(engine)


def test_upgrade_gives_stored_lone_notes_their_place_in_their_identity(engine: Engine) -> None:
    import hashlib

    from bot.db import session_factory, unit_of_work
    from bot.library.importing import import_records
    from bot.parsers import Kind, LocationType, ParsedHighlight, ParseResult

    def notes_at(*places: str) -> ParseResult:
        return ParseResult(
            format="kindle_clippings",
            highlights=[
                ParsedHighlight(
                    book_title="B",
                    text="V",
                    kind=Kind.NOTE,
                    location=place,
                    location_type=LocationType.LOCATION,
                )
                for place in places
            ],
        )

    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        import_records(session, chat_id=7, result=notes_at("100"))
    # The fingerprint an earlier version stored: book, kind and words only.
    old = hashlib.sha256(b"b\x1f\x1enote\x1ev").hexdigest()
    with engine.begin() as c:
        c.execute(text("UPDATE highlight SET fingerprint = :fp"), {"fp": old})
    db.downgrade(engine, "0007")
    db.upgrade(engine)
    with unit_of_work(sessions) as session:
        report = import_records(session, chat_id=7, result=notes_at("100", "200"))
    assert (report.new, report.duplicates) == (1, 1)


def test_reviews_keep_every_chat_setting_and_every_delivery(engine: Engine) -> None:
    from datetime import date

    db.downgrade(engine, "0008")
    now = "2026-12-01T08:00:00+00:00"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO chat (id, created_at, timezone, delivery_time, mode, paused, active, "
                "next_due_at, next_due_date) VALUES (7, :now, 'Europe/Berlin', '06:45', "
                "'weighted', true, false, :now, '2026-12-02')"
            ),
            {"now": now},
        )
        c.execute(text("INSERT INTO chat (id, created_at) VALUES (8, :now)"), {"now": now})
        c.execute(
            text(
                "INSERT INTO delivery (chat_id, local_date, status, message_id, attempts, "
                "claimed_at, updated_at) VALUES (7, '2026-12-01', 'sent', 99, 1, :now, :now)"
            ),
            {"now": now},
        )

    db.upgrade(engine)

    with engine.connect() as c:
        chats = c.execute(
            text(
                "SELECT id, timezone, delivery_time, mode, paused, active, next_due_date, "
                "review_size, streaks FROM chat ORDER BY id"
            )
        ).all()
        assert [(*r[:4], bool(r[4]), bool(r[5]), str(r[6]), r[7], bool(r[8])) for r in chats] == [
            (7, "Europe/Berlin", "06:45", "weighted", True, False, "2026-12-02", 1, True),
            (8, None, "08:00", "random", False, True, "None", 1, True),
        ]
        delivery = c.execute(
            text("SELECT chat_id, review, local_date, status, message_id, position FROM delivery")
        ).one()
        assert (*delivery[:2], str(delivery[2]), *delivery[3:]) == (
            7,
            "daily",
            str(date(2026, 12, 1)),
            "sent",
            99,
            0,
        )
    # The same chat's daily review of the same day is claimed once: the key still holds.
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO delivery (chat_id, review, local_date, status, attempts, "
                "claimed_at, updated_at) VALUES (7, 'daily', '2026-12-01', 'claimed', 0, "
                ":now, :now)"
            ),
            {"now": now},
        )


def test_upgrade_to_days_snooze_and_book_frequency_keeps_every_chats_settings(
    engine: Engine,
) -> None:
    from datetime import UTC, date, datetime

    from bot.db import session_factory, unit_of_work
    from bot.delivery.rhythm import EVERY_DAY
    from bot.library.chats import get_settings
    from bot.library.selection import weights

    db.downgrade(engine, "base")
    db.upgrade(engine, "0008")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    chats = [
        {"id": 1, "tz": "Europe/Berlin", "time": "07:30", "mode": "weighted", "paused": False},
        {"id": 2, "tz": None, "time": "21:05", "mode": "random", "paused": True},
    ]
    with engine.begin() as c:
        for chat in chats:
            c.execute(
                text(
                    "INSERT INTO chat (id, created_at, timezone, delivery_time, mode, paused, "
                    "active, next_due_at, next_due_date) "
                    "VALUES (:id, :now, :tz, :time, :mode, :paused, true, :now, :day)"
                ),
                {**chat, "now": now, "day": date(2026, 12, 1)},
            )
        c.execute(
            text(
                "INSERT INTO book (id, chat_id, title, author, key, created_at) "
                "VALUES (1, 1, 'Walden', 'Thoreau', 'walden', :now)"
            ),
            {"now": now},
        )
        c.execute(
            text(
                "INSERT INTO highlight (id, chat_id, book_id, kind, text, favorite, discarded, "
                "fingerprint, created_at, updated_at, shuffle_key, pending) "
                "VALUES (1, 1, 1, 'highlight', 'Simplify', true, false, 'fp', :now, :now, 0.5, "
                "true)"
            ),
            {"now": now},
        )

    db.upgrade(engine)

    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        kept = [get_settings(session, chat_id=chat["id"], default_timezone="UTC") for chat in chats]
        assert [(s.timezone, s.delivery_time, s.mode, s.paused) for s in kept] == [
            ("Europe/Berlin", "07:30", "weighted", False),
            ("UTC", "21:05", "random", True),
        ]
        assert [(s.days, s.snoozed_until) for s in kept] == [(EVERY_DAY, None)] * 2
        # The favorite still weighs double: its book's frequency is normal.
        assert weights(session, chat_id=1, mode="weighted") == {1: 2.0}
    with engine.connect() as c:
        assert c.execute(text("SELECT next_due_at IS NOT NULL, days FROM chat")).all() == [
            (True, "daily"),
            (True, "daily"),
        ]
        assert c.execute(text("SELECT frequency FROM book")).scalar_one() == "normal"


def test_quote_cards_upgrade_keeps_every_chat_and_highlight(engine: Engine) -> None:
    from sqlalchemy import select
    from sqlmodel import col

    from bot.db import session_factory, unit_of_work
    from bot.library.cards import remember_card, request_card
    from bot.library.importing import import_records
    from bot.models import Chat, Highlight
    from bot.parsers import ParsedHighlight, ParseResult

    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        result = ParseResult(format="test", highlights=[ParsedHighlight(book_title="B", text="T")])
        import_records(session, chat_id=7, result=result)
    with engine.begin() as c:
        c.execute(text("UPDATE chat SET delivery_time = '07:30', mode = 'weighted'"))
    # A database as it was before quote cards, with a library in it.
    db.downgrade(engine, "0008")
    db.upgrade(engine)
    with unit_of_work(sessions) as session:
        chat = session.get(Chat, 7)
        assert chat is not None
        assert (chat.delivery_time, chat.mode, chat.card_theme) == ("07:30", "weighted", None)
        [highlight_id] = session.execute(select(col(Highlight.id))).scalars()
        request = request_card(session, chat_id=7, highlight_id=highlight_id, theme="sepia")
        assert request is not None and request.file_id is None
        remember_card(session, request=request, file_id="F1")
    with unit_of_work(sessions) as session:
        again = request_card(session, chat_id=7, highlight_id=highlight_id)
        assert again is not None and (again.theme, again.file_id) == ("sepia", "F1")


def test_themes_upgrade_keeps_every_chat_and_its_reviews(engine: Engine) -> None:
    from sqlalchemy import select
    from sqlmodel import col

    from bot.db import session_factory, unit_of_work
    from bot.library.importing import import_records
    from bot.library.themes import list_themes, save_theme
    from bot.models import Chat, Delivery
    from bot.parsers import ParsedHighlight, ParseResult

    sessions = session_factory(engine)
    with unit_of_work(sessions) as session:
        result = ParseResult(
            format="test", highlights=[ParsedHighlight(book_title="B", text="T", tags=["t"])]
        )
        import_records(session, chat_id=7, result=result)
    with engine.begin() as c:
        c.execute(
            text("UPDATE chat SET delivery_time = '07:30', review_size = 5, days = 'weekdays'")
        )
        c.execute(
            text(
                "INSERT INTO delivery (chat_id, review, local_date, status, attempts, claimed_at,"
                " updated_at) VALUES (7, 'daily', '2030-03-04', 'sent', 1,"
                " '2030-03-04 07:30:00', '2030-03-04 07:30:00')"
            )
        )
    # A database as it was before themes, with a library and a review in it.
    db.downgrade(engine, "0011")
    db.upgrade(engine)
    with unit_of_work(sessions) as session:
        chat = session.get(Chat, 7)
        assert chat is not None
        assert (chat.delivery_time, chat.review_size, chat.days) == ("07:30", 5, "weekdays")
        reviews = session.execute(select(col(Delivery.review), col(Delivery.status))).all()
        assert [tuple(row) for row in reviews] == [("daily", "sent")]
        assert save_theme(session, chat_id=7, name="t", query="tag:t") == ("t", 1)
    with unit_of_work(sessions) as session:
        assert [theme.name for theme in list_themes(session, chat_id=7)] == ["t"]
