"""What the bot says in conversation: greeting, help, imports, refusals, settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.delivery.rhythm import EVERY_DAY, EVERY_OTHER_DAY, WEEKENDS, WEEKLY, WORKDAYS, Rhythm
from bot.library.chats import ChatSettings, zone
from bot.library.importing import ImportReport
from bot.library.selection import DeliveryMode
from bot.parsers import FORMATS, FileRead, apple_books, formats_in_words
from bot.plural import counted
from bot.telegram.render._text import fit, hashtag, hashtags
from bot.telegram.render.library import FORMAT_LIST, SEARCH_TIPS

ALL_DISCARDED = (
    "🙈 You discarded every highlight in your library. Find one with /search and tap "
    "↩️ Undo discard under it to bring it back, or send me a file to import more."
)


def welcome(*, empty: bool, name: str | None) -> str:
    """/start."""
    hello = f"👋 Hello{', ' + escape(name) if name else ''}! I'm Commonplace."
    body = "Every day I send you one of your book highlights, so what you read comes back to you."
    if empty:
        return (
            f"{hello}\n\n{body}\n\n"
            "Your library is empty. Tap the button below to load a sample library "
            "(<i>The DevOps Handbook</i>), or send me your own highlights export from "
            f"{formats_in_words()}: /import says where to find each file.\n\n"
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
    "Sending the same file again is safe: only new highlights are added. Telegram lets me "
    "download files up to 20 MB: zip a bigger one and send the .zip."
)

NOT_ALLOWED = "🔒 This is a private Commonplace bot. You can run your own."
NOT_A_HIGHLIGHT = (
    "↩️ Replies work on my highlight messages: reply to one with <code>#tags</code> to tag "
    "it, <code>-#tag</code> to untag it, any other text to add a note, or ❤ to make it a "
    "favorite. To search, send your words as a message of their own."
)


def card_usage(themes: Sequence[str]) -> str:
    """/card with a theme it does not know."""
    return usage(
        "Reply to a highlight with <code>/card</code>, or pick a theme: "
        + ", ".join(f"<code>/card {escape(theme)}</code>" for theme in themes)
        + ". The chat keeps the theme you pick."
    )


def not_allowed(link: str | None) -> str:
    """The refusal of a chat outside ALLOWED_CHAT_IDS (plain text), with RUN_YOUR_OWN_URL."""
    return f"{NOT_ALLOWED[:-1]}: {link}" if link else NOT_ALLOWED


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
        f"{limit / 2**20:.0f} MB (Telegram's limit for bots). Zip it and send the .zip: "
        "exports shrink a lot when zipped. Or import it with the command line: "
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
        f"{report.updated} updated, {counted(report.notes, 'note')}, "
        f"{len(report.all_skipped)} skipped.",
        "",
    ]
    # Before the books, so that a long list of them never cuts it off.
    if report.files:
        lines += [*(_file_line(file) for file in report.files[:20]), ""]
    if len(report.files) > 20:
        lines[-1:-1] = [f"…and {len(report.files) - 20} more files."]
    for notice in report.notices:
        lines += [f"⚠️ {escape(notice)}", ""]
    for book in report.books[:20]:
        by = f" — {escape(book.author)}" if book.author else ""
        parts = [f"{book.new} new"]
        parts += [f"{book.duplicates} already there"] if book.duplicates else []
        parts += [f"{book.updated} updated"] if book.updated else []
        parts += [counted(book.notes, "note")] if book.notes else []
        parts += [f"{len(book.skipped)} skipped"] if book.skipped else []
        lines.append(f"📘 <b>{escape(book.title)}</b>{by}: {', '.join(parts)}")
    if len(report.books) > 20:
        lines.append(f"…and {counted(len(report.books) - 20, 'more book')}.")
    reasons: dict[str, int] = {}
    for skipped in report.all_skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    if reasons:
        lines += ["", "Skipped: " + "; ".join(f"{escape(r)} ×{n}" for r, n in reasons.items())]
    if report.new:
        lines += ["", "Try /random or /search."]
    return fit("\n".join(lines))


_LABELS = {entry.name: entry.label for entry in FORMATS}


def _file_line(file: FileRead) -> str:
    """One file of a zip in the import report."""
    if file.format is None:
        return f"📄 {escape(file.name)}: not read, {escape(file.problem or 'unknown')}"
    if file.format == apple_books.LIBRARY:
        return f"📄 {escape(file.name)}: Apple Books library, for titles and authors"
    label = _LABELS.get(file.format, escape(file.format))
    return f"📄 {escape(file.name)}: {label}, {file.records} read"


def import_failed(name: str, reason: str) -> str:
    """An import that was refused; nothing was stored."""
    return f"❌ I couldn't import <i>{escape(name)}</i>: {escape(reason)}\nNothing was changed."


def settings_text(settings: ChatSettings) -> str:
    """/settings."""
    state = "⏸ paused (/resume)" if settings.paused else "▶️ on (/pause)"
    if settings.snoozed_until is not None and not settings.paused:
        until = local_day(settings.snoozed_until, settings.timezone)
        state = f"⏸ paused until {until} (/resume)"
    weights = (
        ", ".join(f"{escape(hashtag(name))} ×{weight}" for name, weight in settings.weights)
        if settings.weights
        else "all tags ×1"
    )
    return (
        "⚙️ <b>Daily delivery</b>\n\n"
        f"Time: <b>{settings.delivery_time}</b> (/time HH:MM)\n"
        f"Review: <b>{review_size(settings.review_size)}</b> (/review N)\n"
        f"Time zone: <b>{escape(settings.timezone)}</b> (/timezone Area/City or +HH:MM)\n"
        f"Days: <b>{days_words(settings.days)}</b> (/days)\n"
        f"Mode: <b>{settings.mode}</b> (/mode {MODES})\n"
        f"Tag weights: {weights} (/weight tag N)\n"
        f"Delivery: {state}"
    )


def review_size(size: int) -> str:
    """How many highlights a review holds, in words."""
    return "1 highlight" if size == 1 else f"{size} highlights"


def review_usage() -> str:
    """/review with the wrong arguments."""
    return usage(
        "<code>/review</code> for today's review now, or <code>/review N</code> to set how "
        "many highlights it holds (1 to 15), for example <code>/review 5</code>"
    )


def review_size_set(size: int) -> str:
    """/review N done."""
    return f"📚 Your daily review now holds <b>{review_size(size)}</b>." + (
        "" if size == 1 else " Tap Next ▶ under each one to see the next."
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
PAUSE_USAGE = usage(
    "<code>/pause</code> pauses until /resume; <code>/pause 7d</code> (or <code>3d</code>, "
    "<code>2w</code>) pauses for that long and resumes by itself."
)
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NAMED_DAYS = {
    EVERY_DAY: "every day",
    WORKDAYS: "weekdays (Mon–Fri)",
    WEEKENDS: "weekends (Sat, Sun)",
    EVERY_OTHER_DAY: "every other day",
    WEEKLY: "weekly",
}
DAYS_USAGE = (
    "<code>/days every day</code>, <code>/days weekdays</code>, <code>/days mon wed fri</code>, "
    "<code>/days every other day</code> or <code>/days weekly</code>"
)


def local_day(moment: datetime, timezone_name: str) -> str:
    """A moment's date in the chat's zone, as a reader reads it: ``Fri 11 Dec 2026``."""
    local = moment.astimezone(zone(timezone_name))
    return f"{_WEEKDAY_NAMES[local.weekday()]} {local.day} {local:%b %Y}"


def days_words(days: Rhythm) -> str:
    """A rhythm in words."""
    if days in _NAMED_DAYS:
        return _NAMED_DAYS[days]
    return ", ".join(_WEEKDAY_NAMES[number] for number in sorted(days.weekdays))


def days_shown(days: Rhythm) -> str:
    """/days alone: the current rule and how to change it."""
    return f"📅 Reviews come <b>{days_words(days)}</b>.\n\n" + usage(DAYS_USAGE)


def days_set(days: Rhythm) -> str:
    """/days done."""
    if days == WEEKLY:
        return "📅 Reviews now come weekly: seven days after the one before."
    return f"📅 Reviews now come <b>{days_words(days)}</b>."


def snoozed(until: datetime, timezone_name: str) -> str:
    """/pause 7d done."""
    return (
        f"⏸ Daily delivery paused until {local_day(until, timezone_name)}; it resumes by itself. "
        "/resume brings it back sooner."
    )


RESUMED = "▶️ Daily delivery resumed."


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
            parts.append("🏷 Tagged " + escape(hashtags(self.added)))
        if self.removed:
            parts.append("✖ Removed " + escape(hashtags(self.removed)))
        if self.note_saved:
            parts.append("📝 Note saved")
        if self.note_edited:
            parts.append("📝 Note updated")
        return " · ".join(parts) if parts else "Nothing to change."
