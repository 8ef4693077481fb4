"""Shared fixtures: a real SQLite and a real PostgreSQL, each migrated by Alembic.

PostgreSQL: every test run creates its own database on the server named by
``COMMONPLACE_TEST_POSTGRES`` (default: the local trust-auth server) and drops it at the end,
so no run ever sees another's data. Tests are isolated by truncating the tables.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# python-telegram-bot reports durations (retry_after) as timedelta when asked; the bot
# expects that everywhere (bot/cli.py sets it too), and the old form warns.
os.environ["PTB_TIMEDELTA"] = "true"

from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from bot import db

POSTGRES_SERVER = os.environ.get(
    "COMMONPLACE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "saved_search",
    "bot_message",
    "import_run",
    "note",
    "highlight_tag",
    "tag",
    "highlight",
    "book",
    "chat",
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.create_db_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped afterwards."""
    name = f"commonplace_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - turned into a clear failure below
        admin.dispose()
        pytest.fail(f"PostgreSQL is needed at {POSTGRES_SERVER} ({error}); run .ci/postgres")
    url = str(admin.url.set(database=name).render_as_string(hide_password=False))
    engine = db.create_db_engine(url)
    db.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        path = tmp_path / "commonplace.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = db.create_db_engine(f"sqlite:///{path}")
    else:
        engine = db.create_db_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> db.SessionFactory:
    """The session factory the application would use."""
    return db.session_factory(engine)


@pytest.fixture
def session(sessions: db.SessionFactory) -> Iterator[Session]:
    """One session; tests commit explicitly where it matters."""
    with sessions() as session:
        yield session


@pytest.fixture
def engine_url(engine: Engine) -> str:
    """The URL of the ``engine`` under test, for a second engine or another process."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def clean_postgres_url(postgres_url: str) -> str:
    """The run's PostgreSQL database, emptied, for tests that drive it from outside."""
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_url
