"""Selection: the daily pick in the biggest chat, random and weighted, beside ORDER BY RANDOM().

A pick is what ``claims.claim_due_batch`` does for a chat: ``picking.pick_many``, which
finds the next highlight of the round and marks it shown; it is timed up to the commit, and then
with it (each pick is committed on its own). The baseline picks the same way a naive
bot would, sorting the chat's deliverable highlights by RANDOM() for each pick.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import col

from bench import dataset
from bench.common import BACKENDS, Recorder, Sizes, Stopwatch, engine_for, percentile
from bot import db
from bot.library import chats
from bot.library.picking import pick_many
from bot.models import Highlight, Tag

CHAT = dataset.BIG_CHAT


def picks(
    sessions: db.SessionFactory, count: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    """``count`` daily picks, each committed on its own: ms for the pick, ms with the commit."""
    alone, committed = [], []
    for _ in range(count):
        start = time.perf_counter()
        with db.unit_of_work(sessions) as session:
            chosen = pick_many(session, chat_ids=[CHAT], rng=rng)[CHAT]
            alone.append((time.perf_counter() - start) * 1000)
        committed.append((time.perf_counter() - start) * 1000)
        if chosen is None:
            raise AssertionError("the big chat has nothing to pick")
    return alone, committed


def order_by_random(sessions: db.SessionFactory, count: int) -> list[float]:
    """The naive pick: sort the chat's deliverable highlights by RANDOM() every time."""
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        with sessions() as session:
            session.execute(
                select(col(Highlight.id))
                .where(col(Highlight.chat_id) == CHAT, col(Highlight.discarded).is_(False))
                .order_by(func.random())
                .limit(1)
            ).scalar_one()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def set_mode(sessions: db.SessionFactory, mode: str) -> float:
    """Switch the chat's mode, weighting a few of its tags first; seconds the switch took."""
    with db.unit_of_work(sessions) as session:
        names = list(
            session.execute(
                select(col(Tag.name)).where(col(Tag.chat_id) == CHAT).order_by(col(Tag.id))
            ).scalars()
        )
        for name, weight in zip(names, (5, 3, 3, 0, 2), strict=False):
            chats.set_tag_weight(session, chat_id=CHAT, tag=name, weight=weight)
    with Stopwatch() as watch, db.unit_of_work(sessions) as session:
        chats.set_mode(session, chat_id=CHAT, value=mode)
    return watch.seconds


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Pick p50/p95 in both modes per backend, and the ORDER BY RANDOM() baseline."""
    urls = dataset.ensure(backends, sizes)
    rng = random.Random(11)
    for backend in backends:
        engine = engine_for(urls[backend])
        sessions = db.session_factory(engine)
        baseline = order_by_random(sessions, max(20, sizes.picks // 20))
        for mode in ("random", "weighted"):
            switch = set_mode(sessions, mode)
            picks(sessions, 20, rng)  # warm up
            samples, committed = picks(sessions, sizes.picks, rng)
            recorder.add(f"pick p50, {mode}", percentile(samples, 50), "ms", backend=backend)
            recorder.add(
                f"pick p95, {mode}",
                percentile(samples, 95),
                "ms",
                at_most=5,
                backend=backend,
                note=f"{sizes.picks:,} picks, each committed, in a chat of "
                f"{sizes.big_chat:,}; switching to {mode} (a reshuffle of the rest of the "
                f"round) took {switch * 1000:.0f} ms",
            )
            recorder.add(
                f"pick p95 with its commit, {mode}",
                percentile(committed, 95),
                "ms",
                backend=backend,
                note="the commit is the database's durable write, the same for any query",
            )
            recorder.add(
                f"ORDER BY RANDOM() p95 / pick p95, {mode}",
                percentile(baseline, 95) / percentile(samples, 95),
                "x",
                backend=backend,
            )
        recorder.add("ORDER BY RANDOM() p50", percentile(baseline, 50), "ms", backend=backend)
        recorder.add("ORDER BY RANDOM() p95", percentile(baseline, 95), "ms", backend=backend)
        with db.unit_of_work(sessions) as session:
            chats.set_mode(session, chat_id=CHAT, value="random")
        engine.dispose()


def main() -> None:
    """``python -m bench.selecting [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.selecting")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("selection", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
