"""What the reader sees is exactly what was stored: long texts split, everything escaped."""

from __future__ import annotations

from bot.fake_telegram import Message, utf16_len
from tests.telegram.harness import (
    ALICE,
    BOB,
    BotHarness,
    button_texts,
    quote,
    quoted_text,
    sqlite_only,
)

BUTTONS = ["☆ Favorite", "🔀 Another", "🙈 Discard", "🏷 Tags", "🖼 Card"]


def long_prose() -> str:
    """About 10,000 characters: 12 paragraphs of 12 sentences, every sentence different."""
    paragraphs = [
        " ".join(
            f"Sentence {p}.{s} walks along the river of the book, slowly, and returns."
            for s in range(12)
        )
        for p in range(12)
    ]
    return "\n\n".join(paragraphs)


def breaks(original: str, pieces: list[str]) -> list[str]:
    """Check that the pieces are the original in order; return the white space between them.

    Only the white space where a message ends may be left out; any other difference fails.
    """
    position = 0
    gaps = []
    for index, piece in enumerate(pieces):
        rest = original[position:]
        gap = rest[: len(rest) - len(rest.lstrip())] if index else ""
        assert original.startswith(piece, position + len(gap)), f"piece {index} differs"
        gaps.append(gap)
        position += len(gap) + len(piece)
    assert position == len(original), "text is missing at the end"
    return gaps[1:]


async def highlight_parts(bot: BotHarness) -> list[Message]:
    """/random in a one-highlight library: every message that shows it."""
    first = await bot.send(ALICE, "/random")
    parts = [first]
    while not parts[-1].buttons:
        parts.append(await bot.next(ALICE))
    await bot.settle()
    assert len(bot.tg.sent(ALICE)) == len(parts)
    return parts


@sqlite_only
async def test_a_long_highlight_is_split_without_losing_text(bot: BotHarness) -> None:
    text = long_prose()
    assert len(text) > 2 * 4096
    [highlight_id] = bot.seed(ALICE, [quote(text, location=77)])

    parts = await highlight_parts(bot)

    assert len(parts) == 3
    assert all(utf16_len(part.body) <= 4096 for part in parts)
    assert [part.buttons == [] for part in parts] == [True, True, False]
    assert button_texts(parts[-1]) == BUTTONS
    pieces = [quoted_text(part) for part in parts]
    assert breaks(text, pieces) == ["\n\n", "\n\n"]  # between paragraphs, by preference
    assert parts[-1].body.endswith("\n— Siddhartha, Hermann Hesse\nLocation 77")

    # Every part is the highlight: a reply to the first one annotates it.
    confirmation = await bot.send(ALICE, "#long", reply_to=parts[0].message_id)
    assert confirmation.text == "🏷 Tagged #long"
    assert (await bot.view(ALICE, highlight_id)).tags == ["long"]


@sqlite_only
async def test_a_long_text_without_spaces_is_cut_exactly(bot: BotHarness) -> None:
    # CJK has no spaces to break at, and 🌊 takes two UTF-16 units: the cut must not split it.
    text = "水は流れる。川はどこにでもある🌊" * 400
    assert utf16_len(text) == 17 * 400
    bot.seed(ALICE, [quote(text)])

    parts = await highlight_parts(bot)

    assert len(parts) == 2
    assert all(utf16_len(part.body) <= 4096 for part in parts)
    assert breaks(text, [quoted_text(part) for part in parts]) == [""]


@sqlite_only
async def test_a_long_note_is_split_too(bot: BotHarness) -> None:
    note = " ".join(f"thought{n}" for n in range(900))
    assert len(note) > 4096 + 2000
    bot.seed(ALICE, [quote("Short quote.", notes=[note])])

    parts = await highlight_parts(bot)

    assert len(parts) == 4
    assert all(utf16_len(part.body) <= 4096 for part in parts)
    assert parts[0].body == "Short quote.\n— Siddhartha, Hermann Hesse"
    assert breaks(f"📝 {note}", [part.body for part in parts[1:]]) == [" ", " "]
    assert button_texts(parts[-1]) == BUTTONS


