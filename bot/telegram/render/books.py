"""/books: the list of books, page by page, and a book's own page with its frequency."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.library.books import BOOKS_PER_PAGE, BookEntry, BookPage
from bot.library.selection import Frequency
from bot.telegram import buttons
from bot.telegram.render._text import snippet
from bot.telegram.render.library import EMPTY_LIBRARY

_FREQUENCY_LABELS = {
    Frequency.NEVER: "🙈 Never",
    Frequency.LESS: "➖ Less",
    Frequency.NORMAL: "⚪ Normal",
    Frequency.MORE: "➕ More",
}
_FREQUENCY_MARKS = {
    Frequency.NEVER: " · 🙈 never",
    Frequency.LESS: " · ➖ less",
    Frequency.MORE: " · ➕ more",
}
_FREQUENCY_WORDS = {
    Frequency.NEVER: "never: its highlights are not sent",
    Frequency.LESS: "less: half as often as a normal book",
    Frequency.NORMAL: "normal",
    Frequency.MORE: "more: twice as often as a normal book",
}
_PER_ROW = 4  # Telegram's keyboards read best with a few buttons a row
_ANSWER_TITLE = 80  # a button's answer holds 200 characters at most
BOOK_GONE = "🤷 That book is not in your library any more."


def _byline(entry: BookEntry) -> str:
    by = f" — {escape(entry.author)}" if entry.author else ""
    return f"<b>{escape(entry.title)}</b>{by}"


def books_text(page: BookPage) -> str:
    """A page of /books."""
    if not page.total:
        return EMPTY_LIBRARY
    first, last = page.offset + 1, page.offset + len(page.entries)
    shown = f", {first}–{last}" if len(page.entries) < page.total else ""
    lines = [f"📚 <b>Your books</b> ({page.total}{shown})", ""]
    for number, entry in enumerate(page.entries, start=first):
        mark = _FREQUENCY_MARKS.get(entry.frequency, "")
        lines.append(f"<b>{number}.</b> {_byline(entry)} · {entry.highlights}{mark}")
    lines += ["", "Tap a number to choose how often that book comes."]
    return "\n".join(lines)


def books_keyboard(page: BookPage) -> InlineKeyboardMarkup | None:
    """A number per book on the page, and arrows to the pages around it."""
    if not page.entries:
        return None
    numbers = [
        InlineKeyboardButton(str(number), callback_data=buttons.BOOK.data(entry.id, page.offset))
        for number, entry in enumerate(page.entries, start=page.offset + 1)
    ]
    rows = [numbers[i : i + _PER_ROW] for i in range(0, len(numbers), _PER_ROW)]
    arrows = []
    if page.offset > 0:
        previous = max(page.offset - BOOKS_PER_PAGE, 0)
        arrows.append(
            InlineKeyboardButton("◀️ Previous", callback_data=buttons.BOOKS.data(previous))
        )
    if page.offset + len(page.entries) < page.total:
        following = page.offset + BOOKS_PER_PAGE
        arrows.append(InlineKeyboardButton("Next ▶️", callback_data=buttons.BOOKS.data(following)))
    if arrows:
        rows.append(arrows)
    return InlineKeyboardMarkup(rows)


def book_text(entry: BookEntry) -> str:
    """A book's own page."""
    count = f"{entry.highlights} highlight{'s' if entry.highlights != 1 else ''}"
    return (
        f"📘 {_byline(entry)}\n{count}\n\n"
        f"How often it comes: <b>{_FREQUENCY_WORDS[entry.frequency]}</b>"
    )


def book_keyboard(entry: BookEntry, list_offset: int) -> InlineKeyboardMarkup:
    """Never, Less, Normal, More (the current one ticked), and back to the list."""
    levels = list(Frequency)
    choices = [
        InlineKeyboardButton(
            ("✓ " if level is entry.frequency else "") + _FREQUENCY_LABELS[level],
            callback_data=buttons.BOOK_FREQUENCY.data(entry.id, levels.index(level), list_offset),
        )
        for level in levels
    ]
    back = InlineKeyboardButton("◀️ Books", callback_data=buttons.BOOKS.data(list_offset))
    return InlineKeyboardMarkup([choices[:2], choices[2:], [back]])


def frequency_set(entry: BookEntry) -> str:
    """The answer to a tap on a frequency (plain text: a callback answer has no HTML)."""
    title = snippet(entry.title, _ANSWER_TITLE)
    if entry.frequency is Frequency.NEVER:
        return f"🙈 {title} won't be sent."
    return f"{title}: {entry.frequency.value}"
