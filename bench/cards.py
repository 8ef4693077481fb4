"""Quote cards: drawing the card of a 1,000-character highlight in the bot's worker process.

Timed as the bot waits for it: ``ChartWorker.quote_card`` from the call to the PNG bytes back
in the bot's process (the worker already started, as it is after the first card or chart).
Each card has text of its own, in the three themes in turn; a fifth of them mix in Cyrillic
and CJK words, which the fallback fonts draw.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from pathlib import Path

from bench.common import BACKENDS, Recorder, Sizes, percentile
from bench.generate import Vocabulary
from bot.library.cards import THEMES
from bot.telegram.cards import Card
from bot.telegram.charts import ChartWorker

LENGTH = 1_000


def texts(count: int, rng: random.Random) -> list[str]:
    """``count`` texts of ``LENGTH`` characters, in sentences of the benchmark's words."""
    words = Vocabulary(rng)
    made = []
    for number in range(count):
        pieces: list[str] = []
        while sum(len(piece) + 1 for piece in pieces) < LENGTH:
            if number % 5 == 0 and rng.random() < 0.2:
                pieces.append(rng.choice(words.cyrillic + words.cjk))
            else:
                pieces.append(words.words[min(int(rng.paretovariate(1.1)), 5_000)])
        made.append(" ".join(pieces)[: LENGTH - 1] + ".")
    return made


async def _measure(count: int) -> tuple[list[float], int]:
    worker = ChartWorker()
    rng = random.Random(5)
    cards = [
        Card(text=text, book="The Book of the Benchmark", author="A. Writer", theme=theme)
        for text, theme in zip(texts(count + 3, rng), [*THEMES] * (count + 3), strict=False)
    ]
    try:
        for card in cards[:3]:  # start the worker and load its fonts
            await worker.quote_card(card)
        timings = []
        size = 0
        for card in cards[3:]:
            start = time.perf_counter()
            png = await worker.quote_card(card)
            timings.append((time.perf_counter() - start) * 1000)
            size = max(size, len(png))
        return timings, size
    finally:
        worker.close()


def run(sizes: Sizes, recorder: Recorder) -> None:
    """Card p50/p95 in the worker process."""
    count = max(20, sizes.search_queries // 2)
    timings, size = asyncio.run(_measure(count))
    recorder.add("card p50", percentile(timings, 50), "ms")
    recorder.add(
        "card p95",
        percentile(timings, 95),
        "ms",
        at_most=300,
        note=f"{len(timings)} cards of {LENGTH:,} characters drawn in the worker process, "
        f"largest PNG {size / 1024:.0f} KB",
    )


def main() -> None:
    """``python -m bench.cards [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.cards")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))  # not used: no database
    args = parser.parse_args()
    run(Sizes.get(args.quick), Recorder("cards", args.results))


if __name__ == "__main__":
    main()
