"""/export's Anki and Obsidian buttons, end to end: the file the reader gets, and only theirs."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import yaml

from bot.fake_telegram import StoredFile
from tests.telegram.exports import exported
from tests.telegram.harness import ALICE, BOB, BotHarness, quote
from tests.telegram.test_library_views import BE_ONE, EMPTY, RIVER, WISDOM, seed_library

BOBS = "Bob's private <highlight> & thoughts."


async def alices_file(bot: BotHarness, label_start: str) -> tuple[StoredFile, str | None]:
    """Alice's library, with Bob's beside it, exported by tapping a format's button."""
    seed_library(bot)
    bot.seed(BOB, [quote(BOBS, tags=["secret"])])
    message = await exported(bot, ALICE, label_start)
    assert message.document is not None
    return message.document, message.caption


async def test_the_anki_button_sends_a_deck_anki_can_import(bot: BotHarness) -> None:
    deck, caption = await alices_file(bot, "🗂 Anki")

    assert deck.file_name == "commonplace-anki.txt"
    assert caption == (
        "Your library as an Anki deck: in Anki, File → Import this file. Importing a newer "
        "export updates the cards it made instead of adding copies."
    )
    text = deck.content.decode()
    headers = [line for line in text.splitlines() if line.startswith("#")]
    assert headers[:2] == ["#separator:tab", "#html:true"]
    assert "#guid column:1" in headers and "#tags column:4" in headers
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = list(csv.reader(io.StringIO(body), delimiter="\t"))
    wisdom = bot.find(ALICE, WISDOM)
    assert rows[0] == [
        f"commonplace-{wisdom.id}",
        WISDOM,
        "<i>Siddhartha</i> — Hermann Hesse<br>The Ferryman<br>Location 1375<br>📝 Compare Plato",
        "wisdom favorite",
    ]
    assert [row[1] for row in rows] == [WISDOM, RIVER, BE_ONE]
    assert "Bob" not in text and "secret" not in text

    again = await exported(bot, ALICE, "🗂 Anki")
    assert again.document is not None and again.document.content == deck.content


async def test_the_obsidian_button_sends_a_zip_of_one_note_per_book(bot: BotHarness) -> None:
    vault, caption = await alices_file(bot, "🟣 Obsidian")

    assert vault.file_name == "commonplace-obsidian.zip"
    assert caption is not None and caption.startswith("Your library for Obsidian")
    with zipfile.ZipFile(io.BytesIO(vault.content)) as archive:
        notes = {name: archive.read(name).decode() for name in archive.namelist()}
    assert sorted(re.sub(r"\(\d+\)", "(n)", name) for name in notes) == [
        "Commonplace/Meditations (n).md",
        "Commonplace/Siddhartha (n).md",
    ]
    siddhartha = next(text for name, text in notes.items() if "Siddhartha" in name)
    front = yaml.safe_load(siddhartha.split("---\n")[1])
    assert front == {
        "title": "Siddhartha",
        "author": "Hermann Hesse",
        "tags": ["river", "time", "wisdom"],
        "source": "Commonplace",
    }
    wisdom = bot.find(ALICE, WISDOM)
    assert f"> {WISDOM}\n\n^cp-{wisdom.id}\n\n" in siddhartha
    assert "- Compare Plato\n" in siddhartha
    assert "Bob" not in "".join(notes.values())

    again = await exported(bot, ALICE, "🟣 Obsidian")
    assert again.document is not None and again.document.content == vault.content


async def test_a_chat_exports_only_its_own_library(bot: BotHarness) -> None:
    seed_library(bot)

    # Bob taps an export button he was never shown: he gets his (empty) library, not Alice's.
    answer = await bot.user_presses_forged(BOB, "export:2")
    assert not answer.show_alert
    assert (await bot.next(BOB)).text == EMPTY

    bot.seed(BOB, [quote(BOBS)])
    await bot.user_presses_forged(BOB, "export:0")
    mine = await bot.next(BOB)
    assert mine.document is not None
    text = mine.document.content.decode()
    assert BOBS in text and WISDOM not in text and RIVER not in text


async def test_a_forged_export_button_is_refused(bot: BotHarness) -> None:
    seed_library(bot)

    for data in ("export:9", "export:-1", "export:x", "export"):
        mark = bot.mark()
        answer = await bot.user_presses_forged(ALICE, data)
        assert (answer.text, answer.show_alert) == ("That button has expired.", True), data
        await bot.settle()
        # The forged button's own message, then the answer: no file is sent.
        assert bot.calls_since(mark) == ["sendMessage", "answerCallbackQuery"], data
