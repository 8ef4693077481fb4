"""Sending a KOReader, Bookcision or Readwise Markdown file to the bot, as a reader does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.library.stats import library_stats
from tests.telegram.harness import ALICE, BotHarness

FIXTURES = Path(__file__).parent.parent / "fixtures"


def results(body: str) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", body, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("path", "name", "report", "query", "hit"),
    [
        (
            "koreader/book.json",
            "Meditations.json",
            "3 new, 0 already there, 0 updated, 1 note, 1 skipped.\n\n"
            "📘 Meditations — Marcus Aurelius; Gregory Hays: 3 new, 1 note, 1 skipped\n\n"
            "Skipped: entry with no text ×1",
            "impediment",
            "The impediment to action advances action. What stands in the way becomes the way.",
        ),
        (
            "koreader/export.md",
            "Meditations.md",
            "4 new, 0 already there, 0 updated, 2 notes, 0 skipped.\n\n"
            "📘 Meditations — Marcus Aurelius, Gregory Hays: 4 new, 2 notes",
            "Heraclitus",
            "Loss is nothing else but change, and change is Nature's delight.",
        ),
        (
            "koreader/sidecar_old.lua",
            "metadata.epub.lua",
            "2 new, 0 already there, 0 updated, 1 note, 1 skipped.\n\n"
            "📘 1984 — George Orwell: 2 new, 1 note, 1 skipped\n\nSkipped: bookmark ×1",
            "Oceania",
            "Oceania",
        ),
        (
            "bookcision/book.json",
            "B000FC1PJI.json",
            "3 new, 0 already there, 0 updated, 1 note, 1 skipped.\n\n"
            "📘 Meditations — Marcus Aurelius: 3 new, 1 note, 1 skipped\n\n"
            "Skipped: highlight with no text ×1",
            "power",
            "You have power over your mind - not outside events.",
        ),
        (
            "readwise_markdown/book.md",
            "Meditations.md",
            "4 new, 0 already there, 0 updated, 2 notes, 0 skipped.\n\n"
            "📘 Meditations — Marcus Aurelius: 4 new, 2 notes",
            "Heraclitus",
            "Loss is nothing else but change.",
        ),
    ],
)
async def test_a_file_is_imported_reported_and_found(
    bot: BotHarness, path: str, name: str, report: str, query: str, hit: str
) -> None:
    bot.tg.user_sends_document(ALICE, name, (FIXTURES / path).read_bytes())

    status = await bot.next(ALICE)
    assert status.text == f"⏳ Importing {name}…"
    done = await bot.next(ALICE)
    assert done.text == f"✅ Imported {name}: {report}\n\nTry /random or /search."
    found = await bot.send(ALICE, f"/search {query}")
    assert results(found.body)[:1] == [hit]

    bot.tg.user_sends_document(ALICE, name, (FIXTURES / path).read_bytes())
    await bot.next(ALICE)
    again = await bot.next(ALICE)
    assert again.body.startswith(f"✅ Imported {name}: 0 new, ")
    await bot.settle()


async def test_a_lua_file_that_is_not_a_sidecar_table_is_refused_and_changes_nothing(
    bot: BotHarness,
) -> None:
    bot.tg.user_sends_document(
        ALICE, "metadata.epub.lua", (FIXTURES / "koreader/broken.lua").read_bytes()
    )
    await bot.next(ALICE)
    refusal = await bot.next(ALICE)

    assert refusal.text == (
        "❌ I couldn't import metadata.epub.lua: This KOReader sidecar is not a Lua table "
        "KOReader writes: Unexpected 'os.execute(\"true\"),' where a value should be "
        "(line 3)\nNothing was changed."
    )
    await bot.settle()
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 0


async def test_a_cut_off_json_export_is_refused(bot: BotHarness) -> None:
    bot.tg.user_sends_document(
        ALICE, "book.json", (FIXTURES / "koreader/truncated.json").read_bytes()
    )
    await bot.next(ALICE)
    refusal = await bot.next(ALICE)

    assert refusal.text == (
        "❌ I couldn't import book.json: The KOReader export stops in the middle: it was cut "
        "off.\nNothing was changed."
    )
    await bot.settle()


async def test_start_names_the_sources_and_import_lists_every_file(bot: BotHarness) -> None:
    welcome = await bot.send(ALICE, "/start")
    assert welcome.text is not None
    assert (
        "or send me your own highlights export from Kindle, Readwise, KOReader, Bookcision, "
        "Kobo, Apple Books or Google Play Books: /import says where to find each file."
    ) in welcome.text

    listed = await bot.send(ALICE, "/import")
    assert listed.text is not None
    bullets = [line for line in listed.text.split("\n") if line.startswith("• ")]
    assert [line.split(":")[0] for line in bullets] == [
        "• Kindle My Clippings.txt",
        "• Readwise text export",
        "• Readwise CSV export",
        "• Kindle app notebook (HTML)",
        "• KOReader highlights export (JSON)",
        "• KOReader highlights export (Markdown)",
        "• KOReader book sidecar metadata.epub.lua",
        "• Bookcision JSON",
        "• Readwise Markdown export",
        "• Kobo KoboReader.sqlite",
        "• Apple Books AEAnnotation_….sqlite",
        "• Google Play Books notes (.docx, HTML or Takeout JSON)",
        "• a .zip of any of these",
    ]
    await bot.settle()
