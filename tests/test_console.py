"""The console as a person uses it: lines in, the bot's own handlers, a real SQLite, text out."""

from __future__ import annotations

import io
import re
import shutil
import socket
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from bot import db
from bot.config import Settings
from bot.console import ConsoleSession, Screen, run_console, styled_lines
from bot.fake_telegram import parse_html
from tests.ports import free_port

CHAT = 42
CLIPPINGS = """\ufeffThe Phoenix Project (Kim, Gene)
- Your Highlight on page 12 | Location 170-172 | Added on Monday, March 4, 2024 9:15:02 PM

Improving daily work is even more important than doing daily work.
==========
The Phoenix Project (Kim, Gene)
- Your Highlight on page 40 | Location 601-603 | Added on Tuesday, March 5, 2024 8:01:44 AM

Any improvement not made at the bottleneck is an illusion.
==========
"""
HINT = re.compile(r"^  \? .+ \(type help for the console commands\)$", re.MULTILINE)


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A migrated database of its own; the console runs in tmp_path (exports land there)."""
    shutil.copy(sqlite_template, tmp_path / "commonplace.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "500")  # one line per line, so phrases can be matched
    return Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'commonplace.db'}",
        allowed_chat_ids=frozenset(),
        log_level="WARNING",
    )


def talk(settings: Settings, *lines: str, chat_id: int = CHAT) -> str:
    """Everything the console printed for these input lines (then the end of input)."""
    out = io.StringIO()
    script = io.StringIO("".join(f"{line}\n" for line in lines))
    run_console(settings, chat_id=chat_id, stdin=script, stdout=out)
    return out.getvalue()


def bot_said(out: str, header: str) -> list[str]:
    """The lines of the last bot message (or edit) drawn under ``header``, e.g. ``[5 edited]``."""
    blocks: list[tuple[str, list[str]]] = []
    for line in out.splitlines():
        match = re.match(r"(\[\d+(?: edited)?\])(?! you)", line)
        if match:
            blocks.append(
                (match[1], [line[match.end() :].strip()] if match.end() < len(line) else [])
            )
        elif blocks and (line.startswith("  ") or not line) and not HINT.match(line):
            blocks[-1][1].append(line.removeprefix("  "))
        else:
            blocks.append(("", []))
    found = [lines for name, lines in blocks if name == header]
    assert found, f"no {header} in:\n{out}"
    lines = found[-1]
    while lines and not lines[-1]:  # the blank line printed when the input ends
        lines.pop()
    return lines


SAMPLE = ("/start", "! 1")  # [1] /start, [2] welcome, [3] the import report


def test_start_offers_the_sample_library_and_its_button_imports_it(settings: Settings) -> None:
    out = talk(settings, *SAMPLE)

    assert f"You are chat {CHAT}: the library you read and change is chat {CHAT}'s" in out
    assert "[1] you: /start" in out
    welcome = bot_said(out, "[2]")
    assert welcome[4].startswith("Your library is empty. Tap the button below to load a sample")
    assert welcome[-1] == "(1) 📚 Load the sample library"
    assert "you pressed (1) 📚 Load the sample library on [2]" in out
    assert "  » Loading the sample library…" in out
    assert bot_said(out, "[2 edited]") == ["buttons removed"]
    report = bot_said(out, "[3]")
    assert report[0].startswith("✅ Imported the-devops-handbook.txt: ")
    assert report[2].startswith("📘 The DevOps Handbook: ")
    assert report[-1] == "Try /random or /search."
    # Telegram HTML became terminal styling: no tag and no escaped entity is ever printed.
    assert not re.search(r"</?(b|i|code|blockquote|a)\b|&lt;|&gt;|&amp;", out)


def test_random_shows_a_highlight_with_buttons(settings: Settings) -> None:
    out = talk(settings, *SAMPLE, "/random")

    highlight = bot_said(out, "[5]")
    assert any(line.startswith("— The DevOps Handbook") for line in highlight)
    # The sample has favorites too, so the star may be either.
    assert re.fullmatch(r"\(1\) [☆⭐] Favorite  \(2\) 🔀 Another", highlight[-3])
    assert highlight[-2] == "(3) 🙈 Discard  (4) 🏷 Tags"
    assert highlight[-1] == "(5) 🖼 Card"


def test_a_reply_tags_and_notes_the_highlight_and_search_finds_it(settings: Settings) -> None:
    out = talk(
        settings,
        *SAMPLE,
        "/search Goldratt",  # [4], results [5]
        "! 1",  # the highlight [6]
        "> 6 #idea zebra crossing",  # [7], confirmation [8]
        "/search tag:idea",  # [9], [10]
        "/search zebra",  # [11], [12]
        "! 1",  # [13]
    )

    assert "[7] you ↩ [6]: #idea zebra crossing" in out
    assert bot_said(out, "[8]") == ["🏷 Tagged #idea · 📝 Note saved"]
    assert bot_said(out, "[10]")[0] == "🔎 1 result for tag:idea (1–1)"
    assert bot_said(out, "[12]")[0] == "🔎 1 result for zebra (1–1)"
    opened = bot_said(out, "[13]")
    assert opened[0].startswith("▌ Dr. Goldratt defined the “five focusing steps”")
    assert "#idea" in opened
    assert "📝 zebra crossing" in opened


def test_editing_a_reply_edits_its_note(settings: Settings) -> None:
    out = talk(
        settings,
        *SAMPLE,
        "/search Westrum",  # [4], [5]
        "! 1",  # [6]
        "> 6 zebra note",  # [7], [8]
        "edit 7 giraffe note",  # [9]
        "/search giraffe",  # [10], [11]
        "/search zebra",  # [12], [13]
    )

    assert "[7 edited] you ↩ [6]: giraffe note" in out
    assert bot_said(out, "[9]") == ["📝 Note updated"]
    assert bot_said(out, "[11]")[0] == "🔎 1 result for giraffe (1–1)"
    assert bot_said(out, "[13]")[0] == "🔎 Nothing found for zebra."


def test_favorite_button_toggles_and_redraws_the_buttons(settings: Settings) -> None:
    out = talk(settings, *SAMPLE, "/search Goldratt", "! 1", "! 1", "! 6 1")

    assert "you pressed (1) ☆ Favorite on [6]" in out
    assert "you pressed (1) ⭐ Favorite on [6]" in out
    notices = re.findall(r"^  » (.*)$", out, re.MULTILINE)
    assert notices[-2:] == ["⭐ Favorite", "☆ Unfavorited"]
    redrawn = out.split("[6 edited]")[1:]
    assert [block.splitlines()[1] for block in redrawn] == [
        "  (1) ⭐ Favorite  (2) 🔀 Another",
        "  (1) ☆ Favorite  (2) 🔀 Another",
    ]


def test_reacting_with_a_heart_marks_a_favorite(settings: Settings) -> None:
    out = talk(settings, *SAMPLE, "/random", "+ 5 ❤", "> 5 /fav")

    assert "you reacted ❤ to [5]" in out
    assert "  (no answer)" in out  # the bot marks it quietly
    # /fav toggles: the heart had made it a favorite.
    assert bot_said(out, "[7]") == ["☆ No longer a favorite."]


def test_search_pages_turn_in_place(settings: Settings) -> None:
    out = talk(settings, *SAMPLE, "/search the", "! 6", "! 5 6")

    first = bot_said(out, "[5]")
    total = re.fullmatch(r"🔎 (\d+) results for the \(1–5\)", first[0])
    assert total is not None and int(total[1]) > 10
    assert first[-2:] == ["(1) 1  (2) 2  (3) 3  (4) 4  (5) 5", "(6) Next ▶️"]
    turned = out.split("[5 edited]")[1:]
    assert len(turned) == 2
    assert f"🔎 {total[1]} results for the (6–10)" in turned[0]
    assert "(1) 6  (2) 7  (3) 8  (4) 9  (5) 10\n  (6) ◀️ Previous  (7) Next ▶️" in turned[0]
    # Button 6 of the second page is "Previous".
    assert f"🔎 {total[1]} results for the (1–5)" in turned[1]


def test_a_file_imports_kindle_clippings(settings: Settings, tmp_path: Path) -> None:
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(CLIPPINGS, encoding="utf-8")
    size = len(CLIPPINGS.encode())

    out = talk(settings, f"file {clippings}", "/search bottleneck", "file My Clippings.txt")

    assert f"[1] you: 📎 My Clippings.txt ({size:,} bytes)" in out
    assert bot_said(out, "[2]") == ["⏳ Importing My Clippings.txt…"]
    report = re.findall(r"✅ Imported My Clippings.txt: .*", out)
    assert report == [
        "✅ Imported My Clippings.txt: 2 new, 0 already there, 0 updated, 0 notes, 0 skipped.",
        "✅ Imported My Clippings.txt: 0 new, 2 already there, 0 updated, 0 notes, 0 skipped.",
    ]
    assert bot_said(out, "[4]")[0] == "🔎 1 result for bottleneck (1–1)"


def test_stats_and_export_save_their_files(settings: Settings, tmp_path: Path) -> None:
    # /export's buttons: CSV, Markdown twice (the second copy gets a free name), Anki, Obsidian.
    out = talk(settings, *SAMPLE, "/stats", "/export", "! 1", "! 2", "! 2", "! 3", "! 4")

    assert "🖼 stats.png saved to exports/stats.png" in out
    assert (tmp_path / "exports" / "stats.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "📎 commonplace.csv saved to exports/commonplace.csv" in out
    assert "📎 commonplace.md saved to exports/commonplace-2.md" in out
    assert "📎 commonplace-anki.txt saved to exports/commonplace-anki.txt" in out
    assert "📎 commonplace-obsidian.zip saved to exports/commonplace-obsidian.zip" in out
    with zipfile.ZipFile(tmp_path / "exports" / "commonplace-obsidian.zip") as vault:
        assert vault.namelist() == ["Commonplace/The DevOps Handbook (1).md"]
    csv = (tmp_path / "exports" / "commonplace.csv").read_text(encoding="utf-8")
    assert csv.startswith("Highlight,Book Title,Book Author")
    assert "Dr. Goldratt defined" in csv


def test_unknown_console_syntax_gets_a_one_line_hint(settings: Settings) -> None:
    out = talk(
        settings,
        "! 1",
        "👋",  # [1]: no words, so not a search
        "! x",
        "> 1",
        "+",
        "edit",
        "edit 9 text",
        "> 9 text",
        "file no/such/file.txt",
    )

    hints = HINT.findall(out)
    assert hints == [
        "  ? no message has buttons yet (type help for the console commands)",
        "  ? not understood: '! x'; ! B presses button B, ! N B button B of message N"
        " (type help for the console commands)",
        "  ? not understood: '> 1'; > N text replies to message N"
        " (type help for the console commands)",
        "  ? not understood: '+'; + N ❤ reacts to message N (type help for the console commands)",
        "  ? not understood: 'edit'; edit N text edits your message N"
        " (type help for the console commands)",
        "  ? there is no message [9] (type help for the console commands)",
        "  ? there is no message [9] (type help for the console commands)",
        "  ? no such file: no/such/file.txt (type help for the console commands)",
    ]
    assert "[1] you: 👋\n  (no answer)" in out
    assert "Traceback" not in out


def test_quit_leaves_and_nothing_after_it_is_read(settings: Settings) -> None:
    out = talk(settings, "help", "quit", "/start")

    assert "  ! B               press button B of the latest buttons" in out
    assert "[1] you" not in out


def test_the_library_outlives_the_session_and_replies_find_the_right_highlight(
    settings: Settings,
) -> None:
    talk(settings, *SAMPLE, "/search Goldratt", "! 1", "> 6 #first")  # Goldratt is [6]

    # A new session numbers from 1 again: its [6] shows another highlight, and the database
    # must not mistake it for the old [6].
    out = talk(
        settings,
        "👋",  # [1]
        "/start",  # [2], [3]
        "/search Westrum",  # [4], [5]
        "! 1",  # [6]
        "> 6 #second",  # [7], [8]
        "/search tag:second",  # [9], [10]
    )

    assert "(1) 📚 Load the sample library" not in out
    assert bot_said(out, "[8]") == ["🏷 Tagged #second"]
    assert bot_said(out, "[10]")[2].startswith("1. Dr. Westrum defined three types of culture")


def test_a_chat_outside_the_allowlist_is_refused_as_in_telegram(settings: Settings) -> None:
    allowlisted = settings.model_copy(update={"allowed_chat_ids": frozenset({7})})

    out = talk(allowlisted, "/start")

    assert f"Chat {CHAT} is not in ALLOWED_CHAT_IDS" in out
    assert bot_said(out, "[2]") == ["🔒 This is a private Commonplace bot. You can run your own."]


def test_a_missing_sample_library_is_explained_and_the_bot_goes_on(
    settings: Settings, tmp_path: Path
) -> None:
    broken = settings.model_copy(update={"sample_library": tmp_path / "missing.txt"})

    out = talk(broken, *SAMPLE, "/help")

    said = bot_said(out, "[3]")
    assert said[0].startswith("❌ I couldn't import missing.txt: the sample library is missing")
    assert said[-1] == "Nothing was changed."
    assert "Traceback" not in out
    assert (
        bot_said(out, "[5]")[0] == "📖 Commonplace brings your book highlights back into your life."
    )


def test_in_a_group_the_bot_replies_to_the_message(settings: Settings) -> None:
    out = talk(settings, "/start", chat_id=-1001234)

    assert "[2] ↩ [1]" in out


async def test_the_console_runs_neither_the_daily_delivery_nor_the_health_server(
    settings: Settings,
) -> None:
    """The tick would "deliver" every due chat's highlight here; the port is the bot's."""
    port = free_port()
    settings = settings.model_copy(update={"health_port": port})
    engine = db.create_db_engine(settings.database_url)
    screen = Screen(Console(file=io.StringIO()))
    session = ConsoleSession(settings, db.session_factory(engine), chat_id=CHAT, screen=screen)
    await session.open()
    try:
        assert session.application.job_queue is not None
        assert session.application.job_queue.jobs() == ()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert await session.handle("/help")
        assert not await session.handle("quit")
    finally:
        await session.close()
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# How the console draws what Telegram made of the bot's HTML


def test_quotes_keep_their_bar_when_wrapped_and_links_show_their_address() -> None:
    out = io.StringIO()
    screen = Screen(Console(file=out, width=24, soft_wrap=True))
    parsed = parse_html(
        "<blockquote>one two three four five six</blockquote>\n<a href='https://x.org'>site</a>"
    )
    text, entities = parsed.text, parsed.entities
    lines = [str(line) for line, _ in styled_lines(text, entities)]
    assert lines == ["one two three four five six", "site (https://x.org)"]

    assert [str(row) for row in screen._body(text, entities)] == [
        "▌ one two three four",
        "▌ five six",
        "site (https://x.org)",
    ]


def test_days_snooze_and_a_books_frequency_work_in_the_console(settings: Settings) -> None:
    out = talk(
        settings,
        *SAMPLE,
        "/days mon wed fri",  # [4], [5]
        "/pause 7d",  # [6], [7]
        "/settings",  # [8], [9]
        "/books",  # [10], [11]
        "! 1",  # the first book's page, in [11]
        "! 1",  # Never
    )

    assert bot_said(out, "[5]") == ["📅 Reviews now come Mon, Wed, Fri."]
    assert bot_said(out, "[7]")[0].startswith("⏸ Daily delivery paused until ")
    settings_shown = bot_said(out, "[9]")
    assert "Days: Mon, Wed, Fri (/days)" in settings_shown
    assert any(line.startswith("Delivery: ⏸ paused until ") for line in settings_shown)
    assert bot_said(out, "[11]")[0] == "📚 Your books (1)"
    page = bot_said(out, "[11 edited]")
    assert page[0] == "📘 The DevOps Handbook"
    assert "How often it comes: never: its highlights are not sent" in page
    assert "(1) ✓ 🙈 Never  (2) ➖ Less" in page


def favorite_star(card: list[str]) -> str:
    """The star a review card's Favorite button shows: the sample library's one favorite (its
    seed tags it "favorite") comes with ⭐, which a review, drawn at random, may pick."""
    favorite = any("TRANSFORM LOCAL DISCOVERIES" in line for line in card)
    return "⭐" if favorite else "☆"


def test_a_review_walks_card_by_card_in_one_message_with_feedback(settings: Settings) -> None:
    out = talk(
        settings,
        *SAMPLE,
        "/review 3",  # [4], [5]
        "/review",  # [6], today's review [7]
        "! 1",  # 🔁 Sooner
        "! 6",  # Next ▶
        "! 3",  # 🙈 Never
        "! 6",  # Next ▶: the last card
        "/review",  # [8], [9]: today's is done
    )

    first = bot_said(out, "[7]")
    assert first[0] == "1/3"
    assert first[-3:] == [
        "(1) 🔁 Sooner  (2) ⏩ Later  (3) 🙈 Never",
        f"(4) {favorite_star(first)} Favorite  (5) 🏷 Tags  (6) Next ▶",
        "(7) 🖼 Card",
    ]
    assert "  » 🔁 Sooner: it comes back in about 7 days." in out
    assert "  » 🙈 It won't come again. ↩️ Undo brings it back." in out
    last = bot_said(out, "[7 edited]")
    assert last[0] == "3/3"
    assert "✅ Review done · 🔥 1 review in a row" in last
    assert last[-2:] == [f"(4) {favorite_star(last)} Favorite  (5) 🏷 Tags", "(6) 🖼 Card"]
    answer = bot_said(out, "[9]")
    assert answer[0] == "↩ [7]"  # a reply to the review's message
    assert answer[1].startswith("📚 Today's review has gone out already")


def test_a_theme_is_saved_sent_and_listed(settings: Settings) -> None:
    out = talk(
        settings,
        *SAMPLE,
        "/theme add devops book:devops",  # [4], [5]
        "/theme devops",  # [6], its review [7]
        "/theme devops at 19:00 weekdays",  # [8], [9]
        "/theme",  # [10], [11]
    )

    assert bot_said(out, "[5]")[0].startswith("🎯 Theme devops saved: ")
    review = bot_said(out, "[7]")
    assert review[0] == "🎯 devops"
    assert any(line.startswith("— The DevOps Handbook") for line in review)
    assert bot_said(out, "[9]") == [
        "🎯 Theme devops comes weekdays (Mon–Fri) at 19:00, besides your daily review."
    ]
    listed = bot_said(out, "[11]")
    assert listed[:2] == [
        "🎯 Your themes",
        "• devops: book:devops — weekdays (Mon–Fri) at 19:00",
    ]
