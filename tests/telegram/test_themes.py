"""/theme as a reader uses it: a saved search that makes reviews of its own, on demand or at
its own time and days, once per local day across a daylight-saving change."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.models import Delivery, ReviewTheme
from tests.telegram.harness import ALICE, BOB, BotHarness, data_of, quote, quoted_text, sqlite_only

STOIC = [f"Stoic thought {n}." for n in range(1, 4)]
OTHER = [f"Other thought {n}." for n in range(1, 4)]


def seed(bot: BotHarness) -> None:
    bot.seed(
        ALICE,
        [quote(text, tags=["stoic"]) for text in STOIC]
        + [quote(text, book="Walden", author="Thoreau") for text in OTHER],
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def themes_of(bot: BotHarness, chat_id: int = ALICE) -> list[tuple[str, str, str | None, str]]:
    return list(
        bot.db(
            lambda s: [
                (t.name, t.query, t.delivery_time, t.days)
                for t in s.execute(
                    select(ReviewTheme)
                    .where(col(ReviewTheme.chat_id) == chat_id)
                    .order_by(col(ReviewTheme.name))
                ).scalars()
            ]
        )
    )


def theme_days(bot: BotHarness, name: str) -> list[date]:
    return list(
        bot.db(
            lambda s: s.execute(
                select(col(Delivery.local_date))
                .where(col(Delivery.chat_id) == ALICE, col(Delivery.review) == f"theme:{name}")
                .order_by(col(Delivery.local_date))
            ).scalars()
        )
    )


async def test_a_theme_is_saved_listed_and_sent_from_its_matches_without_repeats(
    bot: BotHarness,
) -> None:
    seed(bot)
    await bot.send(ALICE, "/time 23:30")  # the daily review stays out of the way
    saved = await bot.send(ALICE, "/theme add Stoic tag:stoic")
    assert saved.text == "🎯 Theme stoic saved: 3 highlights match. /theme stoic sends one now."
    empty = await bot.send(ALICE, "/theme add sea whale book:Moby")
    assert empty.text == (
        "🎯 Theme sea saved, but no highlight matches it yet: "
        "it will draw on the ones you import that do."
    )
    listed = await bot.send(ALICE, "/theme")
    assert listed.text == (
        "🎯 Your themes\n• sea: whale book:Moby — when you ask\n"
        "• stoic: tag:stoic — when you ask\n\n/theme name sends one now."
    )
    assert (await bot.send(ALICE, "/theme sea")).text == "🎯 No highlight matches theme sea now."

    await bot.send(ALICE, "/review 2")
    first = await bot.send(ALICE, "/theme stoic")
    assert first.text is not None and first.text.startswith("🎯 stoic\n1/2")
    seen = [quoted_text(first)]
    await bot.press(ALICE, first.message_id, data_of(first, "Next"))
    last = await bot.next(ALICE)
    assert last.text is not None and last.text.startswith("🎯 stoic\n2/2")
    assert "Review done" in last.text
    seen.append(quoted_text(last))
    again = await bot.send(ALICE, "/theme stoic")
    assert again.text == "🎯 Today's stoic review has gone out already: here it is."
    assert again.reply_to == first.message_id

    # The next day: the match not yet shown comes first, then the round starts again.
    bot.clock.now += timedelta(days=1)
    tomorrow = await bot.send(ALICE, "/theme stoic")
    third = quoted_text(tomorrow)
    assert third not in seen and {*seen, third} == set(STOIC)


@sqlite_only
async def test_bad_input_is_refused_and_changes_nothing(bot: BotHarness) -> None:
    seed(bot)
    await bot.send(ALICE, "/theme add stoic tag:stoic")
    before = themes_of(bot)
    usage = await bot.send(ALICE, "/theme add")
    assert usage.text is not None and usage.text.startswith("🎯 Themes are reviews made from")
    assert (await bot.send(ALICE, "/theme add lonely")).text == usage.text
    assert (await bot.send(ALICE, "/theme add bad!name tag:stoic")).text == (
        "⚠️ “bad!name” cannot name a theme: use one word of up to 24 letters, digits, - or _."
    )
    assert (await bot.send(ALICE, "/theme add del tag:stoic")).text == (
        "⚠️ “del” is a word of /theme itself: choose another name."
    )
    assert (await bot.send(ALICE, "/theme add quiet ---")).text == (
        "⚠️ Say what the theme is about, for example /theme add stoic tag:stoicism."
    )
    unknown = "⚠️ You have no theme called “nosuch”. /theme lists yours."
    assert (await bot.send(ALICE, "/theme nosuch")).text == unknown
    assert (await bot.send(ALICE, "/theme del nosuch")).text == unknown
    assert (await bot.send(ALICE, "/theme nosuch at 19:00")).text == unknown
    assert (await bot.send(ALICE, "/theme stoic at 25:00")).text == (
        "⚠️ “25:00” is not a time of day; use HH:MM, for example 07:30."
    )
    blursday = await bot.send(ALICE, "/theme stoic at 19:00 blursday")
    assert blursday.text is not None and blursday.text.startswith("⚠️ “blursday” is not a day")
    assert (await bot.send(ALICE, "/theme stoic at")).text == (
        "⚠️ Say when, for example /theme stoic at 19:00 weekdays, or /theme stoic off."
    )
    assert themes_of(bot) == before
    assert theme_days(bot, "stoic") == []
    assert (await bot.send(ALICE, "/theme del stoic")).text == "🗑 Theme stoic deleted."
    assert themes_of(bot) == []


@sqlite_only
async def test_another_chats_themes_are_invisible_to_it(bot: BotHarness) -> None:
    seed(bot)
    bot.seed(BOB, [quote("Bob's stoic line.", tags=["stoic"])])
    await bot.send(ALICE, "/theme add stoic tag:stoic")
    none = await bot.send(BOB, "/theme")
    assert none.text is not None and none.text.startswith("🎯 You have no themes yet.")
    assert themes_of(bot, BOB) == []
    unknown = "⚠️ You have no theme called “stoic”. /theme lists yours."
    assert (await bot.send(BOB, "/theme stoic")).text == unknown
    assert (await bot.send(BOB, "/theme del stoic")).text == unknown
    assert (await bot.send(BOB, "/theme stoic at 07:00")).text == unknown
    # Bob's theme of the same name draws on Bob's library alone.
    assert (await bot.send(BOB, "/theme add stoic tag:stoic")).text == (
        "🎯 Theme stoic saved: 1 highlight matches. /theme stoic sends one now."
    )
    assert quoted_text(await bot.send(BOB, "/theme stoic")) == "Bob's stoic line."
    assert themes_of(bot) == [("stoic", "tag:stoic", None, "daily")]


async def theme_due(bot: BotHarness, name: str, before: datetime | None) -> datetime | None:
    """The theme's next due time once the scheduler moved it past ``before``."""
    for _ in range(100):
        at = bot.db(
            lambda s: s.execute(
                select(col(ReviewTheme.next_due_at)).where(
                    col(ReviewTheme.chat_id) == ALICE, col(ReviewTheme.name) == name
                )
            ).scalar_one()
        )
        if at != before:
            return at
        await asyncio.sleep(0.05)
    return None


