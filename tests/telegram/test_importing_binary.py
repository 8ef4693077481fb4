"""Sending binary exports as documents: a Kobo database, a zip, and bad files refused."""

from __future__ import annotations

import pytest

from bot.library.browsing import book_counts
from bot.library.stats import library_stats
from tests.binary_files import (
    CLIPPINGS,
    KOBO_ROWS,
    apple_annotations,
    apple_library,
    encrypted,
    kobo_database,
    play_books_docx,
    sqlite_bytes,
    zip_bytes,
)
from tests.telegram.harness import ALICE, BOB, BotHarness


async def test_a_kobo_database_sent_as_a_document_is_imported(bot: BotHarness) -> None:
    bot.tg.user_sends_document(ALICE, "KoboReader.sqlite", kobo_database(KOBO_ROWS))

    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text == (
        "✅ Imported KoboReader.sqlite: 1 new, 0 already there, 0 updated, 1 note, 1 skipped.\n\n"
        "📘 Meditations — Marcus Aurelius: 1 new, 1 note, 1 skipped\n\n"
        "Skipped: a hidden bookmark (deleted on the device) ×1\n\n"
        "Try /random or /search."
    )
    await bot.settle()
    assert bot.find(ALICE, "Waste no more time arguing.").notes == ["Read daily"]
    assert bot.db(lambda s: library_stats(s, chat_id=BOB)).highlights == 0


async def test_a_zip_is_imported_and_reported_file_by_file(bot: BotHarness) -> None:
    members = {
        "kobo/KoboReader.sqlite": kobo_database(KOBO_ROWS),
        "kindle/My Clippings.txt": CLIPPINGS,
        "kindle/photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
        "__MACOSX/kindle/._My Clippings.txt": b"\x00\x05\x16\x07",
    }
    bot.tg.user_sends_document(ALICE, "exports.zip", zip_bytes(members))

    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text == (
        "✅ Imported exports.zip: 2 new, 0 already there, 0 updated, 1 note, 1 skipped.\n\n"
        "📄 kobo/KoboReader.sqlite: Kobo KoboReader.sqlite, 1 read\n"
        "📄 kindle/My Clippings.txt: Kindle My Clippings.txt, 1 read\n"
        "📄 kindle/photo.jpg: not read, This is a binary file, not a text export of "
        "highlights.\n\n"
        "📘 Meditations — Marcus Aurelius: 2 new, 1 note, 1 skipped\n\n"
        "Skipped: a hidden bookmark (deleted on the device) ×1\n\n"
        "Try /random or /search."
    )
    await bot.settle()
    assert bot.db(lambda s: book_counts(s, chat_id=ALICE)) == [
        ("Meditations", "Marcus Aurelius", 2)
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "KoboReader.sqlite",
            kobo_database(KOBO_ROWS)[:6000],
            "This SQLite database is damaged or cut short (was the copy finished before the "
            "device was unplugged?). Copy it again and send the new copy.",
        ),
        (
            "contacts.sqlite",
            sqlite_bytes(["CREATE TABLE people (name TEXT)"], {"people": [("Ann",)]}),
            "This SQLite database is not one Commonplace reads: send a Kobo KoboReader.sqlite "
            "or an Apple Books AEAnnotation_….sqlite.",
        ),
        (
            "bomb.zip",
            zip_bytes({"My Clippings.txt": b"=" * (101 * 1024 * 1024)}),
            "This zip unpacks to more than 100 MB; send the export files in a smaller zip.",
        ),
        (
            "secret.zip",
            encrypted(zip_bytes({"My Clippings.txt": CLIPPINGS})),
            "This zip is encrypted (password-protected); zip the files again without one.",
        ),
        (
            "photos.zip",
            zip_bytes({"a.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"}),
            "Nothing in this zip is an export Commonplace reads. a.jpg: This is a binary "
            "file, not a text export of highlights.",
        ),
    ],
)
async def test_a_bad_binary_file_is_refused_and_changes_nothing(
    bot: BotHarness, name: str, data: bytes, reason: str
) -> None:
    bot.tg.user_sends_document(ALICE, name, data)

    await bot.next(ALICE)
    refusal = await bot.next(ALICE)
    assert refusal.text == f"❌ I couldn't import {name}: {reason}\nNothing was changed."
    await bot.settle()
    assert bot.db(lambda s: library_stats(s, chat_id=ALICE)).highlights == 0


APPLE_ASSET = "8B2E5CC4B2B2A3D1F0E4B4C1A9D7E6F5"
APPLE_ROWS = [(1, APPLE_ASSET, "Waste no more time arguing.", "Daily", 685151385.5, 0, 3, None, 1)]


async def test_apple_books_alone_imports_and_says_titles_are_unknown(bot: BotHarness) -> None:
    bot.tg.user_sends_document(ALICE, "AEAnnotation_v1_local.sqlite", apple_annotations(APPLE_ROWS))

    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text is not None
    assert report.text.startswith(
        "✅ Imported AEAnnotation_v1_local.sqlite: 1 new, 0 already there, 0 updated, 1 note, "
        "0 skipped.\n\n⚠️ Book titles and authors are unknown: Apple Books keeps them in "
        "BKLibrary-….sqlite. Zip it together with AEAnnotation_….sqlite and send the zip to "
        f"get them.\n\n📘 Apple Books book {APPLE_ASSET}: 1 new, 1 note"
    )


async def test_apple_books_zipped_with_its_library_gets_titles(bot: BotHarness) -> None:
    members = {
        "AEAnnotation_v1_local.sqlite": apple_annotations(APPLE_ROWS),
        "BKLibrary-1-0910.sqlite": apple_library([(1, APPLE_ASSET, "Meditations", "Marcus")]),
    }
    bot.tg.user_sends_document(ALICE, "apple.zip", zip_bytes(members))

    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text == (
        "✅ Imported apple.zip: 1 new, 0 already there, 0 updated, 1 note, 0 skipped.\n\n"
        "📄 AEAnnotation_v1_local.sqlite: Apple Books AEAnnotation_….sqlite, 1 read\n"
        "📄 BKLibrary-1-0910.sqlite: Apple Books library, for titles and authors\n\n"
        "📘 Meditations — Marcus: 1 new, 1 note\n\n"
        "Try /random or /search."
    )
    await bot.settle()
    assert bot.find(ALICE, "Waste no more time arguing.").notes == ["Daily"]


async def test_a_play_books_docx_sent_as_a_document_is_imported(bot: BotHarness) -> None:
    chapters = [("Part One", [("Autonomy is the antidote.", "Again", "March 3, 2016", "84")])]
    bot.tg.user_sends_document(
        ALICE, "Notes from “Drive”.docx", play_books_docx("Drive", "Daniel H. Pink", chapters)
    )

    await bot.next(ALICE)
    report = await bot.next(ALICE)
    assert report.text == (
        "✅ Imported Notes from “Drive”.docx: 1 new, 0 already there, 0 updated, 1 note, "
        "0 skipped.\n\n📘 Drive — Daniel H. Pink: 1 new, 1 note\n\nTry /random or /search."
    )
    await bot.settle()
    assert bot.find(ALICE, "Autonomy is the antidote.").notes == ["Again"]
