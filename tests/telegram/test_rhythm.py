"""/days and /pause 7d as a reader uses them: the daily highlight comes on the chosen days,
across a daylight-saving change, and a snooze ends by itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from bot.models import Chat, Delivery
from tests.telegram.harness import ALICE, BOB, BotHarness, quote, sqlite_only


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def scheduled(bot: BotHarness, chat_id: int = ALICE) -> tuple[date | None, datetime | None]:
    """The chat's next due day and time, once the scheduler (ticking every second) set it."""
    for _ in range(100):
        chat = bot.db(lambda s: s.get(Chat, chat_id))
        if chat is not None and chat.next_due_at is not None:
            return chat.next_due_date, chat.next_due_at
        await asyncio.sleep(0.05)
    return None, None


async def rescheduled(bot: BotHarness, before: datetime | None) -> datetime | None:
    """The chat's due time once it differs from ``before``."""
    for _ in range(100):
        _, at = await scheduled(bot)
        if at != before:
            return at
        await asyncio.sleep(0.05)
    return None


def deliveries(bot: BotHarness) -> list[date]:
    return list(
        bot.db(
            lambda s: s.execute(
                select(col(Delivery.local_date))
                .where(col(Delivery.chat_id) == ALICE)
                .order_by(col(Delivery.local_date))
            ).scalars()
        )
    )


async def test_mon_wed_fri_in_berlin_comes_on_those_days_at_eight_across_the_spring_change(
    bot: BotHarness,
) -> None:
    bot.seed(ALICE, [quote(f"Thought {n}.") for n in range(5)])
    await bot.send(ALICE, "/timezone Europe/Berlin")
    assert (await bot.send(ALICE, "/days mon wed fri")).text == (
        "📅 Reviews now come Mon, Wed, Fri."
    )
    # Monday 4 March 2030, noon: Wednesday is next, 08:00 CET.
    assert await scheduled(bot) == (date(2030, 3, 6), utc(2030, 3, 6, 7, 0))
    before = len(bot.tg.sent(ALICE))

    bot.clock.now = utc(2030, 3, 6, 7, 0, 5)
    assert (await bot.next(ALICE)).buttons
    assert await rescheduled(bot, utc(2030, 3, 6, 7, 0)) == utc(2030, 3, 8, 7, 0)  # Friday

    # Weeks without the bot: the next allowed day from today is taken, at its own time.
    bot.clock.now = utc(2030, 3, 28, 12, 0)  # Thursday
    assert await rescheduled(bot, utc(2030, 3, 8, 7, 0)) == utc(2030, 3, 29, 7, 0)
    bot.clock.now = utc(2030, 3, 29, 7, 0, 5)
    assert (await bot.next(ALICE)).buttons
    # Berlin moves to CEST on Sunday 31 March: Monday's 08:00 is 06:00 UTC.
    assert await rescheduled(bot, utc(2030, 3, 29, 7, 0)) == utc(2030, 4, 1, 6, 0)
    bot.clock.now = utc(2030, 4, 1, 6, 0, 5)
    assert (await bot.next(ALICE)).buttons
    await asyncio.sleep(1.5)
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == before + 3
    assert deliveries(bot) == [date(2030, 3, 6), date(2030, 3, 29), date(2030, 4, 1)]


@sqlite_only
async def test_days_alone_shows_the_rule_and_bad_words_change_nothing(bot: BotHarness) -> None:
    usage = (
        "ℹ️ /days every day, /days weekdays, /days mon wed fri, /days every other day or "
        "/days weekly"
    )
    assert (await bot.send(ALICE, "/days")).text == f"📅 Reviews come every day.\n\n{usage}"
    assert (await bot.send(ALICE, "/days mon funday")).text == (
        "⚠️ “funday” is not a day I know. Use every day, weekdays, every other day, weekly, "
        "or days of the week such as mon wed fri."
    )
    assert (await bot.send(ALICE, "/days every third day")).body.startswith(
        "⚠️ “every” is not a day I know."
    )
    unchanged = bot.db(lambda s: s.get(Chat, ALICE))
    assert unchanged is not None and unchanged.days == "daily"
    assert (await bot.send(ALICE, "/days every other day")).text == (
        "📅 Reviews now come every other day."
    )
    assert (await bot.send(ALICE, "/days weekly")).text == (
        "📅 Reviews now come weekly: seven days after the one before."
    )
    assert (await bot.send(ALICE, "/days weekdays")).text == (
        "📅 Reviews now come weekdays (Mon–Fri)."
    )
    assert (await bot.send(ALICE, "/days sat")).text == "📅 Reviews now come Sat."
    assert (await bot.send(ALICE, "/days")).text == f"📅 Reviews come Sat.\n\n{usage}"
    assert "Days: Sat (/days)" in (await bot.send(ALICE, "/settings")).body
    # Another chat keeps its own days.
    assert "Days: every day (/days)" in (await bot.send(BOB, "/settings")).body
    stored = bot.db(lambda s: (s.get(Chat, ALICE), s.get(Chat, BOB)))
    assert [chat.days for chat in stored if chat] == ["sat", "daily"]


