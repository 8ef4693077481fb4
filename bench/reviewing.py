"""Review picks: a review of 5 in a chat of 100,000 highlights, 1,000 of them made due by
feedback, its books at Never, Less, Normal and More.

A pick is what a claim does for a chat whose review holds five: ``picking.pick_reviews``
(the highlights feedback made due first, earliest first, then the round's next ones; all
five marked shown, the due ones due again a half-life later), each in its own unit of work,
timed up to the commit and with it. After each pick, untimed, the due highlights it took
are made due again, latest of all, so every pick finds the same number due and the picks go
through all of them in turn. The database is fresh and migrated: the big chat and a few
small ones beside it (each with some highlights due), their rows written directly, the
round's keys drawn at their books' weights as ``selection.reshuffle`` draws them.

``python -m bench.reviewing --explain`` prints each statement of one pick with its plan on
every backend instead of timing.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, event, insert, select, update
from sqlmodel import Session, col

from bench.common import BACKENDS, Recorder, Sizes, analyze, fresh_database, percentile
from bench.generate import Vocabulary, highlight_length, passage
from bot import db
from bot.library import picking, selection
from bot.models import Book, Chat, Highlight, table_of

NOW = datetime(2030, 6, 3, 8, 0, 30, tzinfo=UTC)
BIG_CHAT = 1
REVIEW = 5
BOOKS = 400
SMALL_CHATS = 20
SMALL_SIZE = 1_000
FREQUENCIES = ["never"] * 1 + ["less"] * 2 + ["normal"] * 5 + ["more"] * 2
"""A tenth of the books at Never, a fifth at Less, a fifth at More, the rest Normal."""


def populate(engine: Engine, big: int, due: int) -> None:
    """The big chat of ``big`` highlights with ``due`` made due by feedback, and the small
    chats beside it."""
    rng = random.Random(15)
    words = Vocabulary(random.Random(16))
    sessions = db.session_factory(engine)
    with db.unit_of_work(sessions) as session:
        chats = [BIG_CHAT, *range(BIG_CHAT + 1, BIG_CHAT + 1 + SMALL_CHATS)]
        session.execute(
            insert(table_of(Chat)),
            [{"id": c, "created_at": NOW, "review_size": REVIEW, "mode": "random"} for c in chats],
        )
        for chat_id in chats:
            size = big if chat_id == BIG_CHAT else SMALL_SIZE
            _library(session, chat_id, size, due * size // big, rng, words)
        picking.refresh_due(session, chat_ids=chats)


def _library(
    session: Session, chat_id: int, size: int, due: int, rng: random.Random, words: Vocabulary
) -> None:
    books = max(1, size * BOOKS // 100_000)
    frequency = {n: FREQUENCIES[n % len(FREQUENCIES)] for n in range(books)}
    session.execute(
        insert(table_of(Book)),
        [
            {
                "chat_id": chat_id,
                "title": f"Book {n}",
                "author": "",
                "key": f"book {n}",
                "created_at": NOW,
                "frequency": frequency[n],
            }
            for n in range(books)
        ],
    )
    book_ids = list(
        session.execute(
            select(col(Book.id)).where(col(Book.chat_id) == chat_id).order_by(col(Book.id))
        ).scalars()
    )
    # Feedback is on highlights of books that still come: a book at Never never does.
    comes = [n for n in range(size) if frequency[n % books] != "never"]
    on_feedback = set(rng.sample(comes, due))
    rows = []
    for n in range(size):
        weight = selection.Frequency(frequency[n % books]).weight
        fed = n in on_feedback
        rows.append(
            {
                "chat_id": chat_id,
                "book_id": book_ids[n % books],
                "text": passage(rng, words, highlight_length(rng), "latin"),
                "fingerprint": f"{chat_id}-{n}",
                "created_at": NOW,
                "updated_at": NOW,
                "shuffle_key": selection.draw_key(weight, rng) if weight else float("inf"),
                "pending": weight > 0 and not fed,
                "half_life": rng.choice((7.0, 14.0, 28.0)) if fed else None,
                "due_at": NOW - timedelta(days=rng.uniform(0, 30)) if fed else None,
            }
        )
    session.execute(insert(table_of(Highlight)), rows)


def picks(
    sessions: db.SessionFactory, count: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    """``count`` picks of a review, each committed on its own: ms for the pick, ms with the
    commit. Fails unless every review is full and starts with a highlight that was due."""
    alone, committed = [], []
    for number in range(count):
        with sessions() as session:
            due = set(
                session.execute(
                    select(col(Highlight.id)).where(
                        col(Highlight.chat_id) == BIG_CHAT, col(Highlight.due_at) <= NOW
                    )
                ).scalars()
            )
        start = time.perf_counter()
        with db.unit_of_work(sessions) as session:
            review = picking.pick_reviews(session, sizes={BIG_CHAT: REVIEW}, now=NOW, rng=rng)
            alone.append((time.perf_counter() - start) * 1000)
        committed.append((time.perf_counter() - start) * 1000)
        ids = review[BIG_CHAT]
        if len(ids) != REVIEW or ids[0] not in due:
            raise AssertionError(f"pick {number}: review {ids} is short or did not start due")
        _due_again(sessions, [i for i in ids if i in due], number)
    return alone, committed


def _due_again(sessions: db.SessionFactory, ids: list[int], number: int) -> None:
    """Make the due highlights pick ``number`` took due again, after every other one (those
    made due at first are all at least a second older)."""
    highlights = table_of(Highlight)
    base = NOW - timedelta(seconds=1) + timedelta(microseconds=number * REVIEW)
    with db.unit_of_work(sessions) as session:
        session.execute(
            update(highlights)
            .where(highlights.c.id == bindparam("hid"))
            .values(due_at=bindparam("when")),
            [{"hid": i, "when": base + timedelta(microseconds=n)} for n, i in enumerate(ids)],
        )
        picking.refresh_due(session, chat_ids=[BIG_CHAT])


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def explain(engine: Engine) -> None:
    """Print each statement of one pick and its plan (the pick is rolled back)."""
    sessions = db.session_factory(engine)
    with _statements(engine) as seen, sessions() as session:
        picking.pick_reviews(session, sizes={BIG_CHAT: REVIEW}, now=NOW, rng=random.Random(1))
        session.rollback()
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    for statement, params in seen:
        if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            continue
        print(f"-- {' '.join(statement.split())[:400]}")  # noqa: T201
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            cursor = raw.cursor()
            first = params[0] if isinstance(params, list) and params else params
            cursor.execute(prefix + statement, first)
            for row in cursor.fetchall():
                print("   ", " | ".join(str(part) for part in row))  # noqa: T201
            connection.rollback()


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...], show: bool) -> None:
    """Pick p50/p95 per backend, with and without the commit."""
    due = sizes.big_chat // 100
    for backend in backends:
        with fresh_database(backend, "reviewing") as engine:
            populate(engine, sizes.big_chat, due)
            analyze(engine)
            if show:
                print(f"== {backend}")  # noqa: T201
                explain(engine)
                continue
            sessions = db.session_factory(engine)
            rng = random.Random(11)
            picks(sessions, 20, rng)  # warm up
            samples, committed = picks(sessions, sizes.picks, rng)
            if not samples:
                raise SystemExit(f"no review picks measured on {backend}")
            recorder.add("review pick p50", percentile(samples, 50), "ms", backend=backend)
            recorder.add(
                "review pick p95",
                percentile(samples, 95),
                "ms",
                at_most=5,
                backend=backend,
                note=f"{sizes.picks:,} picks of {REVIEW}, each committed, in a chat of "
                f"{sizes.big_chat:,} with {due:,} due by feedback and its books at Never, "
                "Less, Normal and More",
            )
            recorder.add(
                "review pick p95 with its commit",
                percentile(committed, 95),
                "ms",
                backend=backend,
                note="the commit is the database's durable write, the same for any query",
            )


def main() -> None:
    """``python -m bench.reviewing [--quick] [--explain]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.reviewing")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--explain", action="store_true", help="print the plans, time nothing")
    args = parser.parse_args()
    recorder = Recorder("review pick", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")), args.explain)


if __name__ == "__main__":
    main()
