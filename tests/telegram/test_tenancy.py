"""Every chat is its own library; chats outside ALLOWED_CHAT_IDS are turned away."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from bot.db import SessionFactory
from bot.library.browsing import tag_choices
from bot.library.stats import library_stats
from bot.models import Chat
from tests.telegram.harness import ALICE, BOB, BotHarness, data_of, quote, running_bot

UNKNOWN = "🤷 I can't find that highlight in your library."
NOT_ALLOWED = "🔒 This is a private Commonplace bot. You can run your own."


async def test_a_chat_cannot_see_or_touch_another_chats_library(bot: BotHarness) -> None:
    alice_ids = bot.seed(
        ALICE,
        [quote(f"Alice's secret river, part {n}.", tags=["private"]) for n in range(6)],
    )
    [bob_id] = bot.seed(BOB, [quote("Bob's own river.", tags=["mine"])])
    secret = alice_ids[0]
    [(alice_tag, _)] = bot.db(lambda s: tag_choices(s, chat_id=ALICE, highlight_id=secret)).on_it
    [(bob_tag, _)] = bot.db(lambda s: tag_choices(s, chat_id=BOB, highlight_id=bob_id)).on_it

    alice_results = await bot.send(ALICE, "/search secret river")
    assert alice_results.body.startswith("🔎 6 results")
    alice_shown = await bot.send(ALICE, "/random")
    await bot.settle()

    # Searching and listing in Bob's chat shows Bob's library only.
    bob_results = await bot.send(BOB, "/search river")
    assert bob_results.body.startswith("🔎 1 result for river (1–1)\n\n1. Bob's own river.")
    assert (await bot.send(BOB, "/search secret")).body.startswith("🔎 Nothing found")
    assert (await bot.send(BOB, "/search tag:private")).body.startswith("🔎 Nothing found")
    assert (await bot.send(BOB, "/tags")).text == "🏷 Your tags (1)\n\n#mine · 1"
    assert (await bot.send(BOB, "/random")).body.startswith("Bob's own river.\n")

    # Buttons carrying Alice's ids, pressed in Bob's chat, are refused.
    forged = {
        f"fav:{secret}": UNKNOWN,
        f"discard:{secret}": UNKNOWN,
        f"undo:{secret}": UNKNOWN,
        f"tags:{secret}": UNKNOWN,
        f"open:{secret}": UNKNOWN,
        f"at:{secret}:{bob_tag}": UNKNOWN,
        f"rt:{secret}:{alice_tag}": UNKNOWN,
        f"at:{bob_id}:{alice_tag}": UNKNOWN,
        data_of(alice_results, "Next"): "That search has expired; run /search again.",
        "fav:not-a-number": UNKNOWN,
        "mystery": "That button has expired.",
    }
    for data, text in forged.items():
        mark = bot.mark()
        answer = await bot.user_presses_forged(BOB, data)
        assert (answer.text, answer.show_alert) == (text, True), data
        await bot.settle()
        assert bot.calls_since(mark) == ["sendMessage", "answerCallbackQuery"], data

    # Replies and reactions in Bob's chat to a message id that shows a highlight in Alice's.
    while len(bot.tg.messages(BOB)) < alice_shown.message_id:
        await bot.send(BOB, "/help")
    same_id = bot.tg.messages(BOB)[alice_shown.message_id - 1]
    assert same_id.message_id == alice_shown.message_id and same_id.from_bot
    mark = bot.mark()
    bot.tg.user_sends(BOB, "#stolen a note of mine", reply_to=same_id.message_id)
    bot.tg.user_sends(BOB, "/fav", reply_to=same_id.message_id)
    bot.tg.user_reacts(BOB, same_id.message_id, "❤")
    await bot.settle()
    # The reply is told what replies do, /fav to reply to a highlight: nothing else happens.
    assert bot.calls_since(mark) == ["sendMessage", "sendMessage"]

    for highlight_id in alice_ids:
        view = await bot.view(ALICE, highlight_id)
        assert (view.tags, view.notes, view.favorite, view.discarded) == (
            ["private"],
            [],
            False,
            False,
        )
    bob_view = await bot.view(BOB, bob_id)
    assert (bob_view.tags, bob_view.notes, bob_view.favorite) == (["mine"], [], False)


async def test_a_group_keeps_its_own_library(bot: BotHarness) -> None:
    group = -1001234
    bot.seed(ALICE, [quote("Only Alice has this one.")])
    bot.tg.user_sends(group, "/random@fake_bot", chat_type="supergroup")
    empty = await bot.next(group)
    assert empty.body.startswith("📭 Your library is empty.")

    bot.seed(group, [quote("The group's shared highlight.")])
    bot.tg.user_sends(group, "/random@fake_bot", user_id=ALICE)
    shown = await bot.next(group)
    assert shown.body.startswith("The group's shared highlight.\n")
    assert await bot.shown_in(shown) == bot.find(group, "The group's shared highlight.").id


@pytest.fixture
async def gated(engine: Engine, sessions: SessionFactory) -> AsyncIterator[BotHarness]:
    async with running_bot(engine, sessions, allowed_chat_ids=frozenset({ALICE})) as harness:
        yield harness


async def test_the_refusal_links_to_run_your_own_url_when_it_is_set(
    engine: Engine, sessions: SessionFactory
) -> None:
    link = "https://example.org/how-to-run-commonplace"
    async with running_bot(
        engine, sessions, allowed_chat_ids=frozenset({ALICE}), run_your_own_url=link
    ) as bot:
        refusal = await bot.send(BOB, "/start")
        answer = await bot.user_presses_forged(BOB, "sample")

    expected = f"🔒 This is a private Commonplace bot. You can run your own: {link}"
    assert refusal.text == expected
    assert answer.text == expected


async def test_chats_outside_the_allowlist_are_refused_and_nothing_is_stored(
    gated: BotHarness,
) -> None:
    bot = gated
    assert (await bot.send(BOB, "/start")).text == NOT_ALLOWED
    assert (await bot.send(BOB, "/random")).text == NOT_ALLOWED
    assert (await bot.send(BOB, "/time 07:30")).text == NOT_ALLOWED
    bot.tg.user_sends_document(BOB, "My Clippings.txt", b"anything")
    assert (await bot.next(BOB)).text == NOT_ALLOWED
    answer = await bot.user_presses_forged(BOB, "sample")
    assert (answer.text, answer.show_alert) == (NOT_ALLOWED, True)
    mark = bot.mark()
    bot.tg.user_reacts(BOB, 2, "❤")
    await bot.assert_silent(mark)

    assert bot.tg.requests_for("getFile") == []
    assert bot.db(lambda s: s.get(Chat, BOB)) is None
    assert bot.db(lambda s: library_stats(s, chat_id=BOB)).highlights == 0

    welcome = await bot.send(ALICE, "/start")
    assert welcome.body.startswith("👋 Hello, User1001! I'm Commonplace.")
    assert bot.db(lambda s: s.get(Chat, ALICE)) is not None
