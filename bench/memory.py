"""Memory: the running bot, idle, on the shared dataset (a million highlights in full).

``python -m bot run`` starts against the fake Bot API, answers one /help, and is then left
alone with its delivery ticks running every few seconds; its resident memory is read from
/proc while it idles, and the highest reading is the figure.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench import dataset
from bench.botprocess import running_bot
from bench.common import BACKENDS, Recorder, Sizes, rss_mb
from bench.fake_server import RemoteFake

IDLE_SECONDS = 20
READINGS = 10


async def idle_rss(url: str) -> tuple[float, float]:
    """(highest, last) RSS in MB of the bot idling on the database at ``url``."""
    async with (
        RemoteFake(rate_limits=False) as fake,
        running_bot(url, fake, DELIVERY_TICK_SECONDS="2") as bot,
    ):
        readings = []
        for _ in range(READINGS):
            await asyncio.sleep(IDLE_SECONDS / READINGS)
            readings.append(rss_mb(bot.pid))
    return max(readings), readings[-1]


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """Idle RSS per backend."""
    urls = dataset.ensure(backends, sizes)
    for backend in backends:
        highest, last = asyncio.run(idle_rss(urls[backend]))
        recorder.add(
            "bot idle RSS",
            highest,
            "MB",
            at_most=150,
            backend=backend,
            note=f"highest of {READINGS} readings over {IDLE_SECONDS} s idle (last {last:.0f} "
            f"MB), {sizes.library_total:,} highlights in {sizes.library_chats:,} chats",
        )


def main() -> None:
    """``python -m bench.memory [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    run(Sizes.get(args.quick), Recorder("memory", args.results), tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