async def test_a_theme_at_its_own_time_comes_once_a_day_across_the_spring_change(
    bot: BotHarness,
) -> None:
    seed(bot)
    await bot.send(ALICE, "/timezone Europe/Berlin")
    await bot.send(ALICE, "/time 23:30")  # the daily review stays out of the way
    await bot.send(ALICE, "/theme add stoic tag:stoic")
    bot.clock.now = utc(2030, 3, 30, 12, 0)  # Saturday; Berlin moves to CEST on Sunday
    assert (await bot.send(ALICE, "/theme stoic at 19:00")).text == (
        "🎯 Theme stoic comes every day at 19:00, besides your daily review."
    )
    assert await theme_due(bot, "stoic", None) == utc(2030, 3, 30, 18, 0)  # 19:00 CET
    before = len(bot.tg.sent(ALICE))

    bot.clock.now = utc(2030, 3, 30, 18, 0, 5)
    first = await bot.next(ALICE)
    assert first.text is not None and first.text.startswith("🎯 stoic\n")
    assert quoted_text(first) in STOIC
    assert await theme_due(bot, "stoic", utc(2030, 3, 30, 18, 0)) == utc(2030, 3, 31, 17, 0)
    bot.clock.now = utc(2030, 3, 31, 17, 0, 5)  # 19:00 CEST
    assert quoted_text(await bot.next(ALICE)) in STOIC
    assert await theme_due(bot, "stoic", utc(2030, 3, 31, 17, 0)) == utc(2030, 4, 1, 17, 0)
    await asyncio.sleep(1.5)  # more ticks: nothing more is due today
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == before + 2
    assert theme_days(bot, "stoic") == [date(2030, 3, 30), date(2030, 3, 31)]
    # Asked for again the same day, it is the one that went out.
    again = await bot.send(ALICE, "/theme stoic")
    assert again.text == "🎯 Today's stoic review has gone out already: here it is."
    assert themes_of(bot) == [("stoic", "tag:stoic", "19:00", "daily")]
    assert (await bot.send(ALICE, "/theme stoic off")).text == (
        "🎯 Theme stoic now comes only when you ask: /theme stoic."
    )
    assert await theme_due(bot, "stoic", utc(2030, 4, 1, 17, 0)) is None
