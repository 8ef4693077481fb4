"""What the reader can get out of the library: /export, /stats, /tags, /books."""

from __future__ import annotations

import csv
import io

from bot.library.stats import library_stats
from tests.telegram.exports import exported
from tests.telegram.harness import ALICE, BotHarness, button_texts, quote

WISDOM = "Wisdom cannot be imparted."
RIVER = "The river is everywhere at the same time."
BE_ONE = "Waste no more time arguing what a good man should be. Be one."
EMPTY = (
    "📭 Your library is empty. Send me a highlights export from Kindle, Readwise, KOReader, "
    "Bookcision, Kobo, Apple Books or Google Play Books (/import lists the files), or load the "
    "sample library with /start."
)


def seed_library(bot: BotHarness) -> None:
    bot.seed(
        ALICE,
        [
            quote(
                WISDOM,
                location=1375,
                chapter="The Ferryman",
                tags=["wisdom"],
                notes=["Compare Plato"],
                favorite=True,
            ),
            quote(RIVER, location=1400, tags=["time", "river"]),
            quote(BE_ONE, book="Meditations", author="Marcus Aurelius", tags=["virtue", "time"]),
        ],
    )


async def test_export_offers_csv_markdown_anki_and_obsidian(bot: BotHarness) -> None:
    seed_library(bot)

    menu = await bot.send(ALICE, "/export")

    assert menu.text == "📤 Export your library: choose a format."
    assert button_texts(menu) == ["📄 CSV (Readwise)", "📝 Markdown", "🗂 Anki", "🟣 Obsidian"]
    assert menu.callback_data == ["export:0", "export:1", "export:2", "export:3"]


async def test_export_sends_the_library_as_csv_and_markdown(bot: BotHarness) -> None:
    seed_library(bot)

    csv_message = await exported(bot, ALICE, "📄 CSV")
    markdown_message = await exported(bot, ALICE, "📝 Markdown")

    assert csv_message.document is not None and markdown_message.document is not None
    assert csv_message.document.file_name == "commonplace.csv"
    assert csv_message.caption == (
        "Your library in Readwise's CSV layout (importable here and in Readwise)."
    )
    rows = list(csv.reader(io.StringIO(csv_message.document.content.decode())))
    assert rows == [
        [
            "Highlight",
            "Book Title",
            "Book Author",
            "Amazon Book ID",
            "Note",
            "Color",
            "Tags",
            "Location Type",
            "Location",
            "Highlighted at",
            "Document tags",
        ],
        ["The Ferryman", "Siddhartha", "Hermann Hesse", "", ".h1", "", "", "", "", "", ""],
        [WISDOM, "Siddhartha", "Hermann Hesse", "", "Compare Plato", "", "wisdom, favorite"]
        + ["location", "1375", "", ""],
        # RIVER has no chapter: an empty heading row closes The Ferryman before it.
        ["", "Siddhartha", "Hermann Hesse", "", ".h1", "", "", "", "", "", ""],
        [RIVER, "Siddhartha", "Hermann Hesse", "", "", "", "river, time", "location", "1400"]
        + ["", ""],
        [BE_ONE, "Meditations", "Marcus Aurelius", "", "", "", "time, virtue", "", "", "", ""],
    ]

    assert markdown_message.document.file_name == "commonplace.md"
    assert markdown_message.caption == "Your library as Markdown, book by book."
    assert markdown_message.document.content.decode() == (
        "# Commonplace library\n\n"
        "## Siddhartha\n\n*Hermann Hesse*\n\n### The Ferryman\n\n"
        f"> {WISDOM}\n\nLocation 1375 · 🏷 wisdom · ⭐ favorite\n\n- **Note:** Compare Plato\n\n"
        f"> {RIVER}\n\nLocation 1400 · 🏷 river, time\n\n"
        "## Meditations\n\n*Marcus Aurelius*\n\n"
        f"> {BE_ONE}\n\n🏷 time, virtue\n"
    )


async def test_the_csv_export_imports_back_without_duplicates(bot: BotHarness) -> None:
    seed_library(bot)
    csv_file = await exported(bot, ALICE, "📄 CSV")
    assert csv_file.document is not None

    bot.tg.user_sends_document(ALICE, "commonplace.csv", csv_file.document.content)
    await bot.next(ALICE)
    report = await bot.next(ALICE)

    assert report.body.startswith("✅ Imported commonplace.csv: 0 new, 3 already there,")
    await bot.settle()
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 3


async def test_stats_sends_the_numbers_then_a_chart(bot: BotHarness) -> None:
    seed_library(bot)

    numbers = await bot.send(ALICE, "/stats")
    chart = await bot.next(ALICE)

    assert chart.photo is not None
    assert chart.photo.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert numbers.text == (
        "📊 Your library\n\n"
        "3 highlights in 2 books\n"
        "1 note · 4 tags · 1 favorite · 0 discarded\n\n"
        "Top books\n2 · Siddhartha\n1 · Meditations\n\n"
        "Top tags\n2 · #time\n1 · #river\n1 · #virtue\n1 · #wisdom\n\n"
        "Daily review\n0 reviews done · 🔥 streak 0 (longest 0)"
    )


async def test_tags_and_books_list_their_counts(bot: BotHarness) -> None:
    seed_library(bot)

    tags = await bot.send(ALICE, "/tags")
    assert tags.text == "🏷 Your tags (4)\n\n#time · 2\n#river · 1\n#virtue · 1\n#wisdom · 1"

    books = await bot.send(ALICE, "/books")
    assert books.text == (
        "📚 Your books (2)\n\n1. Siddhartha — Hermann Hesse · 2\n"
        "2. Meditations — Marcus Aurelius · 1\n\n"
        "Tap a number to choose how often that book comes."
    )


async def test_an_empty_library_says_so_everywhere(bot: BotHarness) -> None:
    assert (await bot.send(ALICE, "/books")).text == EMPTY
    assert (await bot.send(ALICE, "/export")).text == EMPTY
    assert (await bot.send(ALICE, "/tags")).text == (
        "🏷 No tags yet. Reply to a highlight with #word to tag it, or import a file that has tags."
    )
    stats = await bot.send(ALICE, "/stats")
    await bot.settle()
    assert stats.text == EMPTY
    assert bot.tg.requests_for("sendPhoto") == []
