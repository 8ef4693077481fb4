"""Webhook mode: Telegram's secret_token is checked, and updates are served from POSTs."""

from __future__ import annotations

import httpx
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.db import SessionFactory
from bot.fake_telegram import FakeTelegram
from tests.ports import free_port


async def test_webhook_checks_the_secret_and_serves_updates(sessions: SessionFactory) -> None:
    async with FakeTelegram() as tg:
        settings = Settings(
            telegram_bot_token=tg.token,
            telegram_api_url=tg.url,
            webhook_url="https://bot.example.org",
        )
        secret = settings.webhook_secret_token()
        port = free_port()
        app = build_application(settings, sessions)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            webhook_url="https://bot.example.org/telegram",
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
        try:
            assert tg.webhook is not None
            assert tg.webhook.url == "https://bot.example.org/telegram"
            assert tg.webhook.secret_token == secret
            tg.user_sends(5, "/help")
            update = tg.pending_updates[-1]
            endpoint = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient() as client:
                forged = await client.post(
                    endpoint, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                )
                assert forged.status_code == 403
                missing = await client.post(endpoint, json=update)
                assert missing.status_code == 403
                assert tg.sent(5) == []
                real = await client.post(
                    endpoint, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
                assert real.status_code == 200
            reply = await tg.wait_for(5)
            assert "Commonplace" in reply.text
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def test_the_secret_is_shared_by_every_instance_and_not_the_token() -> None:
    first = Settings(telegram_bot_token="123:ABC", webhook_url="https://a.example")
    second = Settings(telegram_bot_token="123:ABC", webhook_url="https://a.example")
    assert first.webhook_secret_token() == second.webhook_secret_token()
    assert "ABC" not in first.webhook_secret_token()
    chosen = Settings(telegram_bot_token="123:ABC", webhook_secret="my_secret-1")
    assert chosen.webhook_secret_token() == "my_secret-1"
