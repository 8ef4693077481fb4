"""The fake Bot API server in a process of its own, driven by JSON lines on stdin.

The bot under test gets a core to itself and the server's work is not charged to it.
Every figure about what reached "Telegram" is taken here, at the server:

- ``{"op": "stats", "chats": [ids]}`` -> messages per chat and the 429s answered (and, with
  ``"unreached": true``, the ids of the chats that got nothing);
- ``{"op": "load", "chats": [ids], "commands": [texts], "per_chat": n, "think": [lo, hi]}``
  -> every chat sends ``n`` commands one after another (all chats at once), pausing
  ``lo``..``hi`` seconds after each answer, and each round trip is timed from the update
  being queued to the bot's first message in answer;
- ``{"op": "review", "chats": [ids], "think": [lo, hi]}`` -> every chat sends ``/review``
  and, all chats at once, taps Next ▶ under each card after reading it ``lo``..``hi``
  seconds, until the review is done; each tap is timed from the callback query being queued
  to the bot's edit of the message;
- ``{"op": "stop"}``.

``python -m bench.fake_server [--rate-limits] [--latency LOW,HIGH]`` prints
``{"url": ..., "token": ...}`` first.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import time
from functools import partial
from typing import Any

from bot.fake_telegram import FakeTelegram, Message
from bot.telegram import buttons

TOKEN = "4242:commonplace-bench"


async def command_load(
    tg: FakeTelegram,
    chats: list[int],
    commands: list[str],
    per_chat: int,
    think: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    """All chats at once, each sending its commands in turn; round trips in ms by command.

    After each answer a chat waits a random ``think`` time (low, high seconds) before its
    next command, and each chat starts within the first ``high`` seconds.
    """
    latencies: dict[str, list[float]] = {}
    timeouts = 0

    async def chat(chat_id: int, offset: int) -> None:
        nonlocal timeouts
        pause = random.Random(chat_id)
        await asyncio.sleep(pause.uniform(0.0, think[1]))
        for turn in range(per_chat):
            command = commands[(offset + turn) % len(commands)]
            before = len(tg.sent(chat_id))
            start = time.perf_counter()
            tg.user_sends(chat_id, command)
            try:
                await tg.wait_until(partial(_answered, tg, chat_id, before), timeout=30.0)
            except TimeoutError:
                timeouts += 1
                continue
            name = command.split()[0]
            latencies.setdefault(name, []).append((time.perf_counter() - start) * 1000)
            # The reader reads the answer (and the bot sends the rest of a long highlight).
            await asyncio.sleep(max(0.05, pause.uniform(*think)))

    started = time.perf_counter()
    await asyncio.gather(*(chat(chat_id, n) for n, chat_id in enumerate(chats)))
    return {
        "latencies": latencies,
        "timeouts": timeouts,
        "seconds": time.perf_counter() - started,
    }


def _answered(tg: FakeTelegram, chat_id: int, before: int) -> bool:
    return len(tg.sent(chat_id)) > before


async def review_load(
    tg: FakeTelegram, chats: list[int], think: tuple[float, float]
) -> dict[str, Any]:
    """All chats at once, each going through its review with Next ▶; tap round trips in ms.

    Each chat starts within the first ``high`` seconds and reads every card ``low``..``high``
    seconds before it taps.
    """
    taps: list[float] = []
    timeouts = 0

    async def chat(chat_id: int) -> None:
        nonlocal timeouts
        pause = random.Random(chat_id)
        await asyncio.sleep(pause.uniform(0.0, think[1]))
        tg.user_sends(chat_id, "/review")
        try:
            await tg.wait_until(lambda: _next_button(tg, chat_id) is not None, timeout=30.0)
        except TimeoutError:
            timeouts += 1
            return
        while (found := _next_button(tg, chat_id)) is not None:
            message, data = found
            edits = len(message.edits)
            await asyncio.sleep(max(0.05, pause.uniform(*think)))
            start = time.perf_counter()
            tg.user_presses(chat_id, message.message_id, data)
            try:
                await tg.wait_until(partial(_edited_since, message, edits), timeout=30.0)
            except TimeoutError:
                timeouts += 1
                return
            taps.append((time.perf_counter() - start) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(chat(chat_id) for chat_id in chats))
    return {"taps": taps, "timeouts": timeouts, "seconds": time.perf_counter() - started}


def _edited_since(message: Message, edits: int) -> bool:
    return len(message.edits) > edits


def _next_button(tg: FakeTelegram, chat_id: int) -> tuple[Message, str] | None:
    """The bot's latest message in the chat and its Next ▶ data, if it has the button."""
    sent = tg.sent(chat_id)
    if not sent:
        return None
    data = [d for d in sent[-1].callback_data if buttons.NEXT.ids_in(d) is not None]
    return (sent[-1], data[0]) if data else None


