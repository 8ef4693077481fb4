"""``commonplace console``: talk to the bot in a terminal. Same handlers, same database.

The bot is the one ``build_application`` wires for Telegram, fed one update per input line;
only its transport differs: ``ConsoleTelegram`` answers the Bot API in-process, and what the
bot sends is drawn here, HTML as terminal styles and inline buttons numbered for pressing.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TextIO

from pydantic import SecretStr
from rich.console import Console
from rich.text import Text
from sqlalchemy.engine import make_url
from telegram import Update

from bot import db
from bot._console_api import JSON, ChatMessage, ConsoleError, ConsoleTelegram
from bot._console_html import Entity
from bot.app import build_application
from bot.config import Settings

PROMPT = "› "
INDENT = "  "
EXPORTS = Path("exports")
USAGE = (
    ("/command or text", "a message to the bot: /start, /random, /search deploy…"),
    ("> N text", "reply to message N: #tags, -#tag, a note, /tag, /note, /fav…"),
    ("! B", "press button B of the latest buttons (! N B: of message N)"),
    ("+ N ❤", "react to message N (+ N alone takes your reaction back)"),
    ("edit N text", "edit your message N"),
    ("file PATH", "send a file, e.g. a Kindle My Clippings.txt"),
    ("help", "this list"),
    ("quit", "leave (Ctrl-D too)"),
)
_REPLY = re.compile(r">\s*(\d+)\s+(\S.*)")
_PRESS = re.compile(r"!\s*(\d+)(?:\s+(\d+))?")
_REACT = re.compile(r"\+\s*(\d+)(?:\s+(\S+))?")
_EDIT = re.compile(r"edit\s+(\d+)\s+(\S.*)", re.IGNORECASE)
_FILE = re.compile(r"file\s+(\S.*)", re.IGNORECASE)
_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "code": "cyan",
    "pre": "cyan",
    "spoiler": "reverse",
    "text_link": "underline",
}
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})


def console_settings(settings: Settings) -> Settings:
    """The bot's settings for the console: a placeholder token, and no health server.

    No request leaves the process, so the token is never checked; /healthz and /metrics
    belong to the running bot, whose port the console must not take.
    """
    return settings.model_copy(
        update={"telegram_bot_token": SecretStr("0:console"), "health_port": 0}
    )


def styled_lines(text: str, entities: list[Entity]) -> list[tuple[Text, bool]]:
    """Each line of a message as styled text, and whether it is inside a quote."""
    lines: list[tuple[Text, bool]] = []
    start = 0
    for raw in text.split("\n"):
        end = start + len(raw)
        quoted = any(e.kind in _QUOTES and e.start <= start < e.end for e in entities)
        lines.append((_styled(text, entities, start, end), quoted))
        start = end + 1
    return lines


def _styled(text: str, entities: list[Entity], start: int, end: int) -> Text:
    cuts = sorted(
        {start, end, *(min(max(p, start), end) for e in entities for p in (e.start, e.end))}
    )
    line = Text()
    for a, b in zip(cuts, cuts[1:], strict=False):
        styles = [
            _STYLES[e.kind] for e in entities if e.start <= a and b <= e.end and e.kind in _STYLES
        ]
        line.append(text[a:b], style=" ".join(styles) or None)
        for e in entities:
            # A link shows its address after its text, unless the text is the address.
            if e.kind == "text_link" and e.end == b and e.url and text[e.start : e.end] != e.url:
                line.append(f" ({e.url})", style="dim")
    return line


def _wrap(line: Text, console: Console, width: int) -> list[Text]:
    rows = list(line.wrap(console, max(width, 10)))
    for row in rows:
        row.rstrip()
    return rows


def _free_path(folder: Path, name: str) -> Path:
    """``folder/name``, numbered (``name-2.ext``…) so an earlier file is never overwritten."""
    base = Path(Path(name).name)  # a file name from the bot, never a path
    if base.name in ("", ".", ".."):
        base = Path("file")
    path, number = folder / base, 1
    while path.exists():
        number += 1
        path = folder / f"{base.stem}-{number}{base.suffix}"
    return path


class Screen:
    """Draws the chat with rich; files the bot sends are saved under ``exports``."""

    def __init__(self, console: Console, exports: Path = EXPORTS) -> None:
        self.console = console
        self.exports = exports
        self.drawn = 0
        """What the bot did, counted, so the console can say when it stayed silent."""

    # -- what the bot does (ChatView) -------------------------------------------------------

    def show(self, message: ChatMessage, *, edit: Literal["text", "keyboard"] | None) -> None:
        """Draw a bot message, or its edit; save the file it carries."""
        self.drawn += 1
        header = Text(f"[{message.number}{' edited' if edit else ''}]", style="bold cyan")
        if message.replied is not None and edit is None:
            header.append(f" ↩ [{message.replied.number}]", style="dim")
        lines: list[Text] = []
        if edit == "keyboard":
            if not message.keyboard:
                header.append(" buttons removed", style="dim")
        else:
            if message.file is not None and edit is None:
                lines.append(self._save(message))
            if message.text:
                lines += self._body(message.text, message.entities)
        lines += self._keyboard(message)
        self.console.print(header)
        for line in lines:
            self.console.print(Text(INDENT) + line if line else line)

    def notice(self, text: str, *, alert: bool) -> None:
        """A button's answer: a toast, or an alert the person has to dismiss in Telegram."""
        self.drawn += 1
        mark, style = ("⚠", "bold yellow") if alert else ("»", "yellow")
        self.console.print(Text(f"{INDENT}{mark} {text}", style=style))

    def deleted(self, message: ChatMessage) -> None:
        """The bot deleted a message."""
        self.drawn += 1
        self.console.print(Text(f"[{message.number} deleted]", style="dim"))

    def reacted(self, message: ChatMessage, emojis: list[str]) -> None:
        """The bot reacted to a message."""
        self.drawn += 1
        what = " ".join(emojis) or "nothing (reaction removed)"
        self.console.print(Text(f"[{message.number}] the bot reacted {what}", style="dim"))

    # -- what the person does ---------------------------------------------------------------

    def echo(self, message: ChatMessage, *, edited: bool = False) -> None:
        """The person's own message, with the number ``edit`` and ``>`` use."""
        line = Text(f"[{message.number}{' edited' if edited else ''}] you", style="dim")
        if message.replied is not None:
            line.append(f" ↩ [{message.replied.number}]", style="dim")
        if message.file is not None:
            line.append(f": 📎 {message.file.name} ({message.file.size:,} bytes)", style="dim")
        else:
            line.append(f": {message.text}", style="dim")
        self.console.print(line)

    def pressed(self, message: ChatMessage, number: int, label: str) -> None:
        """The person pressed a button."""
        self.console.print(Text(f"you pressed ({number}) {label} on [{message.number}]", "dim"))

    def reaction(self, message: ChatMessage) -> None:
        """The person reacted to a message."""
        what = message.reaction or "nothing (reaction removed)"
        self.console.print(Text(f"you reacted {what} to [{message.number}]", style="dim"))

    def hint(self, text: str) -> None:
        """One line about console syntax."""
        self.console.print(Text(f"{INDENT}? {text} (type help for the console commands)", "yellow"))

    def silent(self) -> None:
        """The bot did not answer."""
        self.console.print(Text(f"{INDENT}(no answer)", style="dim"))

    def help(self) -> None:
        """The console commands."""
        width = max(len(syntax) for syntax, _ in USAGE) + 2
        for syntax, meaning in USAGE:
            line = Text(INDENT + syntax.ljust(width), style="bold")
            line.append(meaning, style="not bold")
            self.console.print(line)

    def banner(self, *, chat_id: int, database: str, refused: bool) -> None:
        """What the console is, whose library it shows, and how to talk."""
        self.console.print(
            Text("Commonplace console: the bot itself, its database, no Telegram.", "bold")
        )
        self.console.print(
            f"You are chat {chat_id}: the library you read and change is chat {chat_id}'s, "
            f"in {database}. Files the bot sends go to {self.exports}/."
        )
        if refused:
            self.console.print(
                Text(
                    f"Chat {chat_id} is not in ALLOWED_CHAT_IDS: the bot will refuse you, "
                    "as it would in Telegram.",
                    style="bold yellow",
                )
            )
        self.help()
        self.console.print("Send /start to begin.")

    # -- drawing ------------------------------------------------------------------------------

    def _width(self) -> int:
        return self.console.width - len(INDENT)

    def _body(self, text: str, entities: list[Entity]) -> list[Text]:
        rows: list[Text] = []
        for line, quoted in styled_lines(text, entities):
            if quoted:
                wrapped = _wrap(line, self.console, self._width() - 2)
                rows += [Text.assemble(("▌ ", "dim"), row) for row in wrapped]
            else:
                rows += _wrap(line, self.console, self._width())
        return rows

    def _keyboard(self, message: ChatMessage) -> list[Text]:
        rows: list[Text] = []
        number = 0
        for buttons in message.keyboard:
            line = Text()
            for button in buttons:
                number += 1
                if line:
                    line.append("  ")
                line.append(f"({number})", style="bold magenta")
                line.append(f" {button.get('text', '')}")
                if "url" in button:
                    line.append(f" ↗ {button['url']}", style="dim")
            rows += _wrap(line, self.console, self._width())
        return rows

    def _save(self, message: ChatMessage) -> Text:
        assert message.file is not None
        icon = "🖼" if message.file_kind == "photo" else "📎"
        try:
            self.exports.mkdir(parents=True, exist_ok=True)
            path = _free_path(self.exports, message.file.name)
            path.write_bytes(message.file.read())
        except OSError as error:
            return Text(f"{icon} {message.file.name}: could not save it ({error})", "bold red")
        return Text(f"{icon} {message.file.name} saved to {path}", style="green")


