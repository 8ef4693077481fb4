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
    # As any highlight (a review of one, the default), with the review's feedback below.
    assert button_texts(daily) == [
        "☆ Favorite",
        "🔀 Another",
        "🙈 Discard",
        "🏷 Tags",
        "🔁 Sooner",
        "⏩ Later",
        "🖼 Card",
    ]
    assert [len(row) for row in daily.keyboard] == [2, 2, 2, 1]
    assert await bot.shown_in(daily) == wisdom
    confirmation = await bot.send(ALICE, "#morning first thought", reply_to=daily.message_id)
    assert confirmation.text == "🏷 Tagged #morning · 📝 Note saved"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["morning"], ["first thought"])


async def test_time_set_one_minute_ahead_in_any_zone_arrives_exactly_once(
    bot: BotHarness,
) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    bot.seed(ALICE, [quote(WISDOM), quote("Another thought.")])
    await bot.send(ALICE, "/timezone Asia/Kathmandu")
    ahead = bot.clock.now.astimezone(ZoneInfo("Asia/Kathmandu")) + timedelta(minutes=1)
    await bot.send(ALICE, f"/time {ahead:%H:%M}")

    async def due_at() -> datetime | None:
        for _ in range(100):
            chat = bot.db(lambda s: s.get(Chat, ALICE))
            if chat is not None and chat.next_due_at is not None:
                return chat.next_due_at
            await asyncio.sleep(0.05)
        return None

    due = await due_at()
    assert due is not None and bot.clock.now < due <= bot.clock.now + timedelta(minutes=1)
    before = len(bot.tg.sent(ALICE))
    bot.clock.now = due + timedelta(seconds=1)
    daily = await bot.next(ALICE)
    assert daily.buttons
    # The scheduler keeps ticking every second; hours later the same day, nothing more comes.
    bot.clock.now = due + timedelta(hours=3)
    await asyncio.sleep(2.5)
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == before + 1
