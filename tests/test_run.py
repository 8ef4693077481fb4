"""`commonplace run` as a user runs it: a real process polling the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from bot.fake_telegram import FakeTelegram
from tests.ports import free_port

TOKEN = "4242:SECRET-token_value"
ROOT = str(Path(__file__).parents[1])


async def test_run_serves_a_reader_and_logs_json_without_the_token(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "HEALTH_PORT": str(free_port()),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "PYTHONPATH": ROOT,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            await tg.wait_until(lambda: "random" in tg.commands, timeout=30)
            tg.user_sends(77, "/start")
            welcome = await tg.wait_for(77, timeout=15)
            assert welcome.callback_data == ["sample"]
            tg.user_presses(77, welcome.message_id, "sample")
            report = await tg.wait_for(lambda m: m.chat_id == 77 and "Imported" in m.text, 30)
            assert "The DevOps Handbook" in report.text
            tg.user_sends(77, "/random")
            quote = await tg.wait_for(77, timeout=15)
            assert "The DevOps Handbook" in quote.text
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
    lines = stderr.decode().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    messages = [record["message"] for record in records]
    assert any(m.startswith("Commonplace started") for m in messages)
    assert any(m == "Commonplace stopped" for m in messages)
    assert TOKEN not in stderr.decode()
    assert "SECRET" not in stderr.decode()
    info = [r["message"] for r in records if r["level"] in {"INFO", "WARNING", "ERROR"}]
    assert not any(quote.text.splitlines()[0][:40] in m for m in info)


async def test_run_without_a_token_explains_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = ROOT
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert "@BotFather" in stderr.decode()
    assert "commonplace console" in stderr.decode()
