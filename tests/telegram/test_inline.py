"""Inline mode through the bot: ``@bot words`` answered from the user's own library."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.db import SessionFactory
from bot.fake_telegram import InlineAnswer
from bot.library.annotating import set_discarded
from tests.telegram.harness import ALICE, BOB, BotHarness, button_texts, quote, running_bot


@pytest.fixture
async def inline_bot(engine: Engine, sessions: SessionFactory) -> AsyncIterator[BotHarness]:
    """The bot with inline mode on, as @BotFather's /setinline turns it on."""
    async with running_bot(engine, sessions, inline_mode=True) as harness:
        yield harness


async def ask(bot: BotHarness, user: int, query: str, offset: str = "") -> InlineAnswer:
    return await bot.tg.inline_answer(bot.tg.user_inline_query(user, query, offset=offset))


def texts(answer: InlineAnswer) -> list[str]:
    """The shared message of each text result, in order."""
    return [
        r["input_message_content"]["message_text"] for r in answer.results if r["type"] == "article"
    ]


async def test_words_search_the_users_library_in_pages(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote(f"Pebble {n} rests in the stream.", location=n) for n in range(15)])
    bot.seed(ALICE, [quote("A lighthouse, far away.")])

    first = await ask(bot, ALICE, "pebble")
    second = await ask(bot, ALICE, "pebble", offset=first.next_offset)

    assert (len(first.results), first.next_offset) == (10, "10")
    assert (len(second.results), second.next_offset) == (5, "")
    shown = {result["id"] for result in first.results + second.results}
    assert len(shown) == 15
    assert first.is_personal and first.cache_time == 10
    assert first.button is None
    assert all("lighthouse" not in text for text in texts(first) + texts(second))


async def test_the_shared_message_is_the_passage_with_its_book_not_the_readers_notes(
    bot: BotHarness,
) -> None:
    bot.seed(
        ALICE,
        [quote("Tom & Jerry <3 rivers.", tags=["private"], notes=["my own thought"])],
    )

    answer = await ask(bot, ALICE, "rivers")

    [article] = answer.results
    assert article["title"] == "Tom & Jerry <3 rivers."
    assert article["description"] == "Siddhartha — Hermann Hesse"
    assert texts(answer) == [
        "<blockquote>Tom &amp; Jerry &lt;3 rivers.</blockquote>\n— <b>Siddhartha</b>, Hermann Hesse"
    ]


async def test_an_empty_query_offers_favorites_then_the_newest(bot: BotHarness) -> None:
    ids = bot.seed(
        ALICE,
        [
            quote("Old favorite.", favorite=True),
            quote("Oldest plain."),
            quote("Newer favorite.", favorite=True),
            quote("Newest plain."),
        ],
    )
    [hidden] = bot.seed(ALICE, [quote("Discarded one.")])
    bot.db(lambda s: set_discarded(s, chat_id=ALICE, highlight_id=hidden, discarded=True))

    answer = await ask(bot, ALICE, "")

    assert [r["id"] for r in answer.results] == [f"h{i}" for i in (ids[2], ids[0], ids[3], ids[1])]
    assert answer.next_offset == ""


async def test_a_card_telegram_has_is_offered_as_a_photo(bot: BotHarness) -> None:
    [highlight_id] = bot.seed(ALICE, [quote("The lighthouse keeper lit the lamp.")])
    shown = await bot.send(ALICE, "/random")
    await bot.settle()  # the message is known as the highlight's once it went out
    card = await bot.send(ALICE, "/card dark", reply_to=shown.message_id)
    await bot.settle()

    answer = await ask(bot, ALICE, "lighthouse")

    assert card.photo is not None, (card.text, card.reply_to)
    assert [(r["type"], r["id"]) for r in answer.results] == [
        ("article", f"h{highlight_id}"),
        ("photo", f"c{highlight_id}"),
    ]
    assert answer.results[1]["photo_file_id"] == card.photo.file_id


async def test_a_user_with_no_library_gets_a_start_button(bot: BotHarness) -> None:
    answer = await ask(bot, BOB, "anything")

    assert answer.results == []
    assert answer.button == {
        "text": "Start the bot to build your library",
        "start_parameter": "inline",
    }


async def test_only_the_users_own_private_library_is_searched(bot: BotHarness) -> None:
    [alice_secret] = bot.seed(ALICE, [quote("Alice's secret lighthouse.")])
    bot.seed(-5001, [quote("The group's lighthouse.")])  # a group Alice may be in
    bot.seed(BOB, [quote("Bob's lighthouse.")])

    alice = await ask(bot, ALICE, "lighthouse")
    bob = await ask(bot, BOB, "lighthouse")
    bob_empty = await ask(bot, BOB, "")
    bob_share = await ask(bot, BOB, f"share:{alice_secret}")

    assert [r["title"] for r in alice.results] == ["Alice's secret lighthouse."]
    assert [r["title"] for r in bob.results] == ["Bob's lighthouse."]
    assert "Alice" not in str(bob_empty.results) and "group" not in str(bob_empty.results)
    assert bob_share.results == []


async def test_share_button_offers_the_highlight_in_a_chat_of_the_readers_choice(
    inline_bot: BotHarness,
) -> None:
    bot = inline_bot
    [highlight_id] = bot.seed(ALICE, [quote("Be one.")])

    shown = await bot.send(ALICE, "/random")
    [share] = [b for b in shown.buttons if b["text"] == "↗ Share"]
    chosen = share["switch_inline_query_chosen_chat"]
    answer = await ask(bot, ALICE, chosen["query"])

    assert button_texts(shown)[-2:] == ["🖼 Card", "↗ Share"]
    assert chosen["allow_user_chats"] and chosen["allow_group_chats"]
    assert [r["id"] for r in answer.results] == [f"h{highlight_id}"]


async def test_outside_the_allowlist_an_inline_query_gets_nothing(
    engine: Engine, sessions: SessionFactory
) -> None:
    async with running_bot(engine, sessions, allowed_chat_ids=frozenset({ALICE})) as bot:
        bot.seed(BOB, [quote("Bob's lighthouse.")])
        bot.seed(ALICE, [quote("Alice's lighthouse.")])

        refused = await ask(bot, BOB, "lighthouse")
        allowed = await ask(bot, ALICE, "lighthouse")

    assert (refused.results, refused.button) == ([], None)
    assert len(allowed.results) == 1
