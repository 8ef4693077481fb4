"""The shared library the search, selection, command and memory benchmarks run against.

``library_total`` highlights over ``library_chats`` chats; chat 1 alone holds ``big_chat``
of them, the others share the rest. Built once per size through the real importer (so the
search index is the one the bot maintains) and reused: the SQLite file stays under the
benchmark folder, the PostgreSQL database until ``python -m bench`` drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.common import WORK, Sizes, create_postgres, postgres_exists, postgres_url, sqlite_url
from bench.generate import LibrarySpec, Vocabulary, library
from bot import db
from bot.library.importing import import_records
from bot.models import Highlight
from bot.parsers import ParseResult

SEED = 7
BIG_CHAT = 1


def vocabulary() -> Vocabulary:
    """The vocabulary every chat of the dataset writes in."""
    return Vocabulary(random.Random(SEED))


def chat_sizes(sizes: Sizes) -> dict[int, int]:
    """Chat id -> number of highlights: one big chat, the rest spread evenly."""
    others = sizes.library_chats - 1
    rest = sizes.library_total - sizes.big_chat
    share, extra = divmod(rest, others)
    counts = {BIG_CHAT: sizes.big_chat}
    for index in range(others):
        counts[BIG_CHAT + 1 + index] = share + (1 if index < extra else 0)
    return counts


def name(sizes: Sizes) -> str:
    """The dataset's database name for these sizes."""
    return f"commonplace_bench_library_{sizes.library_total}"


def url(backend: str, sizes: Sizes) -> str:
    """Where the dataset lives (it may not be built yet)."""
    if backend == "sqlite":
        return sqlite_url(f"{name(sizes)}.db")
    return postgres_url(name(sizes))


def _marker(backend: str, sizes: Sizes) -> Path:
    return WORK / f"{name(sizes)}.{backend}.json"


def forget(backend: str, sizes: Sizes) -> None:
    """Note that a backend's copy of the dataset is gone (it was dropped)."""
    _marker(backend, sizes).unlink(missing_ok=True)


def ensure(backends: tuple[str, ...], sizes: Sizes) -> dict[str, str]:
    """Build the dataset in every backend that lacks it; backend -> URL."""
    missing = []
    for backend in backends:
        marker = _marker(backend, sizes)
        present = marker.exists() and (
            Path(url(backend, sizes).removeprefix("sqlite:///")).exists()
            if backend == "sqlite"
            else postgres_exists(name(sizes))
        )
        if not present:
            missing.append(backend)
    if missing:
        build(tuple(missing), sizes)
    return {backend: url(backend, sizes) for backend in backends}


def build(backends: tuple[str, ...], sizes: Sizes) -> None:
    """Generate every chat's library once and import it into each backend."""
    engines = {}
    for backend in backends:
        if backend == "sqlite":
            path = Path(url("sqlite", sizes).removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            engines[backend] = db.create_db_engine(url("sqlite", sizes))
        else:
            engines[backend] = db.create_db_engine(create_postgres(name(sizes)))
        db.upgrade(engines[backend])
    words = vocabulary()
    spent = dict.fromkeys(backends, 0.0)
    start = time.perf_counter()
    counts = chat_sizes(sizes)
    for number, (chat_id, size) in enumerate(counts.items()):
        records = list(library(SEED * 100_003 + chat_id, LibrarySpec(size=size), words))
        for backend, engine in engines.items():
            began = time.perf_counter()
            with db.unit_of_work(db.session_factory(engine)) as session:
                import_records(session, chat_id=chat_id, result=ParseResult("bench", records))
            spent[backend] += time.perf_counter() - began
        if number % 100 == 0 or chat_id == BIG_CHAT:
            print(
                f"  dataset: chat {number + 1}/{len(counts)} ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    totals = {}
    for backend, engine in engines.items():
        with engine.connect() as connection:
            totals[backend] = connection.execute(
                select(func.count()).select_from(Highlight)
            ).scalar_one()
        # Settle the database before anything is timed: a freshly loaded PostgreSQL goes on
        # writing its buffers out for minutes, and SQLite's WAL holds the whole build. (This
        # was meant to explain a slower import into SQLite right after a build, 18,774
        # highlights/s against 20,493 alone; it did not: see BENCHMARKS.md.)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if backend == "postgres":
                connection.exec_driver_sql("VACUUM ANALYZE")
                connection.exec_driver_sql("CHECKPOINT")
            else:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    os.sync()  # and the files' pages still in the kernel's cache
    for backend, total in totals.items():
        _marker(backend, sizes).write_text(
            json.dumps({"highlights": total, "import_seconds": spent[backend]})
        )
        print(
            f"  dataset [{backend}]: {total:,} highlights imported in {spent[backend]:.0f} s "
            f"({total / spent[backend]:,.0f}/s)",
            flush=True,
        )


def main() -> None:
    """``python -m bench.dataset [--quick] [--backends sqlite,postgres]``: build it."""
    parser = argparse.ArgumentParser(prog="python -m bench.dataset")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    print(ensure(tuple(args.backends.split(",")), Sizes.get(args.quick)))


if __name__ == "__main__":
    main()
