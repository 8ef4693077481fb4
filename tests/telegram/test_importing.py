"""Importing by sending a document: the report, refusals, garbage, and a big file's progress."""

from __future__ import annotations

import pytest

from bot.library.browsing import book_counts
from bot.library.stats import library_stats
from bot.telegram.handlers import library_io
from tests.telegram.harness import ALICE, BotHarness, quote

CLIPPINGS = """\ufeffThe Pragmatic Programmer (David Thomas)
- Your Highlight on page 12 | Location 180-182 | Added on Monday, March 4, 2024 9:15:02 AM

Care about your craft.
==========
The Pragmatic Programmer (David Thomas)
- Your Note on page 12 | Location 182 | Added on Monday, March 4, 2024 9:16:10 AM

Why spend your life developing software unless you care?
==========
Meditations (Marcus Aurelius)
- Your Highlight on page 3 | Location 40-41 | Added on Tuesday, March 5, 2024 7:00:00 AM

You have power over your mind - not outside events.
==========
"""


def clipping(number: int) -> str:
    """One generated Kindle clipping; fifty books share the numbers."""
    book = number % 50
    return (
        f"Book {book} (Author {book})\n"
        f"- Your Highlight on page {number} | Location {number * 10}-{number * 10 + 1} | "
        "Added on Monday, March 4, 2024 9:15:02 AM\n\n"
        f"Highlight number {number} about the topic.\n"
        "==========\n"
    )


async def test_a_clippings_file_is_imported_and_reported(bot: BotHarness) -> None:
    bot.tg.user_sends_document(ALICE, "My Clippings.txt", CLIPPINGS.replace("\n", "\r\n").encode())

    status = await bot.next(ALICE)
    assert status.text == "⏳ Importing My Clippings.txt…"
    report = await bot.next(ALICE)
    assert (report.message_id, report.edited) == (status.message_id, True)
    assert report.text == (
        "✅ Imported My Clippings.txt: 2 new, 0 already there, 0 updated, 1 note, 0 skipped.\n\n"
        "📘 The Pragmatic Programmer — David Thomas: 1 new, 1 note\n"
        "📘 Meditations — Marcus Aurelius: 1 new\n\n"
        "Try /random or /search."
    )
    await bot.settle()
    assert bot.db(lambda s: book_counts(s, chat_id=ALICE)) == [
        ("Meditations", "Marcus Aurelius", 1),
        ("The Pragmatic Programmer", "David Thomas", 1),
    ]
    assert bot.find(ALICE, "Care about your craft.").notes == [
        "Why spend your life developing software unless you care?"
    ]

    bot.tg.user_sends_document(ALICE, "My Clippings.txt", CLIPPINGS.encode())
    await bot.next(ALICE)
    again = await bot.next(ALICE)
    assert again.body.startswith("✅ Imported My Clippings.txt: 0 new, 2 already there,")
    await bot.settle()
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 2


async def test_a_missing_last_separator_is_imported_and_said(bot: BotHarness) -> None:
    unclosed = CLIPPINGS.removesuffix("==========\n")
    bot.tg.user_sends_document(ALICE, "My Clippings.txt", unclosed.encode())
    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text.startswith(
        "✅ Imported My Clippings.txt: 2 new, 0 already there, 0 updated, 1 note, 0 skipped.\n\n"
        "⚠️ The file's last separator line ('==========') is missing: the last clipping "
        "(line 11) was imported as it stands.\n\n"
        "📘 The Pragmatic Programmer"
    )
    await bot.settle()


async def test_a_file_over_the_limit_is_refused_before_downloading(bot: BotHarness) -> None:
    bot.tg.user_sends_document(
        ALICE, "My Clippings.txt", CLIPPINGS.encode(), file_size=25 * 1024 * 1024
    )

    refusal = await bot.next(ALICE)

    assert refusal.text == (
        "📦 That file is 25.0 MB; I can take files up to 20 MB (Telegram's limit for bots). "
        "Zip it and send the .zip: exports shrink a lot when zipped. Or import it with the "
        "command line: commonplace import FILE --chat ID."
    )
    await bot.settle()
    assert bot.tg.requests_for("getFile") == []
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 0


