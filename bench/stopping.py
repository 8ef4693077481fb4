"""Fan-out (c): a real bot process stopped at a random moment of a throttled broadcast.

``commonplace run`` broadcasts to thousands of chats due now, against the fake Bot API in a
process of its own that enforces Telegram's limits and takes 50-100 ms a call. At a random
moment it gets ``kill -9`` (a crash) or ``SIGTERM`` (a rolling deploy):

- a chat left without its highlight is one the server never reached whose delivery can no
  longer be sent: "sending" or "unknown" (a "claimed" one goes out with the next process);
- a graceful stop is timed from the signal to the process's end.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from bench.common import WORK, Recorder
from bench.fake_server import RemoteFake
from bot import db
from bot.models import Delivery

ROOT = Path(__file__).parents[1]
LATENCY = (0.05, 0.1)
LATEST = 90.0
"""The latest stop, in seconds after the process starts (a 10,000-chat broadcast lasts about
six minutes; a smaller one is stopped before it ends)."""


async def stopped_broadcast(
    url: str, chats: list[int], how: signal.Signals, moment: float
) -> dict[str, float]:
    """Start the bot, stop it with ``how`` after ``moment`` seconds; what it left behind."""
    async with RemoteFake(rate_limits=True, latency=LATENCY) as fake:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "DATABASE_URL": url,
            "HEALTH_PORT": "0",
            "DELIVERY_TICK_SECONDS": "5",
        }
        WORK.mkdir(parents=True, exist_ok=True)
        with (WORK / "stopping.log").open("wb") as log:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=env, cwd=ROOT, stdout=log, stderr=log
            )
            await asyncio.sleep(moment)
            start = time.perf_counter()
            bot.send_signal(how)
            await asyncio.wait_for(bot.wait(), timeout=60)
            seconds = time.perf_counter() - start
        server = await fake.ask({"op": "stats", "chats": chats, "unreached": True})
    return {"seconds": seconds, "returncode": bot.returncode or 0, **server}


def left_without(sessions: db.SessionFactory, unreached: list[int]) -> tuple[int, int]:
    """Of the chats never reached: (those that cannot be sent any more, those still claimed)."""
    with sessions() as session:
        rows = session.execute(select(col(Delivery.chat_id), col(Delivery.status))).all()
    status = dict(rows)
    lost = sum(1 for chat in unreached if status.get(chat) in {"sending", "unknown"})
    waiting = sum(1 for chat in unreached if status.get(chat) == "claimed")
    return lost, waiting


def due_now() -> datetime:
    """A due time the real clock has just passed."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)


def measure(
    recorder: Recorder,
    sessions: db.SessionFactory,
    url: str,
    chats: list[int],
    how: signal.Signals,
    rng: random.Random,
) -> None:
    """One stopped broadcast, recorded."""
    moment = rng.uniform(4.0, min(LATEST, 2.0 + 0.8 * len(chats) / 29))
    measured = asyncio.run(stopped_broadcast(url, chats, how, moment))
    lost, waiting = left_without(sessions, measured["unreached"])
    reached = len(chats) - len(measured["unreached"])
    note = (
        f"{len(chats):,} chats, stopped {moment:.0f} s after start with {reached:,} reached; "
        f"{waiting:,} still claimed for the next process; {measured['too_many_requests']} x 429"
    )
    name = "kill -9" if how == signal.SIGKILL else "SIGTERM"
    recorder.add(
        f"fan-out (c) {name} at a random moment, chats left without their highlight",
        lost,
        "chats",
        at_most=5 if how == signal.SIGKILL else 0,
        backend="sqlite",
        note=note,
    )
    if how == signal.SIGTERM:
        recorder.add(
            "fan-out (c) SIGTERM to exit",
            measured["seconds"],
            "s",
            at_most=10,
            backend="sqlite",
            note=f"exit status {measured['returncode']}",
        )
