"""Every word the bot says, rendered as Telegram HTML, and every keyboard it shows.

Everything interpolated is escaped here, and nowhere else is text for a reader built.
Telegram counts a message's length after its HTML is parsed, in UTF-16 code units.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.library.browsing import TagChoices
from bot.library.chats import ChatSettings
from bot.library.importing import ImportReport
from bot.library.search import SearchPage
from bot.library.selection import DeliveryMode
from bot.library.stats import LibraryStats
from bot.library.views import HighlightView
from bot.parsers import FORMATS, formats_in_words
from bot.telegram import buttons

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
SNIPPET = 160
RESULTS_PER_PAGE = 5

_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])\s+")
_HASHTAG_BREAKS = re.compile(r"[\s-]+")


def utf16_len(text: str) -> int:
    """A string's length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Split text into pieces of at most ``limit`` (UTF-16 units), never losing a character.

    Paragraph boundaries are preferred, then sentence ends, then spaces; only a single
    word longer than the limit is cut inside.
    """
    if utf16_len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        candidate = current + unit
        if current and utf16_len(candidate.rstrip()) > limit:
            pieces.append(current.rstrip())
            current = unit.lstrip()
        else:
            current = candidate
    if current.strip():
        pieces.append(current.rstrip())
    return [piece for piece in pieces if piece]


def _units(text: str, limit: int) -> list[str]:
    """The text as a list of pieces, each within the limit, that join back to the text."""
    units: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", text):
        if utf16_len(paragraph) <= limit:
            units.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            sentence += " "
            if utf16_len(sentence) <= limit:
                units.append(sentence)
                continue
            for word in re.split(r"(?<=\s)", sentence):
                while utf16_len(word) > limit:
                    cut = _cut(word, limit)
                    units.append(word[:cut])
                    word = word[cut:]
                units.append(word)
    return units


def _cut(word: str, limit: int) -> int:
    """The longest prefix of ``word`` within ``limit`` UTF-16 units (never splits a pair)."""
    size = 0
    for index, char in enumerate(word):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return max(index, 1)
    return len(word)


# ---------------------------------------------------------------------------------------------
# Highlights


def hashtag(name: str) -> str:
    """A tag as a hashtag Telegram makes clickable (not escaped): ``#knowledge_management``.

    A Telegram hashtag ends at a space or a hyphen, so those become ``_``; replies, /tag,
    /search and /weight read ``_`` back as either. Other characters are shown as they are.
    """
    return "#" + (_HASHTAG_BREAKS.sub("_", name).strip("_") or name)


def _hashtags(names: Sequence[str]) -> str:
    return " ".join(hashtag(name) for name in names)


def _location(view: HighlightView) -> str | None:
    if not view.location:
        return None
    kind = (view.location_type or "location").capitalize()
    return f"{kind} {view.location}"


def _footer_lines(view: HighlightView) -> list[tuple[str, str]]:
    """(visible text, html) for every line under the quote."""
    lines: list[tuple[str, str]] = []
    book = f"— {view.book_title}" + (f", {view.author}" if view.author else "")
    lines.append(
        (
            book,
            f"— <b>{escape(view.book_title)}</b>"
            + (f", {escape(view.author)}" if view.author else ""),
        )
    )
    place = [part for part in (view.chapter, _location(view)) if part]
    if place:
        lines.append((" · ".join(place), f"<i>{escape(' · '.join(place))}</i>"))
    marks = (["⭐"] if view.favorite else []) + (["🙈 discarded"] if view.discarded else [])
    tags = _hashtags(view.tags)
    if tags or marks:
        line = " ".join([*marks, tags]).strip()
        lines.append((line, escape(line)))
    for note in view.notes:
        lines.append((f"📝 {note}", f"📝 {escape(note)}"))
    return lines


def highlight_messages(view: HighlightView) -> list[str]:
    """A highlight as one or more HTML messages, each within Telegram's limit."""
    budget = MAX_MESSAGE - 40  # room for the blockquote's line breaks and a continuation mark
    if view.kind != "highlight":
        # A note with no passage; 📑 marks the reader's note on a chapter (named below it).
        mark = "📑 " if view.kind == "chapter_note" else "📝 "
        head = [(mark + piece, mark + escape(piece)) for piece in split_text(view.text, budget)]
    else:
        head = [
            (piece, f"<blockquote>{escape(piece)}</blockquote>")
            for piece in split_text(view.text, budget)
        ]
    blocks = head + [
        (visible, html)
        for line_visible, line_html in _footer_lines(view)
        for visible, html in _split_line(line_visible, line_html, budget)
    ]
    messages: list[str] = []
    visible_size = 0
    current: list[str] = []
    for visible, html in blocks:
        size = utf16_len(visible) + 1
        if current and visible_size + size > budget:
            messages.append("\n".join(current))
            current, visible_size = [], 0
        current.append(html)
        visible_size += size
    if current:
        messages.append("\n".join(current))
    return messages


