"""The daily highlight, sent by the scheduler when the clock says so, is a highlight like any."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.models import Chat
from tests.telegram.harness import ALICE, BotHarness, button_texts, quote

WISDOM = "Wisdom cannot be imparted."


async def test_the_daily_highlight_arrives_at_its_time_and_replies_annotate_it(
    bot: BotHarness,
) -> None:
    [wisdom] = bot.seed(ALICE, [quote(WISDOM)])
    assert (await bot.send(ALICE, "/time 07:30")).text == (
        "⏰ Your daily highlight now comes at 07:30."
    )

    # The scheduler (ticking every second) gives the chat its first due time: tomorrow 07:30.
    async def scheduled() -> datetime | None:
        for _ in range(100):
            due = bot.db(lambda s: s.get(Chat, ALICE)).next_due_at  # type: ignore[union-attr]
            if due is not None:
                return due
            await asyncio.sleep(0.05)
        return None

    assert await scheduled() == datetime(2030, 3, 5, 7, 30, tzinfo=UTC)
    await bot.settle()
    assert bot.tg.sent(ALICE)[-1].text == "⏰ Your daily highlight now comes at 07:30."

    bot.clock.now = datetime(2030, 3, 5, 7, 30, 5, tzinfo=UTC)
    daily = await bot.next(ALICE)

    assert daily.body == f"{WISDOM}\n— Siddhartha, Hermann Hesse"
    assert button_texts(daily) == ["☆ Favorite", "🔀 Another", "🙈 Discard", "🏷 Tags"]
    assert await bot.shown_in(daily) == wisdom
    confirmation = await bot.send(ALICE, "#morning first thought", reply_to=daily.message_id)
    assert confirmation.text == "🏷 Tagged #morning · 📝 Note saved"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["morning"], ["first thought"])