class ConsoleSession:
    """The bot and the person in one chat: each input line is one update, processed in full."""

    def __init__(
        self,
        settings: Settings,
        sessions: db.SessionFactory,
        *,
        chat_id: int,
        screen: Screen,
        person_name: str | None = None,
    ) -> None:
        self.screen = screen
        self.telegram = ConsoleTelegram(
            chat_id=chat_id, person_name=person_name or _login_name(), view=screen
        )
        self.application = build_application(
            console_settings(settings), sessions, request=self.telegram
        )
        # The delivery tick sends every due chat in the database its highlight: here it would
        # "deliver" other chats' highlights into this terminal and mark them sent.
        assert self.application.job_queue is not None
        for job in self.application.job_queue.get_jobs_by_name("delivery"):
            job.schedule_removal()

    async def open(self) -> None:
        """Start the bot as run_polling would, without polling."""
        application = self.application
        await application.initialize()
        # PTB calls post_init only from run_polling/run_webhook.
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()

    async def close(self) -> None:
        """Stop the bot; safe to call after a failed ``open``."""
        application = self.application
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)

    async def handle(self, line: str) -> bool:
        """Act out one input line; False when the person leaves."""
        text = line.strip()
        word = text.split(maxsplit=1)[0].lower() if text else ""
        if word in ("quit", "exit"):
            return False
        if word == "help":
            self.screen.help()
        elif text:
            try:
                update = self._act(text, word)
            except ConsoleError as error:
                self.screen.hint(str(error))
            else:
                await self._process(update)
        return True

    def _act(self, text: str, word: str) -> JSON:
        """The update for one line of console syntax (ConsoleError when it makes none)."""
        telegram, screen = self.telegram, self.screen
        if text.startswith(">"):
            reply = _match(_REPLY, text, "> N text replies to message N")
            message, update = telegram.person_sends(reply[2], reply_to=int(reply[1]))
            screen.echo(message)
        elif text.startswith("!"):
            press = _match(_PRESS, text, "! B presses button B, ! N B button B of message N")
            number, button = (None, press[1]) if press[2] is None else (press[1], press[2])
            message, chosen, update = telegram.person_presses(
                None if number is None else int(number), int(button)
            )
            screen.pressed(message, int(button), str(chosen.get("text", "")))
        elif text.startswith("+"):
            react = _match(_REACT, text, "+ N ❤ reacts to message N")
            message, update = telegram.person_reacts(int(react[1]), react[2])
            screen.reaction(message)
        elif word == "edit":
            edit = _match(_EDIT, text, "edit N text edits your message N")
            message, update = telegram.person_edits(int(edit[1]), edit[2])
            screen.echo(message, edited=True)
        elif word == "file":
            path = _match(_FILE, text, "file PATH sends a file")[1].strip().strip("'\"")
            message, update = telegram.person_sends_file(Path(path).expanduser())
            screen.echo(message)
        else:
            message, update = telegram.person_sends(text)
            screen.echo(message)
        return update

    async def _process(self, data: JSON) -> None:
        drawn = self.screen.drawn
        await self.application.process_update(Update.de_json(data, self.application.bot))
        if self.screen.drawn == drawn:
            self.screen.silent()


