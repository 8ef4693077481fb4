"""A reader's note on a chapter (the text of a Readwise heading row), shown with its chapter."""

from __future__ import annotations

from tests.telegram.harness import ALICE, BotHarness

SUMMARY = "Life is short and fleeting."
READWISE = (
    "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,"
    "Highlighted at,Document tags\n"
    f'Book Two,Meditations,Marcus Aurelius,,".h2\n\n{SUMMARY}",,,location,400,,\n'
)


async def test_a_chapter_note_is_imported_and_shown_with_its_chapter(bot: BotHarness) -> None:
    bot.tg.user_sends_document(ALICE, "readwise.csv", READWISE.encode())
    await bot.next(ALICE)  # ⏳ Importing…
    report = await bot.next(ALICE)
    assert report.body.startswith("✅ Imported readwise.csv: 1 new,")

    shown = await bot.send(ALICE, "/random")

    assert shown.text == f"📑 {SUMMARY}\n— Meditations, Marcus Aurelius\nBook Two · Location 400"
