"""Fan-out: thousands of chats due in the same minute, one delivery tick, the fake Bot API.

(a) The server enforces Telegram's limits (429 above 30 messages/s). The engine and its bot
    are the production ones, wired by ``build_application``.
(b) The server sets no limits and the pacer's overall rate is lifted (a chat's next message
    still waits its spacing): the engine's own ceiling, with its plain ``Bot`` over aiohttp
    as ``build_application`` gives it.
(c) A real bot process, stopped mid-broadcast by ``kill -9`` or ``SIGTERM`` (``bench.stopping``).

The achieved rate is messages that reached the server over the whole tick, from the first
claim to the last answer. Every chat is checked at the server: none may be left without its
highlight, none may get two.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import col
from telegram import Bot

from bench import stopping
from bench.common import Recorder, Sizes, fresh_database
from bench.fake_server import RemoteFake
from bench.generate import Vocabulary, highlight_length, passage
from bot import db
from bot.app import DELIVERY_CONNECTIONS, build_application
from bot.config import Settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.pacer import Pacer
from bot.library import selection
from bot.library.identity import book_key, fingerprint
from bot.models import Book, Chat, Delivery, Highlight, table_of
from bot.telegram.sending import TelegramSender
from bot.telegram.transport import AiohttpRequest

NOW = datetime(2030, 6, 3, 8, 0, 30, tzinfo=UTC)
DUE = NOW.replace(second=0)
PER_CHAT = 3
FIRST_CHAT = 10_000_001


def populate(sessions: db.SessionFactory, chats: int, due: datetime = DUE) -> list[int]:
    """``chats`` chats due at ``due``, each with a few highlights of realistic length."""
    rng = random.Random(5)
    words = Vocabulary(random.Random(6))
    ids = list(range(FIRST_CHAT, FIRST_CHAT + chats))
    with db.unit_of_work(sessions) as session:
        session.execute(
            insert(table_of(Chat)),
            [
                {
                    "id": chat_id,
                    "created_at": NOW,
                    "timezone": None,
                    "delivery_time": "08:00",
                    "mode": "random",
                    "paused": False,
                    "active": True,
                    "next_due_at": due,
                    "next_due_date": due.date(),
                }
                for chat_id in ids
            ],
        )
        books = [
            {
                "chat_id": chat_id,
                "title": "Meditations",
                "author": "Aurelius, Marcus",
                "key": book_key("Meditations", "Aurelius, Marcus"),
                "created_at": NOW,
            }
            for chat_id in ids
        ]
        session.execute(insert(table_of(Book)), books)
        book_ids = dict(session.execute(select(col(Book.chat_id), col(Book.id))).all())
        rows = []
        for chat_id in ids:
            key = book_key("Meditations", "Aurelius, Marcus")
            for number in range(PER_CHAT):
                text = passage(rng, words, highlight_length(rng), "latin")
                rows.append(
                    {
                        "chat_id": chat_id,
                        "book_id": book_ids[chat_id],
                        "kind": "highlight",
                        "text": text,
                        "location": str(100 + number),
                        "location_type": "location",
                        "location_start": 100 + number,
                        "chapter": None,
                        "color": None,
                        "highlighted_at": None,
                        "favorite": False,
                        "discarded": False,
                        "fingerprint": fingerprint(key, "highlight", text),
                        "created_at": NOW,
                        "updated_at": NOW,
                        "shuffle_key": selection.draw_key(1.0, rng),
                        "pending": True,
                    }
                )
        session.execute(insert(table_of(Highlight)), rows)
    return ids


def outcome(sessions: db.SessionFactory) -> dict[str, int]:
    """Delivery rows by status."""
    with sessions() as session:
        rows = session.execute(
            select(col(Delivery.status), func.count()).group_by(col(Delivery.status))
        ).all()
    return dict(rows)


async def limited(sessions: db.SessionFactory, url: str, chats: list[int]) -> dict[str, float]:
    """(a): the production bot and engine against a server that enforces Telegram's limits."""
    async with RemoteFake(rate_limits=True) as fake:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=fake.token,
            telegram_api_url=fake.url,
            database_url=url,
            health_port=0,
        )
        app = build_application(settings, sessions, clock=lambda: NOW)
        await app.initialize()
        try:
            start = time.perf_counter()
            report = await app.bot_data.delivery.tick()
            seconds = time.perf_counter() - start
        finally:
            await app.shutdown()
        server = await fake.ask({"op": "stats", "chats": chats})
    return {"seconds": seconds, "sent": report.sent, "retried": report.retried, **server}


