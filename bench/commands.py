"""Command latency: many chats at once talking to the running bot, timed at the fake server.

The bot is ``python -m bot run`` on the shared dataset (one chat of ``big_chat``
highlights among ``library_total``); the fake Bot API runs in its own process and drives
the chats. A round trip is from the update being queued at the server to the bot's first
message in answer arriving there. Every chat sends its commands one after another, all
chats at once; the big chat is among them. Each reader pauses between commands (``THINK``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
from pathlib import Path
from typing import Any

from bench import dataset
from bench.botprocess import running_bot
from bench.common import BACKENDS, Recorder, Sizes, percentile, rss_mb
from bench.fake_server import RemoteFake


def command_mix(seed: int) -> list[str]:
    """Twenty commands as readers use them: mostly searching and reading, now and then the
    lists, the settings, the help and the /stats chart."""
    rng = random.Random(seed)
    words = dataset.vocabulary().words

    def search() -> str:
        kind = rng.randrange(4)
        if kind == 0:
            return f"/search {words[rng.randrange(10, 100)]}"
        if kind == 1:
            return f"/search {words[rng.randrange(100, 2000)]}*"
        return f"/search {words[rng.randrange(100, 20000)]}"

    mix = [search() for _ in range(7)] + ["/random"] * 6
    mix += ["/tags", "/tags", "/books", "/books", "/settings", "/help", "/stats"]
    rng.shuffle(mix)
    return mix


THINK = (1.5, 2.5)
"""Seconds a reader spends on an answer before the next command. With 50 chats that offers
about 24 commands a second: Telegram lets a bot send 30 messages a second in all (the bot's
rate limiter holds it there), so a heavier load would only measure that queue."""


async def measure(url: str, sizes: Sizes) -> dict[str, Any]:
    """Run the load against the bot on ``url``; the fake server's answer and the bot's RSS."""
    chats = list(range(dataset.BIG_CHAT, dataset.BIG_CHAT + sizes.command_chats))
    async with RemoteFake(rate_limits=False) as fake, running_bot(url, fake) as bot:
        # One of each command first: /stats starts its chart worker on first use.
        warm = sorted(set(command_mix(1)))
        await fake.ask({"op": "load", "chats": chats[1:2], "commands": warm, "per_chat": len(warm)})
        answer = await fake.ask(
            {
                "op": "load",
                "chats": chats,
                "commands": command_mix(2),
                "per_chat": sizes.commands_per_chat,
                "think": THINK,
            }
        )
        answer["bot_rss_mb"] = rss_mb(bot.pid)
    return answer


def run(sizes: Sizes, recorder: Recorder, backends: tuple[str, ...]) -> None:
    """p50/p95 round trip per backend, overall and per command."""
    urls = dataset.ensure(backends, sizes)
    for backend in backends:
        answer = asyncio.run(measure(urls[backend], sizes))
        latencies: dict[str, list[float]] = answer["latencies"]
        every = [ms for samples in latencies.values() for ms in samples]
        recorder.add("command round trip p50", percentile(every, 50), "ms", backend=backend)
        recorder.add(
            "command round trip p95",
            percentile(every, 95),
            "ms",
            at_most=50,
            backend=backend,
            note=f"{len(every):,} commands from {sizes.command_chats} chats at once "
            f"({len(every) / answer['seconds']:.0f}/s) in "
            f"{answer['seconds']:.0f} s; {answer['timeouts']} unanswered; "
            f"bot RSS afterwards {answer['bot_rss_mb']:.0f} MB",
        )
        rest = [ms for name, samples in latencies.items() if name != "/stats" for ms in samples]
        recorder.add(
            "command round trip p95 without /stats",
            percentile(rest, 95),
            "ms",
            backend=backend,
            note="/stats answers with its numbers; the chart follows, drawn in a worker process",
        )
        for command, samples in sorted(latencies.items()):
            recorder.add(
                f"command p95, {command}",
                percentile(samples, 95),
                "ms",
                backend=backend,
                note=f"p50 {percentile(samples, 50):.1f} ms, {len(samples)} samples",
            )


def main() -> None:
    """``python -m bench.commands [--quick]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.commands")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", type=Path)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args()
    recorder = Recorder("commands", args.results)
    run(Sizes.get(args.quick), recorder, tuple(args.backends.split(",")))


if __name__ == "__main__":
    main()
