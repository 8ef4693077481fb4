"""Every command the bot has, in one table: the handlers, the menu, /help and the metrics'
names all come from it. To add a command, add its handler and a row here."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import BotCommand, Update

from bot.telegram import render
from bot.telegram.context import Context, require_message
from bot.telegram.handlers import (
    annotating,
    basics,
    books,
    library_io,
    preferences,
    reading,
    reviewing,
    searching,
    sharing,
    themes,
)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


class Group(StrEnum):
    """The sections of /help, in the order it shows them."""

    READING = "Reading"
    ANNOTATING = "Annotating"
    DELIVERY = "Daily delivery"
    DATA = "Your data"


@dataclass(frozen=True, slots=True)
class Command:
    """One command: what runs it, its line in Telegram's menu, where /help lists it."""

    name: str
    handler: Handler
    menu: str
    group: Group
    arguments: str = ""
    """What follows the command in /help, as HTML (``<i>words</i>``)."""


async def help_command(update: Update, context: Context) -> None:
    """Explain every command."""
    await require_message(update).reply_html(help_text())


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command that is not in the table with help."""
    message = require_message(update)
    command = (message.text or "").split()[0] if message.text else "/"
    await message.reply_html(render.unknown_command(command.split("@")[0], help_text()))


# The order is the menu's.
COMMANDS: tuple[Command, ...] = (
    Command("start", basics.start, "Welcome, and restart daily delivery", Group.DATA),
    Command("random", reading.random_command, "One highlight now", Group.READING),
    Command(
        "search", searching.search_command, "Search your highlights", Group.READING, "<i>words</i>"
    ),
    Command("tags", searching.tags_command, "Your tags with counts", Group.READING),
    Command("books", books.books_command, "Your books, and how often each comes", Group.READING),
    Command("settings", preferences.settings_command, "Daily delivery settings", Group.DELIVERY),
    Command(
        "review",
        reviewing.review_command,
        "Today's review now; /review 5 sets its size",
        Group.DELIVERY,
        "[<i>N</i>]",
    ),
    Command(
        "theme",
        themes.theme_command,
        "Themed reviews from a search: /theme add stoic tag:stoicism",
        Group.DELIVERY,
        "[add|del] <i>name</i> [<i>query</i> | at <i>19:00</i> <i>days</i>]",
    ),
    Command(
        "time", preferences.time_command, "Set the daily time, e.g. /time 07:30", Group.DELIVERY
    ),
    Command(
        "timezone",
        preferences.timezone_command,
        "Set your time zone, e.g. /timezone Europe/Berlin",
        Group.DELIVERY,
    ),
    Command(
        "days",
        preferences.days_command,
        "Which days it comes: every day, weekdays, mon wed fri, every other day, weekly",
        Group.DELIVERY,
        "<i>days</i>",
    ),
    Command(
        "mode",
        preferences.mode_command,
        "random or weighted delivery",
        Group.DELIVERY,
        render.MODES,
    ),
    Command(
        "weight",
        preferences.weight_command,
        "Weight a tag, e.g. /weight culture 3",
        Group.DELIVERY,
        "<i>tag</i> <i>N</i>",
    ),
    Command(
        "pause",
        preferences.pause_command,
        "Pause daily delivery, or for a while: /pause 7d",
        Group.DELIVERY,
    ),
    Command("resume", preferences.resume_command, "Resume daily delivery", Group.DELIVERY),
    Command(
        "streak",
        reviewing.streak_command,
        "Show or hide your review streak",
        Group.DELIVERY,
        "on|off",
    ),
    Command("stats", library_io.stats_command, "Your library and reviews in numbers", Group.DATA),
    Command(
        "export",
        library_io.export_command,
        "Get your library as CSV, Markdown, an Anki deck or Obsidian notes",
        Group.DATA,
    ),
    Command("import", library_io.import_help, "How to import your highlights", Group.DATA),
    Command(
        "tag",
        annotating.tag_command,
        "As a reply to a highlight: add tags",
        Group.ANNOTATING,
        "<i>names</i>",
    ),
    Command(
        "untag",
        annotating.untag_command,
        "As a reply to a highlight: remove tags",
        Group.ANNOTATING,
        "<i>names</i>",
    ),
    Command(
        "note",
        annotating.note_command,
        "As a reply to a highlight: add a note",
        Group.ANNOTATING,
        "<i>text</i>",
    ),
    Command(
        "fav", annotating.fav_command, "As a reply to a highlight: favorite it", Group.ANNOTATING
    ),
    Command(
        "discard",
        annotating.discard_command,
        "As a reply to a highlight: never send it again",
        Group.ANNOTATING,
    ),
    Command(
        "card",
        sharing.card_command,
        "As a reply to a highlight: a quote card to share",
        Group.ANNOTATING,
        "<i>light|dark|sepia</i>",
    ),
    Command("help", help_command, "How Commonplace works", Group.DATA),
)

NAMES = frozenset(command.name for command in COMMANDS)


def menu() -> list[BotCommand]:
    """Telegram's command menu (setMyCommands)."""
    return [BotCommand(command.name, command.menu) for command in COMMANDS]


def help_text() -> str:
    """/help, every command in its section."""
    sections = {
        group.value: [
            (command.name, command.arguments, command.menu)
            for command in COMMANDS
            if command.group is group
        ]
        for group in Group
    }
    return render.help_text(sections)