async def unlimited(sessions: db.SessionFactory, chats: list[int]) -> dict[str, float]:
    """(b): no limits at the server, the overall rate lifted: how fast the engine itself goes."""
    async with RemoteFake(rate_limits=False) as fake:
        # Wired as build_application wires it, but for the pacer: a plain Bot of the
        # engine's own over aiohttp, which the engine opens for the tick.
        request = AiohttpRequest(connection_pool_size=DELIVERY_CONNECTIONS)
        engine = DeliveryEngine(
            sessions=sessions,
            default_timezone="UTC",
            clock=lambda: NOW,
            pacer=Pacer(per_second=1_000_000),
            sender=TelegramSender(Bot(fake.token, base_url=f"{fake.url}/bot", request=request)),
        )
        start = time.perf_counter()
        report = await engine.tick()
        seconds = time.perf_counter() - start
        server = await fake.ask({"op": "stats", "chats": chats})
    return {"seconds": seconds, "sent": report.sent, "retried": report.retried, **server}


def record(
    recorder: Recorder,
    case: str,
    measured: dict[str, float],
    chats: int,
    backend: str,
    statuses: dict[str, int],
    rate_target: float,
) -> None:
    """Turn one tick's numbers into results."""
    rate = measured["messages"] / measured["seconds"]
    recorder.add(
        f"fan-out {case}, achieved rate",
        rate,
        "messages/s",
        at_least=rate_target,
        backend=backend,
        note=f"{chats:,} chats, {measured['messages']:,} messages in "
        f"{measured['seconds']:.1f} s; deliveries {statuses}",
    )
    lost = chats - measured["chats_reached"] + (measured["most_in_one_chat"] > 2)
    recorder.add(
        f"fan-out {case}, chats left without their highlight",
        lost,
        "chats",
        at_most=0,
        backend=backend,
    )
    if case.startswith("(a)"):
        recorder.add(
            f"fan-out {case}, 429s received",
            measured["too_many_requests"],
            "responses",
            at_most=0,
            backend=backend,
        )


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...], cases: str) -> None:
    """(a) and (c) on SQLite (the sends are paced, so the backend hardly matters); (b) on each
    backend."""
    if "a" in cases:
        with fresh_database("sqlite", "fanout") as engine:
            sessions = db.session_factory(engine)
            chats = populate(sessions, sizes.fanout_limited_chats)
            url = engine.url.render_as_string(hide_password=False)
            measured = asyncio.run(limited(sessions, url, chats))
            record(
                recorder,
                "(a) Telegram's limits",
                measured,
                len(chats),
                "sqlite",
                outcome(sessions),
                28.5,
            )
    if "b" in cases:
        for backend in backends:
            with fresh_database(backend, "fanout") as engine:
                sessions = db.session_factory(engine)
                chats = populate(sessions, sizes.fanout_unlimited_chats)
                measured = asyncio.run(unlimited(sessions, chats))
                record(
                    recorder, "(b) no limits", measured, len(chats), backend, outcome(sessions), 300
                )
    if "c" in cases:
        rng = random.Random()  # a moment nobody chose
        for how in (signal.SIGKILL, signal.SIGTERM):
            with fresh_database("sqlite", "stopping") as engine:
                sessions = db.session_factory(engine)
                chats = populate(sessions, sizes.fanout_limited_chats, stopping.due_now())
                url = engine.url.render_as_string(hide_password=False)
                stopping.measure(recorder, sessions, url, chats, how, rng)


def main() -> None:
    """``python -m bench.fanout [--quick] [--cases abc]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--cases", default="abc")
    args = parser.parse_args()
    recorder = Recorder("fan-out", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")), args.cases)


if __name__ == "__main__":
    main()
