"""First contact: the command menu, /start and the sample library, /help, unknown commands."""

from __future__ import annotations

from bot.library.browsing import book_counts
from bot.library.stats import library_stats
from bot.telegram import commands
from tests.telegram.harness import ALICE, BotHarness, button_texts, quote, sqlite_only

MENU = commands.NAMES  # the table the wiring, the menu, /help and the metrics derive from


@sqlite_only
async def test_the_command_menu_is_registered_and_every_entry_answers(bot: BotHarness) -> None:
    assert set(bot.tg.commands) == MENU
    assert all(description for description in bot.tg.commands.values())
    for command in sorted(MENU):
        reply = await bot.send(ALICE, f"/{command}")
        assert "I don't know" not in reply.body, command
        await bot.settle()  # /stats and /export may send more than one message


async def test_start_offers_the_sample_library_only_while_the_library_is_empty(
    bot: BotHarness,
) -> None:
    welcome = await bot.send(ALICE, "/start")
    assert welcome.text is not None
    assert welcome.text.startswith("👋 Hello, User1001! I'm Commonplace.")
    assert "Your library is empty." in welcome.text
    assert welcome.callback_data == ["sample"]
    assert button_texts(welcome) == ["📚 Load the sample library"]

    answer = await bot.press(ALICE, welcome.message_id, "sample")
    assert answer.text == "Loading the sample library…"
    unbuttoned = await bot.next(ALICE)
    assert (unbuttoned.message_id, unbuttoned.edited) == (welcome.message_id, True)
    assert unbuttoned.buttons == []
    report = await bot.next(ALICE)
    assert not report.edited

    books = bot.db(lambda s: book_counts(s, chat_id=ALICE))
    assert [(title, author) for title, author, _ in books] == [("The DevOps Handbook", "")]
    stored = books[0][2]
    notes = bot.db(lambda s: library_stats(s, chat_id=ALICE)).notes
    assert stored > 0 and notes > 0
    assert report.text is not None
    assert report.text.startswith(
        f"✅ Imported the-devops-handbook.txt: {stored} new, 0 already there, 0 updated, "
        f"{notes} notes,"
    )
    assert f"📘 The DevOps Handbook: {stored} new, {notes} notes" in report.text
    assert report.text.endswith("Try /random or /search.")
    assert report.parse_mode == "HTML"

    again = await bot.send(ALICE, "/start")
    assert again.text is not None
    assert "Your library is empty." not in again.text
    assert again.text.endswith("Try /random, or /help to see everything I can do.")
    assert again.buttons == []


@sqlite_only
async def test_help_lists_the_commands(bot: BotHarness) -> None:
    help_text = (await bot.send(ALICE, "/help")).body
    for command in MENU - {"help"}:
        assert f"/{command}" in help_text, command
    for reply_command in ("/tag", "/untag", "/note", "/fav", "/discard"):
        assert reply_command in help_text


@sqlite_only
async def test_an_unknown_command_gets_help(bot: BotHarness) -> None:
    reply = await bot.send(ALICE, "/frobnicate now")
    assert reply.body.startswith("🤔 I don't know /frobnicate.\n\n📖 Commonplace brings")
    assert "/random — one highlight now" in reply.body

    addressed = await bot.send(ALICE, "/frobnicate@fake_bot")
    assert addressed.body.startswith("🤔 I don't know /frobnicate.")


async def test_a_double_tap_on_the_sample_button_loads_it_once(bot: BotHarness) -> None:
    welcome = await bot.send(ALICE, "/start")

    taps = [bot.tg.user_presses(ALICE, welcome.message_id, "sample") for _ in range(2)]

    for tap in taps:
        assert (await bot.answer_to(tap)).text == "Loading the sample library…"
    await bot.settle()
    [report] = [m for m in bot.tg.sent(ALICE) if m.message_id != welcome.message_id]
    assert report.body.startswith("✅ Imported the-devops-handbook.txt: ")
    [(_, _, stored)] = bot.db(lambda s: book_counts(s, chat_id=ALICE))
    assert f": {stored} new, 0 already there," in report.body


async def test_a_library_with_everything_discarded_is_not_offered_the_sample(
    bot: BotHarness,
) -> None:
    [only] = bot.seed(ALICE, [quote("Discarded, but still mine.")])
    shown = await bot.send(ALICE, "/random")
    await bot.press(ALICE, shown.message_id, f"discard:{only}")
    await bot.next(ALICE)

    welcome = await bot.send(ALICE, "/start")

    assert "Your library is empty." not in welcome.body
    assert welcome.buttons == []
