"""Replies, reply commands and reactions on highlight messages; and on anything else."""

from __future__ import annotations

from bot.fake_telegram import Message
from tests.telegram.harness import ALICE, BotHarness, quote

WISDOM = "Wisdom cannot be imparted."


async def shown_highlight(bot: BotHarness) -> tuple[int, Message]:
    """A one-highlight library and the /random message that shows it."""
    [wisdom] = bot.seed(ALICE, [quote(WISDOM)])
    message = await bot.send(ALICE, "/random")
    assert await bot.shown_in(message) == wisdom
    return wisdom, message


async def test_a_reply_adds_tags_and_a_note_and_editing_it_edits_the_note(
    bot: BotHarness,
) -> None:
    wisdom, shown = await shown_highlight(bot)

    reply = bot.tg.user_sends(ALICE, "#idea .work my note", reply_to=shown.message_id)
    confirmation = await bot.next(ALICE)
    assert confirmation.text == "🏷 Tagged #idea #work · 📝 Note saved"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["idea", "work"], ["my note"])

    bot.tg.user_edits(ALICE, reply.message_id, "#idea .work my better note")
    assert (await bot.next(ALICE)).text == "📝 Note updated"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["idea", "work"], ["my better note"])

    removal = await bot.send(ALICE, "-#idea", reply_to=shown.message_id)
    assert removal.text == "✖ Removed #idea"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["work"], ["my better note"])


async def test_replying_to_a_highlight_opened_from_search(bot: BotHarness) -> None:
    [wisdom] = bot.seed(ALICE, [quote(WISDOM)])
    found = await bot.send(ALICE, "/search imparted")
    await bot.press(ALICE, found.message_id, f"open:{wisdom}")
    opened = await bot.next(ALICE)
    assert await bot.shown_in(opened) == wisdom

    confirmation = await bot.send(
        ALICE, "#Idea Plato said much the same", reply_to=opened.message_id
    )

    assert confirmation.text == "🏷 Tagged #idea · 📝 Note saved"
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes) == (["idea"], ["Plato said much the same"])


async def test_a_heart_alone_marks_a_favorite_and_other_non_words_change_nothing(
    bot: BotHarness,
) -> None:
    wisdom, shown = await shown_highlight(bot)

    mark = bot.mark()
    bot.tg.user_sends_sticker(ALICE, emoji="❤", reply_to=shown.message_id)
    bot.tg.user_sends(ALICE, "👀", reply_to=shown.message_id)
    bot.tg.user_sends(ALICE, "!!", reply_to=shown.message_id)
    await bot.assert_silent(mark)
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes, view.favorite) == ([], [], False)

    confirmation = await bot.send(ALICE, "❤", reply_to=shown.message_id)
    assert confirmation.text == "⭐ Marked as a favorite."
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes, view.favorite) == ([], [], True)


async def test_replies_to_anything_but_a_highlight_change_nothing(bot: BotHarness) -> None:
    wisdom, _ = await shown_highlight(bot)
    help_message = await bot.send(ALICE, "/help")
    own = bot.tg.user_sends(ALICE, "just thinking aloud")
    await bot.settle()

    # A reply to one of the bot's other messages is told what replies do.
    for text in ("#idea a note", "❤"):
        explained = await bot.send(ALICE, text, reply_to=help_message.message_id)
        assert explained.text is not None
        assert explained.text.startswith("↩️ Replies work on my highlight messages")
        assert "#tags" in explained.text
    # A reply to the reader's own message is neither an annotation nor a search.
    mark = bot.mark()
    bot.tg.user_sends(ALICE, "#idea a note", reply_to=own.message_id)
    await bot.assert_silent(mark)

    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes, view.favorite) == ([], [], False)


async def test_reply_commands(bot: BotHarness) -> None:
    wisdom, shown = await shown_highlight(bot)
    on = shown.message_id

    assert (await bot.send(ALICE, "/tag idea Work", reply_to=on)).text == "🏷 Tagged #idea #work"
    assert (await bot.send(ALICE, "/untag idea", reply_to=on)).text == "✖ Removed #idea"
    assert (await bot.send(ALICE, "/note think   again", reply_to=on)).text == "📝 Note saved"
    assert (await bot.send(ALICE, "/fav", reply_to=on)).text == "⭐ Marked as a favorite."
    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes, view.favorite, view.discarded) == (
        ["work"],
        ["think   again"],
        True,
        False,
    )

    assert (await bot.send(ALICE, "/fav", reply_to=on)).text == "☆ No longer a favorite."
    discarded = await bot.send(ALICE, "/discard", reply_to=on)
    assert (
        discarded.text == "🙈 Discarded: I won't send it again. Tap ↩️ Undo on it to take it back."
    )
    view = await bot.view(ALICE, wisdom)
    assert (view.favorite, view.discarded) == (False, True)


async def test_reply_commands_without_a_reply_explain_themselves(bot: BotHarness) -> None:
    wisdom, _ = await shown_highlight(bot)

    explained = {
        "/tag idea": "↩️ Reply to one of my highlight messages with /tag name… to use it.",
        "/untag idea": "↩️ Reply to one of my highlight messages with /untag name… to use it.",
        "/note a thought": "↩️ Reply to one of my highlight messages with /note text to use it.",
        "/fav": "↩️ Reply to one of my highlight messages with /fav to use it.",
        "/discard": "↩️ Reply to one of my highlight messages with /discard to use it.",
        "/tag": "ℹ️ Reply to a highlight with /tag name…",
        "/untag": "ℹ️ Reply to a highlight with /untag name…",
        "/note": "ℹ️ Reply to a highlight with /note text",
    }
    for command, text in explained.items():
        assert (await bot.send(ALICE, command)).text == text, command

    view = await bot.view(ALICE, wisdom)
    assert (view.tags, view.notes, view.favorite, view.discarded) == ([], [], False, False)


async def test_heart_thumbs_up_and_fire_reactions_mark_a_favorite(bot: BotHarness) -> None:
    ids = bot.seed(ALICE, [quote(f"Highlight number {n}.") for n in range(4)])
    shown = {}
    for highlight_id in ids:
        found = await bot.send(ALICE, "/search number")
        await bot.settle()
        await bot.press(ALICE, found.message_id, f"open:{highlight_id}")
        shown[highlight_id] = (await bot.next(ALICE)).message_id
    await bot.settle()

    mark = bot.mark()
    for highlight_id, emoji in zip(ids, ["❤", "👍", "🔥", "😢"], strict=True):
        bot.tg.user_reacts(ALICE, shown[highlight_id], emoji)
    await bot.assert_silent(mark)

    favorites = [(await bot.view(ALICE, i)).favorite for i in ids]
    assert favorites == [True, True, True, False]


async def test_reactions_on_other_messages_change_nothing(bot: BotHarness) -> None:
    wisdom, _ = await shown_highlight(bot)
    help_message = await bot.send(ALICE, "/help")
    own = bot.tg.user_sends(ALICE, "hello")
    await bot.settle()

    bot.tg.user_reacts(ALICE, help_message.message_id, "❤")
    bot.tg.user_reacts(ALICE, own.message_id, "🔥")
    await bot.settle()

    assert not (await bot.view(ALICE, wisdom)).favorite