TRICKY_TITLE = "Tom & Jerry <3"
TRICKY_AUTHOR = 'O\'Brien & "Co"'
TRICKY_TEXT = "Use <b>bold</b> & \"quotes\" & 'apostrophes' &amp; never < or > alone."
TRICKY_CLIPPINGS = (
    f"{TRICKY_TITLE} ({TRICKY_AUTHOR})\n"
    "- Your Highlight on page 1 | Location 10-12 | Added on Monday, March 4, 2024 9:15:02 AM\n\n"
    f"{TRICKY_TEXT}\n"
    "==========\n"
    f"{TRICKY_TITLE} ({TRICKY_AUTHOR})\n"
    "- Your Note on page 1 | Location 12 | Added on Monday, March 4, 2024 9:16:02 AM\n\n"
    "a < b && c > d\n"
    "==========\n"
)


async def test_everything_interpolated_is_shown_literally(bot: BotHarness) -> None:
    bot.tg.user_sends_document(ALICE, "<b>clips</b> & more.txt", TRICKY_CLIPPINGS.encode())
    status = await bot.next(ALICE)
    assert status.text == "⏳ Importing <b>clips</b> & more.txt…"
    report = await bot.next(ALICE)
    assert report.body.startswith("✅ Imported <b>clips</b> & more.txt: 1 new,")
    assert f"📘 {TRICKY_TITLE} — {TRICKY_AUTHOR}: 1 new, 1 note" in report.body

    shown = await bot.send(ALICE, "/random")
    assert shown.text == (
        f"{TRICKY_TEXT}\n— {TRICKY_TITLE}, {TRICKY_AUTHOR}\nLocation 10-12\n📝 a < b && c > d"
    )
    found = await bot.send(ALICE, "/search bold <b>")
    assert found.body.startswith("🔎 1 result for bold <b> (1–1)\n\n")
    assert f"1. {TRICKY_TEXT}\n    — {TRICKY_TITLE}\n" in found.body
    assert (await bot.send(ALICE, "/search <i>&zebra")).body.startswith(
        "🔎 Nothing found for <i>&zebra.\n"
    )
    assert (await bot.send(ALICE, "/books")).text == (
        f"📚 Your books (1)\n\n1. {TRICKY_TITLE} — {TRICKY_AUTHOR} · 1\n\n"
        "Tap a number to choose how often that book comes."
    )
    assert f"1 · {TRICKY_TITLE}" in (await bot.send(ALICE, "/stats")).body
    assert (await bot.next(ALICE)).photo is not None  # the chart
    await bot.settle()
    highlight_id = await bot.shown_in(shown)
    await bot.press(ALICE, shown.message_id, f"tags:{highlight_id}")
    panel = await bot.next(ALICE)
    assert panel.body.startswith(
        "🏷 Tags of “Use <b>bold</b> & \"quotes\" & 'apostrophes' &amp; never < or…”: no tags yet"
    )
    assert (await bot.send(ALICE, "/tag <b>", reply_to=shown.message_id)).text == "🏷 Tagged #<b>"
    assert (await bot.send(ALICE, "/weight <i> 2")).text == "⚖️ #<i> now weighs 2 in weighted mode."
    assert (await bot.send(ALICE, "/time <b>")).text == (
        "⚠️ “<b>” is not a time of day; use HH:MM, for example 07:30."
    )
    assert (await bot.send(ALICE, "/what<b>&")).body.startswith("🤔 I don't know /what<b>&.")

    bot.tg.define_user(BOB, first_name="<Bob> & Co")
    assert (await bot.send(BOB, "/start")).body.startswith("👋 Hello, <Bob> & Co! I'm Commonplace.")
