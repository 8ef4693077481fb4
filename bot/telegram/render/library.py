"""Search results, tag and book lists, the library in numbers."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.library.search import SearchPage
from bot.library.snippets import split_marked
from bot.library.stats import LibraryStats, ReviewHistory
from bot.library.views import HighlightView
from bot.parsers import FORMATS, formats_in_words
from bot.plural import counted
from bot.telegram import buttons
from bot.telegram.render._text import RESULTS_PER_PAGE, fit, hashtag, hashtags, snippet

EMPTY_LIBRARY = (
    f"📭 Your library is empty. Send me a highlights export from {formats_in_words()} "
    "(/import lists the files), or load the sample library with /start."
)
FORMAT_LIST = "\n".join(f"• {entry.label}: {entry.how}." for entry in FORMATS)
# What /export offers, in the order of its buttons: a button carries its place here.
EXPORT_CHOICES = (
    ("csv", "📄 CSV (Readwise)"),
    ("md", "📝 Markdown"),
    ("anki", "🗂 Anki"),
    ("obsidian", "🟣 Obsidian"),
)
EXPORT_MENU = "📤 Export your library: choose a format."
EXPORT_CAPTIONS = {
    "csv": "Your library in Readwise's CSV layout (importable here and in Readwise).",
    "md": "Your library as Markdown, book by book.",
    "anki": (
        "Your library as an Anki deck: in Anki, File → Import this file. Importing a newer "
        "export updates the cards it made instead of adding copies."
    ),
    "obsidian": (
        "Your library for Obsidian, one note per book: unzip it into your vault. A newer "
        "export unzipped over it replaces these notes instead of adding copies."
    ),
}
BUTTON_EXPIRED = "That button has expired."
SEARCH_TIPS = (
    'Tips: <code>"exact phrase"</code>, <code>-word</code> to exclude, '
    "<code>tag:name</code>, <code>book:words</code>, <code>deploy*</code> for a prefix."
)
SEARCH_USAGE = "Usage: <code>/search words</code>\n\n" + SEARCH_TIPS


def search_results(raw_query: str, page: SearchPage) -> str:
    """The result list of /search."""
    if page.query.is_empty:
        return SEARCH_USAGE
    if page.only_common_words:
        return (
            f"🔎 <i>{escape(raw_query)}</i> has only words too common to search for, "
            "like <i>the</i> or <i>with</i>. Add a rarer word from the passage."
            f"\n\n{SEARCH_TIPS}"
        )
    if not page.total:
        return f"🔎 Nothing found for <i>{escape(raw_query)}</i>.\n\n{SEARCH_TIPS}"
    first, last = page.offset + 1, page.offset + len(page.hits)
    lines = [
        f"🔎 <b>{page.total:,}{'+' if page.capped else ''}</b> "
        f"result{'s' if page.total != 1 or page.capped else ''} for "
        f"<i>{escape(raw_query)}</i> ({first}–{last})",
        "",
    ]
    for number, hit in enumerate(page.hits, start=first):
        mark = " 🙈" if hit.discarded else ""
        lines.append(
            f"<b>{number}.</b> {_result_snippet(page, hit)}\n    — <i>{escape(hit.book_title)}</i>"
            + mark
        )
    lines += ["", "Tap a number to open a highlight."]
    return "\n".join(lines)


def _result_snippet(page: SearchPage, hit: HighlightView) -> str:
    """The passage around the first match with the matched words in bold, else the start."""
    marked = page.snippets.get(hit.id)
    if marked is None:
        return escape(snippet(hit.text))
    return "".join(
        f"<b>{escape(run)}</b>" if matched else escape(run) for run, matched in split_marked(marked)
    )


def search_keyboard(search_id: int, page: SearchPage) -> InlineKeyboardMarkup | None:
    """Numbered buttons that open results, and paging arrows."""
    if not page.hits:
        return None
    numbers = [
        InlineKeyboardButton(str(page.offset + i), callback_data=buttons.OPEN.data(hit.id))
        for i, hit in enumerate(page.hits, start=1)
    ]
    rows = [numbers]
    arrows = []
    if page.offset > 0:
        previous = max(page.offset - RESULTS_PER_PAGE, 0)
        arrows.append(
            InlineKeyboardButton("◀️ Previous", callback_data=buttons.PAGE.data(search_id, previous))
        )
    if page.offset + len(page.hits) < page.total:
        following = page.offset + RESULTS_PER_PAGE
        arrows.append(
            InlineKeyboardButton("Next ▶️", callback_data=buttons.PAGE.data(search_id, following))
        )
    if arrows:
        rows.append(arrows)
    return InlineKeyboardMarkup(rows)


def tag_toggled(names: Sequence[str], *, added: bool) -> str:
    """The answer to a tap on ＋ #tag or ✖ #tag (plain text: a callback answer has no HTML)."""
    return ("Tagged " if added else "Removed ") + hashtags(names)


def tag_list(tags: Sequence[tuple[str, int]]) -> str:
    """/tags."""
    if not tags:
        return (
            "🏷 No tags yet. Reply to a highlight with <code>#word</code> to tag it, "
            "or import a file that has tags."
        )
    lines = [f"🏷 <b>Your tags</b> ({len(tags)})", ""]
    lines += [f"{escape(hashtag(name))} · {count}" for name, count in tags]
    return fit("\n".join(lines))


def stats_text(stats: LibraryStats) -> str:
    """/stats as text (the chart carries the same numbers)."""
    if not stats.highlights:
        return EMPTY_LIBRARY
    lines = [
        "📊 <b>Your library</b>",
        "",
        f"{counted(stats.highlights, 'highlight')} in {counted(stats.books, 'book')}",
        f"{counted(stats.notes, 'note')} · {counted(stats.tags, 'tag')} · "
        f"{counted(stats.favorites, 'favorite')} · {stats.discarded:,} discarded",
    ]
    if stats.top_books:
        lines += ["", "<b>Top books</b>"]
        lines += [f"{n} · {escape(title)}" for title, _, n in stats.top_books]
    if stats.top_tags:
        lines += ["", "<b>Top tags</b>"]
        lines += [f"{n} · {escape(hashtag(name))}" for name, n in stats.top_tags]
    if stats.reviews is not None:
        lines += ["", "<b>Daily review</b>", review_line(stats.reviews)]
    return "\n".join(lines)


def review_line(history: ReviewHistory) -> str:
    """Reviews done and, where streaks are shown, the current and longest streak."""
    done = "1 review done" if history.done == 1 else f"{history.done} reviews done"
    if not history.streaks_shown:
        return done
    return f"{done} · 🔥 streak {history.streak} (longest {history.longest})"


def export_keyboard() -> InlineKeyboardMarkup:
    """/export's format buttons, two to a row."""
    choices = [
        InlineKeyboardButton(label, callback_data=buttons.EXPORT.data(place))
        for place, (_, label) in enumerate(EXPORT_CHOICES)
    ]
    return InlineKeyboardMarkup([choices[:2], choices[2:]])
