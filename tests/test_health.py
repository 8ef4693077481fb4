"""/healthz and /metrics, live against a running bot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Update

from bot import db
from bot.app import build_application
from bot.config import Settings
from bot.db import SessionFactory
from bot.fake_telegram import FakeTelegram
from bot.health import HealthServer
from bot.metrics import Metrics
from tests.ports import free_port


@pytest.fixture
async def running(sessions: SessionFactory) -> AsyncIterator[tuple[FakeTelegram, str]]:
    async with FakeTelegram() as tg:
        port = free_port()
        settings = Settings(
            telegram_bot_token=tg.token,
            telegram_api_url=tg.url,
            health_port=port,
            delivery_tick_seconds=1,
        )
        app = build_application(settings, sessions)
        # The order run_polling() follows.
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield tg, f"http://127.0.0.1:{port}"
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            await app.post_shutdown(app)


async def test_healthz_and_metrics_of_a_running_bot(running: tuple[FakeTelegram, str]) -> None:
    tg, base = running
    async with httpx.AsyncClient() as client:
        health = await client.get(f"{base}/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "scheduler": "ok"}

        tg.user_sends(3, "/help")
        await tg.wait_for(3)
        tg.user_sends(3, "/nonsense")
        await tg.wait_for(3)
        tg.user_sends_document(3, "empty.txt", b"   ")
        await tg.wait_for(lambda m: m.chat_id == 3 and "couldn't import" in m.text)
        deadline = time.monotonic() + 5
        while True:
            text = (await client.get(f"{base}/metrics")).text
            ticked = "commonplace_scheduler_last_tick_timestamp_seconds 0.0" not in text
            refused = 'commonplace_imports_total{outcome="refused"} 1.0' in text
            if ('commonplace_updates_total{kind="/help"} 1.0' in text and ticked and refused) or (
                time.monotonic() > deadline
            ):
                break
            await asyncio.sleep(0.1)
    assert 'commonplace_updates_total{kind="/help"} 1.0' in text
    assert 'commonplace_updates_total{kind="/unknown"} 1.0' in text
    assert 'commonplace_handler_seconds_count{kind="/help"} 1.0' in text
    assert "commonplace_delivery_backlog 0.0" in text
    assert refused, "the refused import was not counted"
    assert 'commonplace_updates_total{kind="document"} 1.0' in text
    assert ticked, "the scheduler never ticked"


async def test_unhealthy_database_or_scheduler_answers_503(sessions: SessionFactory) -> None:
    port = free_port()
    broken = db.session_factory(db.create_db_engine("postgresql://nobody@127.0.0.1:1/none"))
    metrics = Metrics()
    server = HealthServer(
        sessions=broken, metrics=metrics, listen="127.0.0.1", port=port, tick_seconds=1
    )
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert answer.status_code == 503
        assert answer.json()["database"].startswith("error")
    finally:
        await server.stop()

    metrics.tick_done(time.time() - 3600)
    stale = HealthServer(
        sessions=sessions, metrics=metrics, listen="127.0.0.1", port=port, tick_seconds=1
    )
    await stale.start()
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert answer.status_code == 503
        assert answer.json()["database"] == "ok"
        assert answer.json()["scheduler"].startswith("no tick for")
    finally:
        await stale.stop()
