"""Claiming: one delivery tick's claims for 10,000 chats due at once, reviews of 1 and of 5.

``python -m bench.claiming [--chats N] [--runs R] [--sizes 1,5] [--backends sqlite,postgres]``

Each run builds a fresh migrated database of ``--chats`` chats, each with
``PER_CHAT`` short highlights and due a minute ago, then claims them as the engine's tick
does (``claims.claim_due_batch`` in batches of 500, each batch its own committed unit of
work) and times that alone. Sizes alternate run by run, so a drifting host weighs on both
alike. Nothing is sent: the figure is the database's share of a tick (the claim, the pick of
every review, the next due times), which a review's size can change.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlmodel import col

from bench.common import analyze, fresh_database
from bot import db
from bot.delivery import claims
from bot.library import selection
from bot.models import Book, Chat, Highlight, table_of

NOW = datetime(2030, 6, 3, 8, 0, 30, tzinfo=UTC)
DUE = NOW.replace(second=0)
PER_CHAT = 6
FIRST_CHAT = 20_000_001
BATCH = 500


def populate(engine: Engine, chats: int, size: int) -> None:
    """``chats`` chats due a minute ago with ``PER_CHAT`` highlights each."""
    rng = random.Random(5)
    sessions = db.session_factory(engine)
    ids = range(FIRST_CHAT, FIRST_CHAT + chats)
    with db.unit_of_work(sessions) as session:
        session.execute(
            insert(table_of(Chat)),
            [
                {"id": c, "created_at": NOW, "next_due_at": DUE, "next_due_date": DUE.date()}
                for c in ids
            ],
        )
        session.execute(
            insert(table_of(Book)),
            [
                {"chat_id": c, "title": "B", "author": "", "key": "b", "created_at": NOW}
                for c in ids
            ],
        )
        books = dict(session.execute(select(col(Book.chat_id), col(Book.id))).all())
        session.execute(
            insert(table_of(Highlight)),
            [
                {
                    "chat_id": c,
                    "book_id": books[c],
                    "text": f"Highlight {n} of chat {c}.",
                    "fingerprint": f"{c}-{n}",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "shuffle_key": selection.draw_key(1.0, rng),
                    "pending": True,
                }
                for c in ids
                for n in range(PER_CHAT)
            ],
        )
        if size != 1:
            session.execute(update(table_of(Chat)).values(review_size=size))


def claim_all(engine: Engine) -> tuple[float, int]:
    """Seconds to claim every due chat, batch after batch; how many were claimed."""
    sessions = db.session_factory(engine)
    rng = random.Random(9)
    claimed = 0
    start = time.perf_counter()
    while True:
        with db.unit_of_work(sessions) as session:
            taken, new = claims.claim_due_batch(
                session, now=NOW, default_timezone="UTC", limit=BATCH, rng=rng
            )
        claimed += new
        if taken < BATCH:
            return time.perf_counter() - start, claimed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,5")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for backend in args.backends.split(","):
        seconds: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(args.runs):
            for size in sizes:
                with fresh_database(backend, "claiming") as engine:
                    populate(engine, args.chats, size)
                    analyze(engine)
                    took, claimed = claim_all(engine)
                assert claimed == args.chats, f"{claimed} of {args.chats} claimed"
                seconds[size].append(took)
        for size, runs in seconds.items():
            rate = args.chats / min(runs)
            print(  # noqa: T201  (the benchmark's report)
                f"{backend} review of {size}: best {min(runs):.2f} s "
                f"(median {statistics.median(runs):.2f} s) for {args.chats:,} chats, "
                f"{rate:,.0f} claims/s"
            )


if __name__ == "__main__":
    main()
