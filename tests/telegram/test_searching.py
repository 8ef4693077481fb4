"""/search through the bot: the query syntax, paging by editing, opening a result."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from bot.fake_telegram import Message
from tests.telegram.harness import ALICE, BotHarness, button_texts, data_of, quote, quoted_text

QUIET_RIVER = "The quiet river carries everything away."
RIVER_WAS_QUIET = "The river was quiet and wide."
STONE = "A stone lies in the river."
RIVER_OF_TIME = "The river of time flows on."
BE_ONE = "Waste no more time arguing what a good man should be. Be one."
TIPS = 'Tips: "exact phrase", -word to exclude, tag:name, book:words, deploy* for a prefix.'


def results(message: Message) -> list[str]:
    """The snippets of the listed results, in order."""
    return re.findall(r"^\d+\. (.*)$", message.body, flags=re.MULTILINE)


async def seed_library(bot: BotHarness) -> None:
    bot.seed(
        ALICE,
        [
            quote(QUIET_RIVER),
            quote(RIVER_WAS_QUIET),
            quote(STONE, tags=["stone"]),
            quote(RIVER_OF_TIME, book="Meditations", author="Marcus Aurelius"),
            quote(BE_ONE, book="Meditations", author="Marcus Aurelius", tags=["virtue"]),
        ],
    )


async def test_results_list_snippets_with_books(bot: BotHarness) -> None:
    await seed_library(bot)

    found = await bot.send(ALICE, "/search stone")

    assert found.parse_mode == "HTML"
    assert found.text == (
        "🔎 1 result for stone (1–1)\n\n"
        f"1. {STONE}\n    — Siddhartha\n\n"
        "Tap a number to open a highlight."
    )
    assert button_texts(found) == ["1"]


async def test_query_syntax_through_the_bot(bot: BotHarness) -> None:
    await seed_library(bot)

    assert results(await bot.send(ALICE, '/search "quiet river"')) == [QUIET_RIVER]
    assert set(results(await bot.send(ALICE, "/search river -quiet"))) == {STONE, RIVER_OF_TIME}
    assert results(await bot.send(ALICE, "/search tag:stone")) == [STONE]
    assert results(await bot.send(ALICE, "/search #virtue")) == [BE_ONE]
    assert results(await bot.send(ALICE, "/search river book:meditations")) == [RIVER_OF_TIME]
    assert set(results(await bot.send(ALICE, "/search book:aurelius"))) == {
        RIVER_OF_TIME,
        BE_ONE,
    }


async def test_no_results_and_no_words(bot: BotHarness) -> None:
    await seed_library(bot)

    nothing = await bot.send(ALICE, "/search unicorn")
    assert nothing.text == f"🔎 Nothing found for unicorn.\n\n{TIPS}"
    assert nothing.buttons == []

    usage = await bot.send(ALICE, "/search")
    assert usage.text == f"Usage: /search words\n\n{TIPS}"
    assert usage.buttons == []


async def test_paging_edits_the_results_message(bot: BotHarness) -> None:
    pebbles = [f"Pebble {n} rests in the stream." for n in range(1, 13)]
    bot.seed(ALICE, [quote(text, location=n) for n, text in enumerate(pebbles, start=1)])

    first = await bot.send(ALICE, "/search pebble")
    assert first.body.startswith("🔎 12 results for pebble (1–5)\n\n1. ")
    assert button_texts(first) == ["1", "2", "3", "4", "5", "Next ▶️"]
    page_one = results(first)

    await bot.press(ALICE, first.message_id, data_of(first, "Next"))
    second = await bot.next(ALICE)
    assert (second.message_id, second.edited) == (first.message_id, True)
    assert second.body.startswith("🔎 12 results for pebble (6–10)\n\n6. ")
    assert button_texts(second) == ["6", "7", "8", "9", "10", "◀️ Previous", "Next ▶️"]
    page_two = results(second)

    await bot.press(ALICE, first.message_id, data_of(second, "Next"))
    third = await bot.next(ALICE)
    assert third.body.startswith("🔎 12 results for pebble (11–12)\n\n11. ")
    assert button_texts(third) == ["11", "12", "◀️ Previous"]
    page_three = results(third)

    assert sorted(page_one + page_two + page_three) == sorted(pebbles)

    await bot.press(ALICE, first.message_id, data_of(third, "◀️"))
    back = await bot.next(ALICE)
    assert results(back) == page_two
    assert len(bot.tg.sent(ALICE)) == 1  # one results message, edited in place


async def test_opening_a_result_sends_the_highlight_as_its_own_message(bot: BotHarness) -> None:
    await seed_library(bot)
    found = await bot.send(ALICE, "/search arguing")
    assert results(found) == [BE_ONE]

    answer = await bot.press(ALICE, found.message_id, found.callback_data[0])

    assert answer.text is None
    opened = await bot.next(ALICE)
    assert not opened.edited
    assert quoted_text(opened) == BE_ONE
    assert opened.body == f"{BE_ONE}\n— Meditations, Marcus Aurelius\n#virtue"
    assert button_texts(opened) == ["☆ Favorite", "🔀 Another", "🙈 Discard", "🏷 Tags", "🖼 Card"]
    assert await bot.shown_in(opened) == bot.find(ALICE, BE_ONE).id


async def test_a_search_of_only_common_words_says_so_where_they_are_not_indexed(
    bot: BotHarness, engine: Engine
) -> None:
    await seed_library(bot)

    found = await bot.send(ALICE, '/search "with a"')
    tagged = await bot.send(ALICE, "/search the #stone")

    if engine.dialect.name == "postgresql":
        # PostgreSQL's text search drops stop words: there is nothing left to look for.
        assert found.text == (
            '🔎 "with a" has only words too common to search for, like the or with. '
            f"Add a rarer word from the passage.\n\n{TIPS}"
        )
        assert button_texts(found) == []
    else:
        # FTS5 indexes every word: the phrase is looked for, and no highlight has it.
        assert found.text == f'🔎 Nothing found for "with a".\n\n{TIPS}'
    # With a filter, the filter still finds its highlights.
    assert results(tagged) == [STONE]
