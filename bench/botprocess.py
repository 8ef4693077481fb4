"""The real bot, ``python -m bot run``, as a child process pointed at the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench.fake_server import RemoteFake

HELLO_CHAT = 999_999_001
"""A chat with no library, used to see that the bot answers."""


@asynccontextmanager
async def running_bot(
    database_url: str, fake: RemoteFake, **settings: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Start the bot exactly as an operator would, wait until it answers, stop it after."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "HEALTH_PORT": "0",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdin=asyncio.subprocess.DEVNULL
    )
    try:
        answer = await fake.ask(
            {"op": "load", "chats": [HELLO_CHAT], "commands": ["/help"], "per_chat": 1}
        )
        if answer["timeouts"]:
            raise RuntimeError("the bot did not answer /help within 30 s")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()
