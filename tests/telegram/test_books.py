"""/books as a reader uses it: a paged list with buttons, each book's page with Never, Less,
Normal and More, and a Never book that the daily highlight then leaves out."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.library.books import book_page
from bot.library.selection import Frequency
from bot.models import Chat
from tests.telegram.harness import ALICE, BOB, BotHarness, button_texts, data_of, quote

GONE = "🤷 That book is not in your library any more."


def seed_books(bot: BotHarness) -> None:
    """Ten books: Book 0 has ten highlights, Book 9 one, so the list's order is fixed."""
    bot.seed(
        ALICE,
        [
            quote(f"Passage {n} of book {b}.", book=f"Book {b}", author="Anon")
            for b in range(10)
            for n in range(10 - b)
        ],
    )


def frequencies(bot: BotHarness, chat_id: int = ALICE) -> dict[str, Frequency]:
    page = bot.db(lambda s: book_page(s, chat_id=chat_id, limit=100))
    return {entry.title: entry.frequency for entry in page.entries}


async def test_books_pages_through_the_list_and_sets_a_books_frequency(bot: BotHarness) -> None:
    seed_books(bot)
    listing = await bot.send(ALICE, "/books")
    assert listing.body.startswith("📚 Your books (10, 1–8)\n\n1. Book 0 — Anon · 10\n")
    assert "\n8. Book 7 — Anon · 3\n\nTap a number" in listing.body
    assert button_texts(listing) == [*(str(n) for n in range(1, 9)), "Next ▶️"]
    assert [len(row) for row in listing.reply_markup["inline_keyboard"]] == [4, 4, 1]

    await bot.press(ALICE, listing.message_id, data_of(listing, "Next"))
    second = await bot.next(ALICE)
    assert second.message_id == listing.message_id
    assert second.body.startswith("📚 Your books (10, 9–10)\n\n9. Book 8 — Anon · 2\n")
    assert button_texts(second) == ["9", "10", "◀️ Previous"]

    await bot.press(ALICE, listing.message_id, data_of(second, "9"))
    page = await bot.next(ALICE)
    assert page.text == "📘 Book 8 — Anon\n2 highlights\n\nHow often it comes: normal"
    assert button_texts(page) == ["🙈 Never", "➖ Less", "✓ ⚪ Normal", "➕ More", "◀️ Books"]

    answer = await bot.press(ALICE, listing.message_id, data_of(page, "🙈"))
    assert (answer.text, answer.show_alert) == ("🙈 Book 8 won't be sent.", False)
    never = await bot.next(ALICE)
    assert never.text == (
        "📘 Book 8 — Anon\n2 highlights\n\nHow often it comes: never: its highlights are not sent"
    )
    assert button_texts(never)[0] == "✓ 🙈 Never"
    answer = await bot.press(ALICE, listing.message_id, data_of(never, "➕"))
    assert answer.text == "Book 8: more"
    more = await bot.next(ALICE)
    assert more.body.endswith("more: twice as often as a normal book")
    await bot.press(ALICE, listing.message_id, data_of(more, "➖"))
    await bot.next(ALICE)

    await bot.press(ALICE, listing.message_id, data_of(more, "◀️ Books"))
    back = await bot.next(ALICE)
    assert "9. Book 8 — Anon · 2 · ➖ less" in back.body
    assert frequencies(bot)["Book 8"] is Frequency.LESS
    assert set(frequencies(bot).values()) == {Frequency.LESS, Frequency.NORMAL}


async def test_a_book_at_never_is_left_out_of_the_daily_highlight(bot: BotHarness) -> None:
    bot.seed(ALICE, [quote("Skip me.", book="Dull"), quote("Keep me.", book="Bright")])
    listing = await bot.send(ALICE, "/books")
    await bot.press(ALICE, listing.message_id, data_of(listing, "2"))  # Bright, Dull: by title
    page = await bot.next(ALICE)
    assert page.body.startswith("📘 Dull")
    await bot.press(ALICE, listing.message_id, data_of(page, "🙈"))
    await bot.next(ALICE)

    sent = []
    due = datetime(2030, 3, 5, 8, 0, 5, tzinfo=UTC)
    for day in range(4):
        for _ in range(100):
            chat = bot.db(lambda s: s.get(Chat, ALICE))
            if chat and chat.next_due_at and chat.next_due_at <= due + timedelta(days=day):
                break
            await asyncio.sleep(0.05)
        bot.clock.now = due + timedelta(days=day)
        sent.append((await bot.next(ALICE)).body)
    assert all(body.startswith("Keep me.") for body in sent), sent


async def test_book_buttons_from_another_chat_change_nothing(bot: BotHarness) -> None:
    seed_books(bot)
    listing = await bot.send(ALICE, "/books")
    await bot.press(ALICE, listing.message_id, data_of(listing, "1"))
    alice_page = await bot.next(ALICE)
    never = data_of(alice_page, "🙈")
    book_id = int(never.split(":")[1])
    bot.seed(BOB, [quote("Bob's own.", book="Bob's book")])
    for data, text in {
        never: GONE,
        f"book:{book_id}:0": GONE,
        f"bookf:{book_id}:9:0": GONE,
        "bookf:x:0:0": GONE,
    }.items():
        mark = bot.mark()
        answer = await bot.user_presses_forged(BOB, data)
        assert (answer.text, answer.show_alert) == (text, True), data
        await bot.settle()
        assert bot.calls_since(mark) == ["sendMessage", "answerCallbackQuery"], data
    # A page of the list shows Bob his own books only.
    answer = await bot.user_presses_forged(BOB, "books:0")
    shown = await bot.next(BOB)
    assert answer.text is None and "Bob's book" in shown.body and "Book 0" not in shown.body
    assert set(frequencies(bot).values()) == {Frequency.NORMAL}
    assert frequencies(bot, BOB) == {"Bob's book": Frequency.NORMAL}


def test_the_answer_to_a_tap_fits_telegrams_200_characters() -> None:
    from bot.library.books import BookEntry
    from bot.telegram import render

    entry = BookEntry(1, "A very long title " * 30, "", 3, Frequency.NEVER)
    answer = render.frequency_set(entry)
    assert len(answer) <= 200 and answer.startswith("🙈 A very long title") and "…" in answer
