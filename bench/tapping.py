"""Next ▶: 50 chats going through their reviews at once, each tap timed at the fake server.

The bot is ``python -m bot run`` on a fresh migrated database of ``command_chats`` chats,
each with a review of 15 and ``PER_CHAT`` highlights of realistic length in a few books; the
fake Bot API runs in its own process and drives the chats. Each chat sends ``/review`` (the
bot claims the day's review and sends its first card), then reads each card for 1.5 to
2.5 s (``THINK``, as the command benchmark's readers do) and taps Next ▶ under it, until
the review is done. A round trip is from the callback query being queued at the server to
the bot's edit of the message arriving there (the bot answers the query first).
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import col

from bench.botprocess import running_bot
from bench.commands import THINK
from bench.common import BACKENDS, Recorder, Sizes, fresh_database, percentile, rss_mb
from bench.fake_server import RemoteFake
from bench.generate import Vocabulary, highlight_length, passage
from bot import db
from bot.library import selection
from bot.models import Book, Chat, Highlight, table_of

FIRST_CHAT = 30_000_001
PER_CHAT = 1_000
BOOKS = 10
REVIEW = 15


def populate(engine: Engine, chats: int) -> list[int]:
    """``chats`` chats with a review of ``REVIEW``, not due before tomorrow."""
    rng = random.Random(21)
    words = Vocabulary(random.Random(22))
    now = datetime.now(UTC)
    tomorrow = now + timedelta(days=1)
    ids = list(range(FIRST_CHAT, FIRST_CHAT + chats))
    sessions = db.session_factory(engine)
    with db.unit_of_work(sessions) as session:
        session.execute(
            insert(table_of(Chat)),
            [
                {
                    "id": c,
                    "created_at": now,
                    "review_size": REVIEW,
                    "next_due_at": tomorrow,
                    "next_due_date": tomorrow.date(),
                }
                for c in ids
            ],
        )
        session.execute(
            insert(table_of(Book)),
            [
                {
                    "chat_id": c,
                    "title": f"Book {n}",
                    "author": "",
                    "key": f"book {n}",
                    "created_at": now,
                }
                for c in ids
                for n in range(BOOKS)
            ],
        )
        books: dict[int, list[int]] = {}
        for chat_id, book_id in session.execute(
            select(col(Book.chat_id), col(Book.id)).order_by(col(Book.id))
        ):
            books.setdefault(chat_id, []).append(book_id)
        for chat_id in ids:
            session.execute(
                insert(table_of(Highlight)),
                [
                    {
                        "chat_id": chat_id,
                        "book_id": books[chat_id][n % BOOKS],
                        "text": passage(rng, words, highlight_length(rng), "latin"),
                        "fingerprint": f"{chat_id}-{n}",
                        "created_at": now,
                        "updated_at": now,
                        "shuffle_key": selection.draw_key(1.0, rng),
                        "pending": True,
                    }
                    for n in range(PER_CHAT)
                ],
            )
    return ids


async def measure(url: str, chats: list[int]) -> dict[str, Any]:
    """The taps of every chat's review against the bot on ``url``, and the bot's RSS."""
    async with RemoteFake(rate_limits=False) as fake, running_bot(url, fake) as bot:
        answer = await fake.ask({"op": "review", "chats": chats, "think": THINK})
        answer["bot_rss_mb"] = rss_mb(bot.pid)
    return answer


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Tap p50/p95 per backend."""
    for backend in backends:
        with fresh_database(backend, "tapping") as engine:
            chats = populate(engine, sizes.command_chats)
            url = engine.url.render_as_string(hide_password=False)
            answer = asyncio.run(measure(url, chats))
        taps: list[float] = answer["taps"]
        expected = len(chats) * (REVIEW - 1)
        if not taps:
            raise SystemExit(f"no Next taps measured on {backend}")
        recorder.add("Next tap round trip p50", percentile(taps, 50), "ms", backend=backend)
        recorder.add(
            "Next tap round trip p95",
            percentile(taps, 95),
            "ms",
            at_most=50,
            backend=backend,
            note=f"{len(taps):,} of {expected:,} taps answered, from {len(chats)} chats "
            f"going through reviews of {REVIEW} at once ({len(taps) / answer['seconds']:.0f} "
            f"taps/s) in {answer['seconds']:.0f} s; {answer['timeouts']} unanswered; "
            f"bot RSS afterwards {answer['bot_rss_mb']:.0f} MB",
        )
        recorder.add(
            "Next taps unanswered", expected - len(taps), "taps", at_most=0, backend=backend
        )


def main() -> None:
    """``python -m bench.tapping [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.tapping")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("Next tap", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
