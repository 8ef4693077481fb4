"""The daily review through the bot: its size, one message with Next ▶, the feedback."""

from __future__ import annotations

from bot.library.chats import get_settings
from tests.telegram.harness import ALICE, BotHarness, sqlite_only


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
