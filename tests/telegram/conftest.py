"""The bot under test, per test: on SQLite and on PostgreSQL (the ``engine`` fixture's two)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.db import SessionFactory
from tests.telegram.harness import BotHarness, running_bot


@pytest.fixture
async def bot(engine: Engine, sessions: SessionFactory) -> AsyncIterator[BotHarness]:
    """The bot, polling a fresh fake Telegram, on an empty library."""
    async with running_bot(engine, sessions) as harness:
        yield harness