async def test_garbage_is_refused_clearly_and_changes_nothing(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Already here.")])

    bot.tg.user_sends_document(ALICE, "photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    await bot.next(ALICE)
    binary = await bot.next(ALICE)
    assert binary.text == (
        "❌ I couldn't import photo.png: This is a binary file, not a text export of "
        "highlights.\nNothing was changed."
    )

    bot.tg.user_sends_document(ALICE, "notes.txt", b"hello world")
    await bot.next(ALICE)
    unknown = await bot.next(ALICE)
    assert unknown.text is not None
    assert unknown.text.startswith(
        "❌ I couldn't import notes.txt: This file is in no format Commonplace knows."
    )
    assert unknown.text.endswith("\nNothing was changed.")

    await bot.settle()
    stats = bot.db(lambda s: library_stats(s, chat_id=ALICE))
    assert (stats.books, stats.highlights, stats.notes) == (1, 1, 0)


async def test_a_big_file_shows_progress_then_the_report(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Progress is shown at most every 1.5 s and this import may take less on a fast machine:
    # without the throttle every chunk of 2000 records reports, so the edits are certain.
    monkeypatch.setattr(library_io, "PROGRESS_EVERY_SECONDS", 0.0)
    data = "".join(clipping(n) for n in range(1, 5001)).encode()
    bot.tg.user_sends_document(ALICE, "big.txt", data)

    status = await bot.next(ALICE)
    assert status.text == "⏳ Importing big.txt…"
    seen = [status]
    while seen[-1].message_id == status.message_id and not seen[-1].body.startswith("✅"):
        seen.append(await bot.next(ALICE, timeout=30))
    assert {message.message_id for message in seen} == {status.message_id}
    assert [message.body for message in seen[1:-1]] == [
        "⏳ Importing big.txt\n░░░░░░░░░░ 0% (0/5000)",
        "⏳ Importing big.txt\n████░░░░░░ 40% (2000/5000)",
        "⏳ Importing big.txt\n████████░░ 80% (4000/5000)",
    ]
    report = seen[-1]
    assert report.body.startswith(
        "✅ Imported big.txt: 5000 new, 0 already there, 0 updated, 0 notes, 0 skipped.\n\n"
        "📘 Book 1 — Author 1: 100 new\n"
    )
    assert report.body.endswith("…and 30 more books.\n\nTry /random or /search.")
    await bot.settle()
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 5000


async def test_two_files_sent_at_once_by_a_new_chat_both_land_once(bot: BotHarness) -> None:
    # Both files bring the shared book, and neither the chat nor the book exists yet: the
    # imports run at once (updates are handled concurrently) and must both complete.
    first = "".join(clipping(n) for n in range(0, 600))
    second = "".join(clipping(n) for n in range(300, 900))
    bot.tg.user_sends_document(ALICE, "first.txt", first.encode())
    bot.tg.user_sends_document(ALICE, "second.txt", second.encode())

    # Either may finish first: read the chat as it stands, not message by message.
    def reports() -> list[str]:
        return [m.text for m in bot.tg.sent(ALICE) if (m.text or "").startswith("✅ Imported")]

    await bot.tg.wait_until(lambda: len(reports()) == 2, timeout=60)
    await bot.settle()
    assert sorted(text.split(":")[0] for text in reports()) == [
        "✅ Imported first.txt",
        "✅ Imported second.txt",
    ]
    new = sorted(int(text.split(": ")[1].split(" new")[0]) for text in reports())
    assert new == [300, 600]  # whichever came second found the shared 300 already there
    stats = bot.db(lambda s: library_stats(s, chat_id=ALICE))
    assert (stats.highlights, stats.books) == (900, 50)
