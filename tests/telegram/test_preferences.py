"""Daily delivery settings through the bot: each command confirms and /settings shows it."""

from __future__ import annotations

import re

from bot.library.chats import ChatSettings, get_settings
from tests.telegram.harness import ALICE, BotHarness, sqlite_only

DEFAULTS = (
    "⚙️ Daily delivery\n\n"
    "Time: 08:00 (/time HH:MM)\n"
    "Review: 1 highlight (/review N)\n"
    "Time zone: UTC (/timezone Area/City or +HH:MM)\n"
    "Days: every day (/days)\n"
    "Mode: random (/mode random|weighted)\n"
    "Tag weights: all tags ×1 (/weight tag N)\n"
    "Delivery: ▶️ on (/pause)"
)


def stored(bot: BotHarness) -> ChatSettings:
    return bot.db(lambda s: get_settings(s, chat_id=ALICE, default_timezone="UTC"))


async def test_every_setting_is_confirmed_and_shown(bot: BotHarness) -> None:
    assert (await bot.send(ALICE, "/settings")).text == DEFAULTS

    assert (await bot.send(ALICE, "/time 7:30")).text == (
        "⏰ Your daily highlight now comes at 07:30."
    )
    kathmandu = await bot.send(ALICE, "/timezone asia/kathmandu")
    assert kathmandu.text is not None
    assert re.fullmatch(
        r"🌍 Time zone set to Asia/Kathmandu \(it is \d\d:\d\d there now\)\.", kathmandu.text
    )
    assert stored(bot).timezone == "Asia/Kathmandu"
    offset = await bot.send(ALICE, "/timezone +05:45")
    assert offset.text is not None
    assert re.fullmatch(r"🌍 Time zone set to \+05:45 \(it is \d\d:\d\d there now\)\.", offset.text)
    assert (await bot.send(ALICE, "/mode weighted")).text == (
        "⚖️ Weighted mode: tags you weight with /weight come more often; favorites too."
    )
    assert (await bot.send(ALICE, "/weight #Culture 3")).text == (
        "⚖️ #culture now weighs 3 in weighted mode."
    )
    assert (await bot.send(ALICE, "/weight gossip 0")).text == (
        "🚫 Highlights tagged #gossip won't be delivered."
    )
    assert (await bot.send(ALICE, "/pause")).text == (
        "⏸ Daily delivery paused. /resume brings it back."
    )

    assert (await bot.send(ALICE, "/settings")).text == (
        "⚙️ Daily delivery\n\n"
        "Time: 07:30 (/time HH:MM)\n"
        "Review: 1 highlight (/review N)\n"
        "Time zone: +05:45 (/timezone Area/City or +HH:MM)\n"
        "Days: every day (/days)\n"
        "Mode: weighted (/mode random|weighted)\n"
        "Tag weights: #culture ×3, #gossip ×0 (/weight tag N)\n"
        "Delivery: ⏸ paused (/resume)"
    )
    settings = stored(bot)
    assert (settings.delivery_time, settings.timezone, settings.mode, settings.paused) == (
        "07:30",
        "+05:45",
        "weighted",
        True,
    )
    assert settings.weights == [("culture", 3), ("gossip", 0)]

    assert (await bot.send(ALICE, "/resume")).text == "▶️ Daily delivery resumed."
    assert (await bot.send(ALICE, "/settings")).body.endswith("Delivery: ▶️ on (/pause)")
    assert not stored(bot).paused


@sqlite_only
async def test_wrong_arguments_get_usage_or_the_reason(bot: BotHarness) -> None:
    answers = {
        "/time": "ℹ️ /time HH:MM, for example /time 07:30",
        "/time 7 30": "ℹ️ /time HH:MM, for example /time 07:30",
        "/time 25:00": "⚠️ “25:00” is not a time of day; use HH:MM, for example 07:30.",
        "/timezone": (
            "ℹ️ /timezone Area/City or a UTC offset, for example /timezone Europe/Berlin or "
            "/timezone +05:45"
        ),
        "/timezone Mars/Olympus": (
            "⚠️ “Mars/Olympus” is not a time zone I know. Use a name like Europe/Berlin or "
            "America/New_York, or an offset like +05:45."
        ),
        "/timezone +15:00": ("⚠️ “+15:00” is not a UTC offset; offsets run from -12:00 to +14:00."),
        "/timezone -13:00": ("⚠️ “-13:00” is not a UTC offset; offsets run from -12:00 to +14:00."),
        "/mode": "ℹ️ /mode random or /mode weighted",
        "/mode fast": "⚠️ “fast” is not a mode; choose random or weighted.",
        "/weight culture": (
            "ℹ️ /weight tag N: N from 0 (never) to 100, for example /weight culture 3 or "
            '/weight "deep work" 3'
        ),
        "/weight culture lots": (
            "ℹ️ /weight tag N: N from 0 (never) to 100, for example /weight culture 3 or "
            '/weight "deep work" 3'
        ),
        "/weight culture 101": "⚠️ A weight runs from 0 (never) to 100.",
        "/weight # 3": "⚠️ Name a tag, for example /weight culture 3.",
    }
    for command, text in answers.items():
        assert (await bot.send(ALICE, command)).text == text, command

    assert (await bot.send(ALICE, "/settings")).text == DEFAULTS
    # The furthest offsets in use on Earth are accepted.
    assert (await bot.send(ALICE, "/timezone -12:00")).body.startswith(
        "🌍 Time zone set to -12:00 "
    )
    assert (await bot.send(ALICE, "/timezone UTC+14")).body.startswith(
        "🌍 Time zone set to +14:00 "
    )
