"""Results that show why they matched, and a plain message as a search (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from bot.fake_telegram import Message
from bot.library.snippets import MATCH_END, MATCH_START, split_marked
from tests.telegram.harness import ALICE, BOB, BotHarness, entity_texts, quote

OPENING = " ".join(f"Filler{n} words pad the opening of this passage." for n in range(12))
LONG = f"{OPENING} Then the lighthouse keeper lit the lamp. " + " ".join(
    f"Closing{n} sentence trails along after it." for n in range(12)
)


def result_lines(message: Message) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", message.body, flags=re.MULTILINE)


async def test_snippet_is_around_the_first_match_with_the_words_in_bold(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote(LONG)])

    found = await bot.send(ALICE, "/search lighthouse")

    [line] = result_lines(found)
    assert "lighthouse keeper" in line
    assert line.startswith("…") and line.endswith("…")
    assert len(line) < len(LONG) // 2
    assert "Filler0" not in line
    assert entity_texts(found, "bold")[1:] == ["1.", "lighthouse"]


async def test_every_matched_word_is_bold_and_stems_match(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Rivers run; the river runs on.")])

    found = await bot.send(ALICE, "/search river")

    assert result_lines(found) == ["Rivers run; the river runs on."]
    assert entity_texts(found, "bold")[2:] == ["Rivers", "river"]


async def test_snippet_text_is_escaped_but_the_bold_is_markup(bot: BotHarness) -> None:
    text = "Use <b>tags</b> & the lantern > candle, said <i>Ann</i>."
    bot.seed(ALICE, [quote(text)])

    found = await bot.send(ALICE, "/search lantern")

    assert result_lines(found) == [text]
    assert entity_texts(found, "bold")[2:] == ["lantern"]
    assert found.sent_text is not None
    assert "&lt;b&gt;tags&lt;/b&gt; &amp; the <b>lantern</b> &gt; candle" in found.sent_text


async def test_a_match_only_in_a_note_shows_the_start_of_the_text(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("A plain sentence about rain.", notes=["remember the umbrella"])])

    found = await bot.send(ALICE, "/search umbrella")

    assert result_lines(found) == ["A plain sentence about rain."]
    assert entity_texts(found, "bold")[2:] == []


async def test_tag_only_search_shows_the_start_as_before(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Tagged and quiet.", tags=["calm"])])

    found = await bot.send(ALICE, "/search tag:calm")

    assert result_lines(found) == ["Tagged and quiet."]


async def test_a_plain_message_is_a_search(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("The lighthouse stands."), quote("A harbour at dusk.")])

    as_text = await bot.send(ALICE, "lighthouse")
    as_command = await bot.send(ALICE, "/search lighthouse")

    assert as_text.body == as_command.body
    assert result_lines(as_text) == ["The lighthouse stands."]
    assert [b["text"] for b in as_text.buttons] == ["1"]


async def test_a_plain_message_that_finds_nothing_says_so(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("The lighthouse stands.")])

    found = await bot.send(ALICE, "hello there")

    assert found.body.startswith("🔎 Nothing found for hello there.")


async def test_a_message_in_a_group_is_not_a_search(bot: BotHarness) -> None:
    group = -5001
    bot.seed(group, [quote("The lighthouse stands.")])
    mark = bot.mark()

    bot.tg.user_sends(group, "lighthouse", user_id=ALICE)

    await bot.assert_silent(mark)


async def test_another_chats_highlights_never_appear_in_results_or_snippets(
    bot: BotHarness,
) -> None:
    bot.seed(ALICE, [quote("Alice keeps a lighthouse journal.")])
    bot.seed(BOB, [quote("Bob's secret lighthouse diary."), quote("Bob alone: lighthouse.")])

    found = await bot.send(ALICE, "lighthouse")

    assert result_lines(found) == ["Alice keeps a lighthouse journal."]
    assert "Bob" not in found.body


def test_split_marked_reads_runs_and_drops_stray_marks() -> None:
    marked = f"a {MATCH_START}b{MATCH_END} c{MATCH_END} d {MATCH_START}e"
    assert split_marked(marked) == [("a ", False), ("b", True), (" c", False), (" d ", False)] + [
        ("e", True)
    ]


async def test_a_message_without_words_is_not_a_search(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("The lighthouse stands.")])
    mark = bot.mark()

    bot.tg.user_sends(ALICE, "👋 !!")

    await bot.assert_silent(mark)


async def test_a_reply_to_a_bot_message_that_is_no_highlight_explains_replies(
    bot: BotHarness,
) -> None:
    bot.seed(ALICE, [quote("The lighthouse stands.")])
    results = await bot.send(ALICE, "lighthouse")

    explained = await bot.send(ALICE, "lighthouse", reply_to=results.message_id)

    assert explained.text is not None
    assert explained.text.startswith("↩️ Replies work on my highlight messages")
    assert explained.text.endswith("To search, send your words as a message of their own.")
