"""The daily review through the bot: its size, one message with Next ▶, the feedback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import col

from bot.db import SessionFactory
from bot.fake_telegram import FakeTelegram
from bot.fake_telegram.models import Message
from bot.library.chats import get_settings
from bot.models import Chat, Delivery, Highlight
from tests.telegram.harness import (
    ALICE,
    BOB,
    TOKEN,
    BotHarness,
    button_texts,
    data_of,
    quote,
    quoted_text,
    running_bot,
    sqlite_only,
)


def review_size(bot: BotHarness) -> int:
    return bot.db(lambda s: get_settings(s, chat_id=ALICE, default_timezone="UTC")).review_size


async def test_review_n_sets_the_size_and_settings_shows_it(bot: BotHarness) -> None:
    assert (await bot.send(ALICE, "/review 5")).text == (
        "📚 Your daily review now holds 5 highlights. Tap Next ▶ under each one to see the next."
    )
    assert review_size(bot) == 5
    settings = (await bot.send(ALICE, "/settings")).text
    assert settings is not None and "Review: 5 highlights (/review N)" in settings
    assert (await bot.send(ALICE, "/review 1")).text == (
        "📚 Your daily review now holds 1 highlight."
    )
    assert review_size(bot) == 1


@sqlite_only
async def test_a_size_out_of_range_is_refused_and_changes_nothing(bot: BotHarness) -> None:
    await bot.send(ALICE, "/review 3")
    for bad in ("0", "16", "-2", "five", "2.5"):
        reply = await bot.send(ALICE, f"/review {bad}")
        assert reply.text == (
            f"⚠️ “{bad}” is not a review size; choose a number from 1 to 15, for example /review 5."
        ), bad
    assert review_size(bot) == 3
    usage = await bot.send(ALICE, "/review 3 4")
    assert usage.text is not None and usage.text.startswith("ℹ️ /review for today's review now")


TEXTS = [f"Thought number {n}, worth keeping." for n in range(1, 8)]
DUE = datetime(2030, 3, 5, 7, 30, tzinfo=UTC)


async def scheduled(bot: BotHarness, chat_id: int = ALICE) -> None:
    """Wait until the scheduler has given the chat its next due time, tomorrow 07:30."""
    await scheduled_for(bot, DUE, chat_id)


async def scheduled_for(bot: BotHarness, due: datetime, chat_id: int = ALICE) -> None:
    """Wait until the scheduler has made the chat due at ``due``."""
    for _ in range(200):
        chat = bot.db(lambda s: s.get(Chat, chat_id))
        if chat is not None and chat.next_due_at == due:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the chat was never scheduled for {due}")


async def review_arrives(bot: BotHarness, size: int, chat_id: int = ALICE) -> Message:
    """Seed a library, set the review's size and time; the scheduled review's message."""
    bot.seed(chat_id, [quote(text) for text in TEXTS])
    await bot.send(chat_id, f"/review {size}")
    await bot.send(chat_id, "/time 07:30")
    await scheduled(bot, chat_id)
    await bot.settle()
    bot.clock.now = DUE + timedelta(seconds=5)
    return await bot.next(chat_id)


def the_review(bot: BotHarness, chat_id: int = ALICE) -> Delivery:
    return bot.db(
        lambda s: s.execute(select(Delivery).where(col(Delivery.chat_id) == chat_id)).scalar_one()
    )


def shown_text(message: Message) -> str:
    return quoted_text(message)


async def test_a_review_of_five_is_one_message_that_next_walks_to_done(bot: BotHarness) -> None:
    first = await review_arrives(bot, 5)

    assert first.body.startswith("1/5\n")
    assert [[b["text"] for b in row] for row in first.keyboard] == [
        ["🔁 Sooner", "⏩ Later", "🙈 Never"],
        ["☆ Favorite", "🏷 Tags", "Next ▶"],
        ["🖼 Card"],
    ]
    review = the_review(bot)
    fixed = [int(i) for i in (review.highlight_ids or "").split(",")]
    assert len(fixed) == 5 == len(set(fixed))
    seen = [bot.find(ALICE, shown_text(first)).id]
    assert await bot.shown_in(first) == fixed[0]
    card = first
    for number in range(2, 6):
        answer = await bot.press(ALICE, first.message_id, data_of(card, "Next"))
        assert answer.text is None
        card = await bot.next(ALICE)
        assert card.edited and card.message_id == first.message_id
        assert card.body.startswith(f"{number}/5\n")
        seen.append(bot.find(ALICE, shown_text(card)).id)
        # A reply to the message annotates the highlight it shows now.
        assert await bot.shown_in(card) == seen[-1]
    assert seen == fixed
    assert card.body.endswith("✅ Review done · 🔥 1 review in a row")
    assert [[b["text"] for b in row] for row in card.keyboard] == [
        ["🔁 Sooner", "⏩ Later", "🙈 Never"],
        ["☆ Favorite", "🏷 Tags"],
        ["🖼 Card"],
    ]
    # Only one message came: the review was edited, never sent again.
    assert [m.message_id for m in bot.tg.sent(ALICE) if "/5\n" in m.body] == [first.message_id]

    # Next on a card the review has moved past changes nothing and says so.
    # (A client that kept an old copy of the message; the fake shows the latest only.)
    stale = await bot.user_presses_forged(ALICE, f"next:{review.id}:1")
    assert stale.text == "This review has moved on: use the buttons under its latest card."
    await bot.settle()
    assert the_review(bot).position == 4
    assert bot.tg.sent(ALICE)[-2].body == card.body  # the review's message, unchanged


async def test_a_review_of_one_looks_as_a_daily_highlight(bot: BotHarness) -> None:
    message = await review_arrives(bot, 1)

    assert not message.body.startswith("1/1")
    assert "Review done" not in message.body
    assert [len(row) for row in message.keyboard] == [2, 2, 2, 1]
    assert "Next ▶" not in button_texts(message)


async def test_each_feedback_button_changes_its_highlight(bot: BotHarness) -> None:
    card = await review_arrives(bot, 3)
    highlight = bot.find(ALICE, shown_text(card)).id
    now = bot.clock.now

    sooner = await bot.press(ALICE, card.message_id, data_of(card, "🔁"))
    assert sooner.text == "🔁 Sooner: it comes back in about 7 days."
    stored = bot.db(lambda s: s.get(Highlight, highlight))
    assert stored is not None and stored.half_life == 7.0
    assert stored.due_at == now + timedelta(days=7)
    chat = bot.db(lambda s: s.get(Chat, ALICE))
    assert chat is not None and chat.feedback_due_at == now + timedelta(days=7)
    again = await bot.press(ALICE, card.message_id, data_of(card, "🔁"))
    assert again.text == "🔁 Sooner: it comes back in about 4 days."  # 3.5 days

    later = await bot.press(ALICE, card.message_id, data_of(card, "⏩"))
    assert later.text == "⏩ Later: it comes back in about 7 days."
    assert bot.db(lambda s: s.get(Highlight, highlight)).half_life == 7.0  # type: ignore[union-attr]

    star = await bot.press(ALICE, card.message_id, data_of(card, "☆ Favorite"))
    assert star.text == "⭐ Favorite"
    starred = await bot.next(ALICE)
    assert starred.edited and "⭐ Favorite" in button_texts(starred)
    assert (await bot.view(ALICE, highlight)).favorite

    never = await bot.press(ALICE, card.message_id, data_of(starred, "🙈 Never"))
    assert never.text == "🙈 It won't come again. ↩️ Undo brings it back."
    hidden = await bot.next(ALICE)
    assert "↩️ Undo" in button_texts(hidden)
    assert (await bot.view(ALICE, highlight)).discarded
    undo = await bot.press(ALICE, card.message_id, data_of(hidden, "↩️ Undo"))
    assert undo.text == "↩️ Back in the rotation."
    assert not (await bot.view(ALICE, highlight)).discarded
    # Every button still names the first card: the review has not moved on.
    assert the_review(bot).position == 0


async def test_sooner_brings_a_highlight_back_first_once_it_is_due(bot: BotHarness) -> None:
    card = await review_arrives(bot, 2)
    highlight = bot.find(ALICE, shown_text(card)).id
    await bot.press(ALICE, card.message_id, data_of(card, "🔁"))  # due in 7 days
    await bot.press(ALICE, card.message_id, data_of(card, "Next"))
    await bot.next(ALICE)

    # Six days on it is not due yet (the days between were missed: never sent late); on
    # the seventh it opens the review.
    for days, scheduled_day, first in ((6, 1, False), (7, 7, True)):
        await scheduled_for(bot, DUE + timedelta(days=scheduled_day))
        bot.clock.now = DUE + timedelta(days=days, seconds=5)
        review = await bot.next(ALICE)
        assert review.body.startswith("1/2\n")
        assert (bot.find(ALICE, shown_text(review)).id == highlight) is first, days


async def test_a_press_from_another_chat_changes_nothing(bot: BotHarness) -> None:
    card = await review_arrives(bot, 3)
    review = the_review(bot)

    for data in (f"next:{review.id}:0", f"never:{review.id}:0", f"sooner:{review.id}:0"):
        answer = await bot.user_presses_forged(BOB, data)
        assert answer.text == "That review is not in your library any more.", data
    unknown = await bot.user_presses_forged(ALICE, "next:999999:0")
    assert unknown.text == "That review is not in your library any more."

    assert the_review(bot).position == 0
    highlight = bot.find(ALICE, shown_text(card))
    assert not highlight.discarded
    stored = bot.db(lambda s: s.get(Highlight, highlight.id))
    assert stored is not None and stored.half_life is None


async def test_next_after_a_restart_gives_the_same_sequence(
    engine: Engine, sessions: SessionFactory
) -> None:
    # One fake Telegram for both bots: the second finds the chat and its message as they were.
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(engine, sessions, telegram=tg) as bot:
            first = await review_arrives(bot, 4)
            await bot.press(ALICE, first.message_id, data_of(first, "Next"))
            second = await bot.next(ALICE)
            fixed = [int(i) for i in (the_review(bot).highlight_ids or "").split(",")]
        async with running_bot(engine, sessions, telegram=tg) as again:
            await again.press(ALICE, first.message_id, data_of(second, "Next"))
            third = await again.next(ALICE)
            assert third.body.startswith("3/4\n")
            assert again.find(ALICE, shown_text(third)).id == fixed[2]


async def test_review_on_demand_counts_as_todays_and_the_scheduled_one_is_not_sent(
    bot: BotHarness,
) -> None:
    bot.seed(ALICE, [quote(text) for text in TEXTS])
    await bot.send(ALICE, "/review 3")
    await bot.send(ALICE, "/time 07:30")
    await scheduled(bot)
    bot.clock.now = DUE - timedelta(hours=1)  # the morning of the 5th, before its time

    now = await bot.send(ALICE, "/review")

    assert now.body.startswith("1/3\n") and "Next ▶" in button_texts(now)
    await bot.settle()
    review = the_review(bot)
    assert (review.local_date, review.status, review.message_id) == (
        DUE.date(),
        "sent",
        now.message_id,
    )
    # The scheduled time comes and goes, the scheduler ticking every second: nothing more.
    before = len(bot.tg.sent(ALICE))
    bot.clock.now = DUE + timedelta(minutes=5)
    await asyncio.sleep(2.5)
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == before
    chat = bot.db(lambda s: s.get(Chat, ALICE))
    assert chat is not None and chat.next_due_at == DUE + timedelta(days=1)

    # Asked again the same day: today's review is the one already sent.
    again = await bot.send(ALICE, "/review")
    assert again.text is not None and again.text.startswith("📚 Today's review has gone out")
    assert again.reply_to == now.message_id
    assert len(bot.tg.sent(ALICE)) == before + 1


@sqlite_only
async def test_review_on_demand_in_an_empty_library_says_how_to_fill_it(bot: BotHarness) -> None:
    reply = await bot.send(ALICE, "/review")
    assert reply.body.startswith("📭 Your library is empty.")


async def walk_to_done(bot: BotHarness, card: Message) -> Message:
    while "Next ▶" in button_texts(card):
        await bot.press(ALICE, card.message_id, data_of(card, "Next"))
        card = await bot.next(ALICE)
    return card


async def test_stats_shows_reviews_done_and_streaks_and_streak_off_hides_them(
    bot: BotHarness,
) -> None:
    done = await walk_to_done(bot, await review_arrives(bot, 2))
    assert done.body.endswith("✅ Review done · 🔥 1 review in a row")

    numbers = await bot.send(ALICE, "/stats")
    chart = await bot.next(ALICE)
    assert numbers.body.endswith("Daily review\n1 review done · 🔥 streak 1 (longest 1)")
    assert chart.photo is not None and chart.photo.content.startswith(b"\x89PNG")

    assert (await bot.send(ALICE, "/streak off")).text == (
        "🙈 Streaks are off: no streak at the end of a review or in /stats. "
        "/streak on brings them back."
    )
    hidden = await bot.send(ALICE, "/stats")
    await bot.next(ALICE)  # its chart
    assert hidden.body.endswith("Daily review\n1 review done")
    # The next day's review ends without a streak.
    await scheduled_for(bot, DUE + timedelta(days=1))
    bot.clock.now = DUE + timedelta(days=1, seconds=5)
    tomorrow = await walk_to_done(bot, await bot.next(ALICE))
    assert tomorrow.body.endswith("✅ Review done")
    assert (await bot.send(ALICE, "/streak on")).text == (
        "🔥 Streaks are on: the end of a review and /stats show yours."
    )
    back = await bot.send(ALICE, "/stats")
    assert back.body.endswith("2 reviews done · 🔥 streak 2 (longest 2)")
    usage = await bot.send(ALICE, "/streak maybe")
    assert usage.text is not None and usage.text.startswith("ℹ️ /streak off hides")