def _match(pattern: re.Pattern[str], text: str, usage: str) -> re.Match[str]:
    match = pattern.fullmatch(text)
    if match is None:
        raise ConsoleError(f"not understood: {text!r}; {usage}")
    return match


def _login_name() -> str:
    with contextlib.suppress(KeyError, OSError):
        return getpass.getuser()
    return "Reader"


def _lines(stdin: TextIO, *, interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from iter(stdin.readline, "")
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - gives input() line editing and history
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            return


def run_console(
    settings: Settings,
    *,
    chat_id: int,
    stdin: TextIO = sys.stdin,
    stdout: TextIO | None = None,
) -> None:
    """Talk to the bot as chat ``chat_id`` until ``quit`` or the end of the input."""
    console = Console(file=stdout, highlight=False, emoji=False, soft_wrap=True)
    screen = Screen(console)
    interactive = stdin is sys.stdin and stdout is None and stdin.isatty()
    database = make_url(db.normalize_url(settings.database_url)).render_as_string()
    refused = bool(settings.allowed_chat_ids) and chat_id not in settings.allowed_chat_ids
    engine = db.create_db_engine(settings.database_url)
    try:
        if settings.auto_migrate:
            db.upgrade(engine)
        with asyncio.Runner() as runner:
            session = ConsoleSession(
                settings, db.session_factory(engine), chat_id=chat_id, screen=screen
            )
            try:
                runner.run(session.open())
                screen.banner(chat_id=chat_id, database=database, refused=refused)
                for line in _lines(stdin, interactive=interactive):
                    if not runner.run(session.handle(line)):
                        break
                else:
                    if interactive:
                        console.print()  # after the ^D at the prompt
            except KeyboardInterrupt:
                console.print()
            finally:
                runner.run(session.close())
    finally:
        engine.dispose()