async def test_a_snooze_skips_a_week_and_delivery_resumes_by_itself(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("One."), quote("Two.")])
    assert await scheduled(bot) == (date(2030, 3, 5), utc(2030, 3, 5, 8, 0))
    assert (await bot.send(ALICE, "/pause 7d")).text == (
        "⏸ Daily delivery paused until Mon 11 Mar 2030; it resumes by itself. "
        "/resume brings it back sooner."
    )
    assert (await bot.send(ALICE, "/settings")).body.endswith(
        "Delivery: ⏸ paused until Mon 11 Mar 2030 (/resume)"
    )
    # Snoozed on Monday at noon for seven days: Tuesday 12 March 08:00 is the first review.
    assert await rescheduled(bot, utc(2030, 3, 5, 8, 0)) == utc(2030, 3, 12, 8, 0)
    mark = bot.mark()
    bot.clock.now = utc(2030, 3, 5, 8, 0, 5)
    await asyncio.sleep(1.5)
    await bot.assert_silent(mark)

    bot.clock.now = utc(2030, 3, 12, 8, 0, 5)
    daily = await bot.next(ALICE)
    assert daily.buttons
    assert deliveries(bot) == [date(2030, 3, 12)]
    assert (await bot.send(ALICE, "/settings")).body.endswith("Delivery: ▶️ on (/pause)")
    assert await scheduled(bot) == (date(2030, 3, 13), utc(2030, 3, 13, 8, 0))


async def test_resume_ends_a_snooze_early_and_pause_alone_pauses_until_resume(
    bot: BotHarness,
) -> None:
    bot.seed(ALICE, [quote("One.")])
    assert await scheduled(bot) == (date(2030, 3, 5), utc(2030, 3, 5, 8, 0))
    await bot.send(ALICE, "/pause 2w")
    assert await rescheduled(bot, utc(2030, 3, 5, 8, 0)) == utc(2030, 3, 19, 8, 0)
    assert (await bot.send(ALICE, "/resume")).text == "▶️ Daily delivery resumed."
    assert await rescheduled(bot, utc(2030, 3, 19, 8, 0)) == utc(2030, 3, 5, 8, 0)
    chat = bot.db(lambda s: s.get(Chat, ALICE))
    assert chat is not None and chat.paused_until is None

    await bot.send(ALICE, "/pause 3 days")
    assert (await bot.send(ALICE, "/pause")).text == (
        "⏸ Daily delivery paused. /resume brings it back."
    )
    assert (await bot.send(ALICE, "/settings")).body.endswith("Delivery: ⏸ paused (/resume)")
    mark = bot.mark()
    bot.clock.now = utc(2030, 3, 10, 8, 0, 5)
    await asyncio.sleep(1.5)
    await bot.assert_silent(mark)
    assert bot.db(lambda s: s.execute(select(func.count()).select_from(Delivery)).scalar()) == 0


@sqlite_only
async def test_a_pause_of_no_length_or_too_long_is_refused_and_changes_nothing(
    bot: BotHarness,
) -> None:
    answers = {
        "/pause 7x": "⚠️ “7x” is not a length of time; use days or weeks, like 7d or 2w.",
        "/pause soon": "⚠️ “soon” is not a length of time; use days or weeks, like 7d or 2w.",
        "/pause 0d": "⚠️ A pause runs from 1 day to 365 days (52w).",
        "/pause 53w": "⚠️ A pause runs from 1 day to 365 days (52w).",
        "/pause 1 2 3": (
            "ℹ️ /pause pauses until /resume; /pause 7d (or 3d, 2w) pauses for that long and "
            "resumes by itself."
        ),
    }
    for command, text in answers.items():
        assert (await bot.send(ALICE, command)).text == text, command
    assert (await bot.send(ALICE, "/settings")).body.endswith("Delivery: ▶️ on (/pause)")
    chat = bot.db(lambda s: s.get(Chat, ALICE))
    assert chat is not None and (chat.paused, chat.paused_until) == (False, None)
