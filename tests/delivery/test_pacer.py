"""The pacer: sends spaced overall and per chat, in real (monotonic) time."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.pacer import PRIVATE_SPACING, Pacer


async def test_sends_to_different_chats_are_spaced_by_the_overall_rate() -> None:
    pacer = Pacer(per_second=20)
    started = time.monotonic()
    for chat_id in range(1, 11):
        pacer.answered(await pacer.slot(chat_id), chat_id)
    # Ten sends at 20 a second: the tenth leaves 9/20 s after the first.
    assert time.monotonic() - started >= 9 / 20 - 0.01


async def test_a_chats_next_message_waits_a_full_spacing_after_the_answer() -> None:
    pacer = Pacer(per_second=1000)
    pacer.answered(await pacer.slot(7), 7)
    answered = time.monotonic()
    await pacer.slot(7)
    assert time.monotonic() - answered >= PRIVATE_SPACING - 0.01


async def test_a_chat_waiting_for_its_turn_holds_no_other_chat_up() -> None:
    # The second part of a long highlight waits a second for its chat; the sends to every
    # other chat go on meanwhile at the overall rate (they used to wait behind it).
    pacer = Pacer(per_second=1000)
    pacer.answered(await pacer.slot(1), 1)
    started = time.monotonic()
    second_part = asyncio.create_task(pacer.slot(1))
    await asyncio.sleep(0)  # it asks first
    for chat_id in range(2, 22):
        pacer.answered(await pacer.slot(chat_id), chat_id)
    others = time.monotonic() - started
    pacer.answered(await second_part, 1)
    assert others < PRIVATE_SPACING / 2
    assert time.monotonic() - started >= PRIVATE_SPACING - 0.01


async def test_two_sends_to_one_chat_asking_at_once_still_leave_a_spacing_apart() -> None:
    pacer = Pacer(per_second=1000)
    started = time.monotonic()
    first, second = await asyncio.gather(pacer.slot(3), pacer.slot(3))
    assert time.monotonic() - started >= PRIVATE_SPACING - 0.01
    assert first is not second
