"""Inline mode: ``@bot words`` in the biggest chat, from the update to ``answerInlineQuery``.

The bot is built as ``commonplace run`` builds it (``build_application``, its delivery job
removed so that no broadcast runs beside the queries) and long-polls the fake Telegram in
the same process, as the end-to-end tests run it. The user of chat 1 (100,000 highlights)
types one query at a time: a quarter with no words (favorites, then the newest), the rest
the search benchmark's kinds of words, one in four of them asking for the second page. A
query is timed from its ``inline_query`` update being queued to the bot's answer arriving.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import timedelta
from pathlib import Path

from telegram import Update

from bench import dataset
from bench.common import BACKENDS, Recorder, Sizes, engine_for, percentile
from bench.searching import queries
from bot import db
from bot.app import build_application
from bot.config import Settings
from bot.fake_telegram import FakeTelegram


def inline_queries(url: str, count: int) -> list[tuple[str, str]]:
    """(query, offset) pairs: a quarter empty, the rest words, some asking for page two."""
    engine = engine_for(url)
    words = [query for _, query in queries(engine, count, seed=3)]
    engine.dispose()
    rng = random.Random(4)
    return [
        ("" if n % 4 == 0 else words[n], "10" if rng.random() < 0.25 else "")
        for n in range(len(words))
    ]


async def _measure(url: str, asked: list[tuple[str, str]]) -> list[float]:
    engine = engine_for(url)
    async with FakeTelegram(token="4242:bench-inline", inline_mode=True) as tg:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=tg.token,  # type: ignore[arg-type]
            telegram_api_url=tg.url,
            database_url=url,
            health_port=0,
        )
        app = build_application(settings, db.session_factory(engine))
        assert app.job_queue is not None and app.updater is not None
        for job in app.job_queue.jobs():
            job.schedule_removal()
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, poll_interval=0, timeout=timedelta(seconds=1)
        )
        await app.start()
        try:
            for query, offset in asked[:20]:  # warm-up
                await tg.inline_answer(tg.user_inline_query(dataset.BIG_CHAT, query, offset=offset))
            timings = []
            for query, offset in asked:
                start = time.perf_counter()
                query_id = tg.user_inline_query(dataset.BIG_CHAT, query, offset=offset)
                await tg.inline_answer(query_id)
                timings.append((time.perf_counter() - start) * 1000)
            return timings
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            engine.dispose()


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Inline query p50/p95 per backend."""
    urls = dataset.ensure(backends, sizes)
    for backend in backends:
        db.upgrade(engine_for(urls[backend]))  # a dataset built before inline mode's index
        asked = inline_queries(urls[backend], sizes.search_queries)
        timings = asyncio.run(_measure(urls[backend], asked))
        recorder.add("inline query p50", percentile(timings, 50), "ms", backend=backend)
        recorder.add(
            "inline query p95",
            percentile(timings, 95),
            "ms",
            at_most=50,
            backend=backend,
            note=f"{len(timings)} queries in a chat of {sizes.big_chat:,} highlights, "
            "from the update to answerInlineQuery",
        )


def main() -> None:
    """``python -m bench.inline [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.inline")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("inline", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