def stats(tg: FakeTelegram, chats: list[int], unreached: bool = False) -> dict[str, Any]:
    """What reached each chat, and how many requests were refused with a 429."""
    counts = [len(tg.sent(chat_id)) for chat_id in chats]
    failures = tg.failed_requests
    return {
        **(
            {"unreached": [c for c, n in zip(chats, counts, strict=True) if not n]}
            if unreached
            else {}
        ),
        "messages": sum(counts),
        "chats_reached": sum(1 for count in counts if count),
        "most_in_one_chat": max(counts, default=0),
        "too_many_requests": sum(1 for _, why in failures if why.startswith("Too Many")),
        "other_failures": [why for _, why in failures if not why.startswith("Too Many")][:5],
    }


async def serve(rate_limits: bool, latency: tuple[float, float] | None) -> None:
    """Start the fake, announce it, then answer commands until ``stop``."""
    # The fake stamps a request when it handles it. A pause of the cyclic collector over its
    # growing store of messages would hold requests that arrived evenly and stamp them all
    # at once, a burst the bot never sent; a real Bot API has no such pauses. The fake makes
    # no garbage worth collecting in one benchmark run.
    gc.disable()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)  # a stats request lists every chat
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with FakeTelegram(token=TOKEN, rate_limits=rate_limits, latency=latency) as tg:
        _say({"url": tg.url, "token": tg.token})
        while line := await reader.readline():
            request = json.loads(line)
            op = request["op"]
            if op == "stop":
                break
            if op == "stats":
                _say(stats(tg, request["chats"], request.get("unreached", False)))
            elif op == "review":
                think = tuple(request.get("think", (0.0, 0.0)))
                _say(await review_load(tg, request["chats"], think))
            elif op == "load":
                think = tuple(request.get("think", (0.0, 0.0)))
                _say(
                    await command_load(
                        tg, request["chats"], request["commands"], request["per_chat"], think
                    )
                )
            else:
                _say({"error": f"unknown op {op!r}"})


def _say(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    """``python -m bench.fake_server [--rate-limits] [--latency LOW,HIGH]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.fake_server")
    parser.add_argument("--rate-limits", action="store_true")
    parser.add_argument("--latency", help="seconds each call takes, low,high")
    args = parser.parse_args()
    low, high = (float(x) for x in args.latency.split(",")) if args.latency else (0.0, 0.0)
    asyncio.run(serve(args.rate_limits, (low, high) if args.latency else None))


if __name__ == "__main__":
    main()


class RemoteFake:
    """``async with RemoteFake(rate_limits=...) as fake:`` the server above, in a child process."""

    def __init__(self, *, rate_limits: bool, latency: tuple[float, float] | None = None) -> None:
        self._flags = ["--rate-limits"] if rate_limits else []
        if latency is not None:
            self._flags.append(f"--latency={latency[0]},{latency[1]}")
        self._process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.token = ""

    async def __aenter__(self) -> RemoteFake:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fake_server",
            *self._flags,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 1024 * 1024,
        )
        hello = await self._read()
        self.url, self.token = hello["url"], hello["token"]
        return self

    @property
    def pid(self) -> int:
        """The server process's id."""
        assert self._process is not None
        return self._process.pid

    async def ask(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one command and wait for its answer."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write((json.dumps(payload) + "\n").encode())
        await self._process.stdin.drain()
        return await self._read()

    async def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the fake Bot API server exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def __aexit__(self, *exc: object) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(b'{"op": "stop"}\n')
        await self._process.stdin.drain()
        self._process.stdin.close()
        await self._process.wait()
