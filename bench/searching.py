"""Search: the query behind ``/search`` in the biggest chat, beside a naive ``LIKE`` scan.

Queries come in eight kinds, equally often, from words that are common (a quarter of the
library matches), middling or rare, to prefixes, phrases taken from the chat's own
highlights, a tag filter and an exclusion. Each query runs in a session of its own, as the
handler runs it; a first pass over other queries warms the caches.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from bench import dataset
from bench.common import BACKENDS, Recorder, Sizes, engine_for, percentile
from bot import db
from bot.library.search import MATCH_LIMIT, search
from bot.models import Highlight, HighlightTag, Tag
from bot.telegram.render import RESULTS_PER_PAGE

KINDS = (
    "common word",
    "middling word",
    "rare word",
    "two words",
    "prefix*",
    '"phrase"',
    "tag: + word",
    "word -word",
)


def queries(engine: Engine, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, query) pairs for the big chat, drawn from its own words and tags."""
    rng = random.Random(seed)
    words = dataset.vocabulary().words
    with Session(engine) as session:
        tags = list(
            session.execute(
                select(col(Tag.name)).where(col(Tag.chat_id) == dataset.BIG_CHAT)
            ).scalars()
        )
        texts = list(
            session.execute(
                select(col(Highlight.text))
                .where(col(Highlight.chat_id) == dataset.BIG_CHAT)
                .order_by(col(Highlight.id))
                .limit(2_000)
            ).scalars()
        )

    def word(low: int, high: int) -> str:
        return words[rng.randrange(low, high)]

    def phrase() -> str:
        tokens = [t.strip(",.") for t in rng.choice(texts).split() if t.strip(",.").isalpha()]
        at = rng.randrange(max(1, len(tokens) - 1))
        return '"' + " ".join(tokens[at : at + 2]) + '"'

    makers: dict[str, Callable[[], str]] = {
        "common word": lambda: word(10, 100),
        "middling word": lambda: word(100, 1_000),
        "rare word": lambda: word(1_000, len(words)),
        "two words": lambda: f"{word(50, 2_000)} {word(50, 2_000)}",
        "prefix*": lambda: word(100, 2_000)[:4] + "*",
        '"phrase"': phrase,
        "tag: + word": lambda: f"tag:{rng.choice(tags)} {word(100, 1_000)}",
        "word -word": lambda: f"{word(100, 1_000)} -{word(10, 100)}",
    }
    return [(kind, makers[kind]()) for _ in range(count // len(KINDS)) for kind in KINDS]


def timed_search(sessions: db.SessionFactory, query: str) -> tuple[float, int]:
    """One /search query in its own session: (seconds, total matches, capped at 1,001)."""
    start = time.perf_counter()
    with sessions() as session:
        page = search(session, chat_id=dataset.BIG_CHAT, query=query, limit=RESULTS_PER_PAGE)
    return time.perf_counter() - start, page.total + page.capped


def timed_like(sessions: db.SessionFactory, query: str, postgres: bool) -> float:
    """The naive plan: a substring scan of the chat's highlights, counted, then paged."""
    include: list[str] = []
    exclude: list[str] = []
    tag = None
    phrase = query.startswith('"')
    for part in [query.strip('"')] if phrase else query.split():
        if part.startswith("tag:"):
            tag = part[4:]
        elif part.startswith("-"):
            exclude.append(part[1:])
        else:
            include.append(part.rstrip("*"))
    like = col(Highlight.text).ilike if postgres else col(Highlight.text).like
    filters = [col(Highlight.chat_id) == dataset.BIG_CHAT]
    filters += [like(f"%{word}%") for word in include]
    filters += [~like(f"%{word}%") for word in exclude]
    if tag is not None:
        filters.append(
            select(col(HighlightTag.highlight_id))
            .join(Tag, col(Tag.id) == col(HighlightTag.tag_id))
            .where(col(HighlightTag.highlight_id) == col(Highlight.id), col(Tag.name) == tag)
            .exists()
        )
    start = time.perf_counter()
    with sessions() as session:
        session.execute(select(func.count()).where(*filters)).scalar_one()
        list(
            session.execute(
                select(col(Highlight.id))
                .where(*filters)
                .order_by(col(Highlight.id))
                .limit(RESULTS_PER_PAGE)
            ).scalars()
        )
    return time.perf_counter() - start


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Search p50/p95 per backend, by kind, and the LIKE baseline's ratio."""
    urls = dataset.ensure(backends, sizes)
    for backend in backends:
        engine = engine_for(urls[backend])
        sessions = db.session_factory(engine)
        warm = queries(engine, sizes.search_queries, seed=1)
        for _, query in warm:
            timed_search(sessions, query)
        measured = queries(engine, sizes.search_queries, seed=2)
        by_kind: dict[str, list[float]] = {kind: [] for kind in KINDS}
        matches: dict[str, list[int]] = {kind: [] for kind in KINDS}
        for kind, query in measured:
            seconds, total = timed_search(sessions, query)
            by_kind[kind].append(seconds * 1000)
            matches[kind].append(total)
        every = [ms for samples in by_kind.values() for ms in samples]
        recorder.add("search p50", percentile(every, 50), "ms", backend=backend)
        recorder.add(
            "search p95",
            percentile(every, 95),
            "ms",
            at_most=20,
            backend=backend,
            note=f"{len(every)} queries in a chat of {sizes.big_chat:,} highlights, "
            f"{sizes.library_total:,} in the database",
        )
        for kind in KINDS:
            samples = by_kind[kind]
            median = sorted(matches[kind])[len(matches[kind]) // 2]
            shown = f"{MATCH_LIMIT:,}+" if median > MATCH_LIMIT else f"{median:,}"
            recorder.add(
                f"search p95, {kind}",
                percentile(samples, 95),
                "ms",
                backend=backend,
                note=f"p50 {percentile(samples, 50):.1f} ms, median matches {shown}",
            )
        likes = [
            timed_like(sessions, query, backend == "postgres") * 1000
            for _, query in measured[: max(len(KINDS), len(measured) // 4)]
        ]
        recorder.add("LIKE '%word%' p50", percentile(likes, 50), "ms", backend=backend)
        recorder.add("LIKE '%word%' p95", percentile(likes, 95), "ms", backend=backend)
        recorder.add(
            "LIKE p95 / search p95",
            percentile(likes, 95) / percentile(every, 95),
            "x",
            backend=backend,
            note=f"p50 ratio {percentile(likes, 50) / percentile(every, 50):.1f}x",
        )
        engine.dispose()


def main() -> None:
    """``python -m bench.searching [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.searching")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    run(Sizes.get(args.quick), Recorder("search", args.results), tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