def _split_line(visible: str, html: str, budget: int) -> list[tuple[str, str]]:
    """A footer line that is itself too long (a very long note) is split like a quote."""
    if utf16_len(visible) <= budget:
        return [(visible, html)]
    return [(piece, escape(piece)) for piece in split_text(visible, budget)]


def highlight_keyboard(view: HighlightView) -> InlineKeyboardMarkup:
    """⭐ Favorite · 🔀 Another · 🙈 Discard (or ↩️ Undo) · 🏷 Tags."""
    favorite = InlineKeyboardButton(
        "⭐ Favorite" if view.favorite else "☆ Favorite",
        callback_data=buttons.FAVORITE.data(view.id),
    )
    another = InlineKeyboardButton("🔀 Another", callback_data=buttons.ANOTHER.data())
    if view.discarded:
        discard = InlineKeyboardButton("↩️ Undo discard", callback_data=buttons.UNDO.data(view.id))
    else:
        discard = InlineKeyboardButton("🙈 Discard", callback_data=buttons.DISCARD.data(view.id))
    tags = InlineKeyboardButton("🏷 Tags", callback_data=buttons.TAGS.data(view.id))
    return InlineKeyboardMarkup([[favorite, another], [discard, tags]])


def tags_panel(choices: TagChoices) -> tuple[str, InlineKeyboardMarkup | None]:
    """The 🏷 panel: the highlight's tags to remove, the chat's favourites to add."""
    current = escape(_hashtags([name for _, name in choices.on_it])) or "no tags yet"
    text = (
        f"🏷 <b>Tags</b> of “{escape(_snippet(choices.view.text, 60))}”: {current}\n\n"
        "Reply to the highlight with <code>#word</code> to add a tag or "
        "<code>-#word</code> to remove one, or tap below."
    )
    highlight_id = choices.view.id
    remove = [
        InlineKeyboardButton(
            f"✖ {hashtag(name)}", callback_data=buttons.REMOVE_TAG.data(highlight_id, tag_id)
        )
        for tag_id, name in choices.on_it
    ]
    add = [
        InlineKeyboardButton(
            f"＋ {hashtag(name)}", callback_data=buttons.ADD_TAG.data(highlight_id, tag_id)
        )
        for tag_id, name in choices.suggestions
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for row in (remove, add):
        rows.extend(row[i : i + 3] for i in range(0, len(row), 3))
    return text, InlineKeyboardMarkup(rows) if rows else None


# ---------------------------------------------------------------------------------------------
# Search, tags, books


def _snippet(text: str, size: int = SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"


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
        f"result{'s' if page.total != 1 else ''} for "
        f"<i>{escape(raw_query)}</i> ({first}–{last})",
        "",
    ]
    for number, hit in enumerate(page.hits, start=first):
        mark = " 🙈" if hit.discarded else ""
        lines.append(
            f"<b>{number}.</b> {escape(_snippet(hit.text))}\n    — <i>{escape(hit.book_title)}</i>"
            + mark
        )
    lines += ["", "Tap a number to open a highlight."]
    return "\n".join(lines)


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
    return ("Tagged " if added else "Removed ") + _hashtags(names)


def tag_list(tags: Sequence[tuple[str, int]]) -> str:
    """/tags."""
    if not tags:
        return (
            "🏷 No tags yet. Reply to a highlight with <code>#word</code> to tag it, "
            "or import a file that has tags."
        )
    lines = [f"🏷 <b>Your tags</b> ({len(tags)})", ""]
    lines += [f"{escape(hashtag(name))} · {count}" for name, count in tags]
    return _fit("\n".join(lines))


def book_list(books: Sequence[tuple[str, str, int]]) -> str:
    """/books."""
    if not books:
        return EMPTY_LIBRARY
    lines = [f"📚 <b>Your books</b> ({len(books)})", ""]
    for title, author, count in books:
        by = f" — {escape(author)}" if author else ""
        lines.append(f"<b>{escape(title)}</b>{by} · {count}")
    return _fit("\n".join(lines))


def _fit(html: str) -> str:
    """Cut a long listing at a line so it stays one message (escaping happened already)."""
    if utf16_len(html) <= MAX_MESSAGE - 200:
        return html
    kept: list[str] = []
    size = 0
    for line in html.split("\n"):
        size += utf16_len(line) + 1
        if size > MAX_MESSAGE - 200:
            break
        kept.append(line)
    return "\n".join(kept) + "\n…and more. Use /search to narrow it down."


# ---------------------------------------------------------------------------------------------
# Conversation texts

EMPTY_LIBRARY = (
    f"📭 Your library is empty. Send me an export file ({formats_in_words()}), or load the "
    "sample library with /start."
)
FORMAT_LIST = "\n".join(f"• {entry.label}: {entry.how}." for entry in FORMATS)

ALL_DISCARDED = (
    "🙈 You discarded every highlight in your library. Find one with /search and tap "
    "↩️ Undo discard under it to bring it back, or send me a file to import more."
)

SEARCH_TIPS = (
    'Tips: <code>"exact phrase"</code>, <code>-word</code> to exclude, '
    "<code>tag:name</code>, <code>book:words</code>, <code>deploy*</code> for a prefix."
)
SEARCH_USAGE = "Usage: <code>/search words</code>\n\n" + SEARCH_TIPS


def welcome(*, empty: bool, name: str | None) -> str:
    """/start."""
    hello = f"👋 Hello{', ' + escape(name) if name else ''}! I'm Commonplace."
    body = "Every day I send you one of your book highlights, so what you read comes back to you."
    if empty:
        return (
            f"{hello}\n\n{body}\n\n"
            "Your library is empty. Tap the button below to load a sample library "
            f"(<i>The DevOps Handbook</i>), or send me your own export:\n{FORMAT_LIST}\n\n"
            "/help shows everything I can do."
        )
    return f"{hello}\n\n{body}\n\nTry /random, or /help to see everything I can do."


HELP_INTROS = {
    "Annotating": "Reply to any highlight I send: <code>#idea #work</code> adds tags, "
    "<code>-#work</code> removes one, any other text becomes a note (edit your reply to edit "
    "the note). ❤ 👍 🔥 reactions mark a favorite. Or reply with a command:",
    "Your data": "Send me a file to import it; /import explains how.",
}
HELP_OUTROS = {"Reading": SEARCH_TIPS}


def help_text(sections: dict[str, list[tuple[str, str, str]]]) -> str:
    """/help: each section's commands as (name, arguments, what it does)."""
    parts = ["📖 <b>Commonplace</b> brings your book highlights back into your life."]
    for title, commands in sections.items():
        lines = [f"<b>{escape(title)}</b>"]
        if title in HELP_INTROS:
            lines.append(HELP_INTROS[title])
        lines += [
            f"/{name}{' ' + arguments if arguments else ''} — {escape(what[:1].lower() + what[1:])}"
            for name, arguments, what in commands
        ]
        if title in HELP_OUTROS:
            lines.append(HELP_OUTROS[title])
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


IMPORT_HELP = (
    f"📥 <b>Import your highlights</b> by sending me the file as a document:\n\n{FORMAT_LIST}\n\n"
    "Sending the same file again is safe: only new highlights are added. Files up to 20 MB."
)

NOT_ALLOWED = (
    "🔒 This is a private Commonplace bot. You can run your own: "
    "https://github.com/commonplace-bot/commonplace"
)
SOMETHING_WRONG = "😵 Something went wrong on my side. Please try again in a moment."
NOT_A_REPLY = "↩️ Reply to one of my highlight messages with {command} to use it."
UNKNOWN_HIGHLIGHT = "🤷 I can't find that highlight in your library."
PROCESSING = "⏳ Importing <i>{name}</i>…"


def unknown_command(command: str, help_html: str) -> str:
    """An unknown /command, answered with help."""
    return f"🤔 I don't know <code>{escape(command)}</code>.\n\n" + help_html


def usage(text: str) -> str:
    """A usage line for a command called with wrong arguments."""
    return "ℹ️ " + text


def error(message: str) -> str:
    """A refusal from the domain, with its reason (already a full sentence)."""
    return "⚠️ " + escape(message)


def file_too_big(size: int, limit: int) -> str:
    """A document over the download limit, refused before downloading."""
    return (
        f"📦 That file is {size / 2**20:.1f} MB; I can take files up to "
        f"{limit / 2**20:.0f} MB. Split it, or import it with the command line: "
        "<code>commonplace import FILE --chat ID</code>."
    )


def import_progress(name: str, done: int, total: int) -> str:
    """The message that follows a big import."""
    percent = 100 * done // total if total else 100
    bar = "█" * (percent // 10) + "░" * (10 - percent // 10)
    return f"⏳ Importing <i>{escape(name)}</i>\n{bar} {percent}% ({done}/{total})"


def import_report(report: ImportReport) -> str:
    """The report after an import."""
    lines = [
        f"✅ Imported <i>{escape(report.filename or 'your file')}</i>: "
        f"<b>{report.new}</b> new, {report.duplicates} already there, "
        f"{report.updated} updated, {report.notes} notes, {len(report.all_skipped)} skipped.",
        "",
    ]
    # Before the books, so that a long list of them never cuts it off.
    for notice in report.notices:
        lines += [f"⚠️ {escape(notice)}", ""]
    for book in report.books[:20]:
        by = f" — {escape(book.author)}" if book.author else ""
        parts = [f"{book.new} new"]
        parts += [f"{book.duplicates} already there"] if book.duplicates else []
        parts += [f"{book.updated} updated"] if book.updated else []
        parts += [f"{book.notes} notes"] if book.notes else []
        parts += [f"{len(book.skipped)} skipped"] if book.skipped else []
        lines.append(f"📘 <b>{escape(book.title)}</b>{by}: {', '.join(parts)}")
    if len(report.books) > 20:
        lines.append(f"…and {len(report.books) - 20} more books.")
    reasons: dict[str, int] = {}
    for skipped in report.all_skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    if reasons:
        lines += ["", "Skipped: " + "; ".join(f"{escape(r)} ×{n}" for r, n in reasons.items())]
    if report.new:
        lines += ["", "Try /random or /search."]
    return _fit("\n".join(lines))


def import_failed(name: str, reason: str) -> str:
    """An import that was refused; nothing was stored."""
    return f"❌ I couldn't import <i>{escape(name)}</i>: {escape(reason)}\nNothing was changed."


def settings_text(settings: ChatSettings) -> str:
    """/settings."""
    state = "⏸ paused (/resume)" if settings.paused else "▶️ on (/pause)"
    weights = (
        ", ".join(f"{escape(hashtag(name))} ×{weight}" for name, weight in settings.weights)
        if settings.weights
        else "all tags ×1"
    )
    return (
        "⚙️ <b>Daily delivery</b>\n\n"
        f"Time: <b>{settings.delivery_time}</b> (/time HH:MM)\n"
        f"Time zone: <b>{escape(settings.timezone)}</b> (/timezone Area/City or +HH:MM)\n"
        f"Mode: <b>{settings.mode}</b> (/mode {MODES})\n"
        f"Tag weights: {weights} (/weight tag N)\n"
        f"Delivery: {state}"
    )


def time_set(time: str) -> str:
    """/time done."""
    return f"⏰ Your daily highlight now comes at <b>{escape(time)}</b>."


def timezone_set(name: str, local_time: str) -> str:
    """/timezone done."""
    return f"🌍 Time zone set to <b>{escape(name)}</b> (it is {escape(local_time)} there now)."


MODE_SET = {
    DeliveryMode.RANDOM: "🎲 Random mode: every highlight is equally likely.",
    DeliveryMode.WEIGHTED: (
        "⚖️ Weighted mode: tags you weight with /weight come more often; favorites too."
    ),
}
MODES = "|".join(DeliveryMode)


def mode_usage() -> str:
    """/mode without a mode."""
    return usage(" or ".join(f"<code>/mode {mode}</code>" for mode in DeliveryMode))


def mode_set(mode: DeliveryMode) -> str:
    """/mode done."""
    return MODE_SET[mode]


def weight_set(name: str, weight: int) -> str:
    """/weight done."""
    if weight == 0:
        return f"🚫 Highlights tagged {escape(hashtag(name))} won't be delivered."
    return f"⚖️ {escape(hashtag(name))} now weighs {weight} in weighted mode."


PAUSED = "⏸ Daily delivery paused. /resume brings it back."
RESUMED = "▶️ Daily delivery resumed."


def stats_text(stats: LibraryStats) -> str:
    """/stats as text (the chart carries the same numbers)."""
    if not stats.highlights:
        return EMPTY_LIBRARY
    lines = [
        "📊 <b>Your library</b>",
        "",
        f"{stats.highlights} highlights in {stats.books} books",
        f"{stats.notes} notes · {stats.tags} tags · {stats.favorites} favorites · "
        f"{stats.discarded} discarded",
    ]
    if stats.top_books:
        lines += ["", "<b>Top books</b>"]
        lines += [f"{n} · {escape(title)}" for title, _, n in stats.top_books]
    if stats.top_tags:
        lines += ["", "<b>Top tags</b>"]
        lines += [f"{n} · {escape(hashtag(name))}" for name, n in stats.top_tags]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What a reply or an annotation command changed, said in one line."""

    added: Sequence[str] = ()
    removed: Sequence[str] = ()
    note_saved: bool = False
    note_edited: bool = False

    def text(self) -> str:
        parts = []
        if self.added:
            parts.append("🏷 Tagged " + escape(_hashtags(self.added)))
        if self.removed:
            parts.append("✖ Removed " + escape(_hashtags(self.removed)))
        if self.note_saved:
            parts.append("📝 Note saved")
        if self.note_edited:
            parts.append("📝 Note updated")
        return " · ".join(parts) if parts else "Nothing to change."
