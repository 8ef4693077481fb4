"""What /theme says: the themes, a theme saved, scheduled or deleted."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.delivery import rhythm
from bot.delivery.themed import ThemeSchedule
from bot.library.themes import ThemeInfo
from bot.plural import counted
from bot.telegram.render.conversation import days_words

THEME_USAGE = (
    "🎯 <b>Themes</b> are reviews made from a search.\n"
    "/theme add <i>name</i> <i>query</i> saves one, with /search's words, "
    "<code>tag:</code> and <code>book:</code> (e.g. <code>/theme add stoic tag:stoicism</code>)\n"
    "/theme <i>name</i> sends its review now\n"
    "/theme <i>name</i> at <i>19:00</i> <i>weekdays</i> sends it on its own days; "
    "/theme <i>name</i> off stops that\n"
    "/theme del <i>name</i> deletes it\n"
    "/theme lists your themes"
)
NO_THEMES = "🎯 You have no themes yet.\n\n" + THEME_USAGE


def _when(time: str | None, days: rhythm.Rhythm) -> str:
    return f"{days_words(days)} at {escape(time)}" if time else "when you ask"


def themes_text(themes: Sequence[ThemeInfo]) -> str:
    """/theme alone: the chat's themes."""
    if not themes:
        return NO_THEMES
    lines = ["🎯 <b>Your themes</b>"]
    for theme in themes:
        when = _when(theme.delivery_time, rhythm.decode(theme.days))
        lines.append(f"• <b>{escape(theme.name)}</b>: <code>{escape(theme.query)}</code> — {when}")
    lines += ["", "/theme <i>name</i> sends one now."]
    return "\n".join(lines)


def theme_saved(name: str, matches: int) -> str:
    """/theme add done: saved even when nothing matches yet, which it says."""
    shown = escape(name)
    if not matches:
        return (
            f"🎯 Theme <b>{shown}</b> saved, but no highlight matches it yet: "
            "it will draw on the ones you import that do."
        )
    found = f"{counted(matches, 'highlight')}{'+' if matches >= 1000 else ''}"
    verb = "matches" if matches == 1 else "match"
    return f"🎯 Theme <b>{shown}</b> saved: {found} {verb}. /theme {shown} sends one now."


def theme_deleted(name: str) -> str:
    """/theme del done."""
    return f"🗑 Theme <b>{escape(name)}</b> deleted."


def theme_scheduled(schedule: ThemeSchedule) -> str:
    """/theme NAME at ... or off done."""
    name = escape(schedule.name)
    if schedule.delivery_time is None:
        return f"🎯 Theme <b>{name}</b> now comes only when you ask: /theme {name}."
    return (
        f"🎯 Theme <b>{name}</b> comes {_when(schedule.delivery_time, schedule.days)}, "
        "besides your daily review."
    )


def theme_empty(name: str) -> str:
    """/theme NAME when none of the library matches it."""
    return f"🎯 No highlight matches theme <b>{escape(name)}</b> now."


def theme_already_sent(name: str) -> str:
    """/theme NAME a second time on one day."""
    return f"🎯 Today's <b>{escape(name)}</b> review has gone out already: here it is."
