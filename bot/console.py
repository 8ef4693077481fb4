"""``commonplace console``: talk to the bot in a terminal. Same handlers, same database.

The bot is the one ``build_application`` wires for Telegram, fed one update per input line;
only its transport differs: ``ConsoleTelegram`` answers the Bot API in-process with the fake
Telegram the tests use, and ``Screen`` draws what the bot sends, HTML as terminal styles and
inline buttons numbered for pressing.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr
from rich.console import Console
from sqlalchemy.engine import make_url
from telegram import Update

from bot import db
from bot._console_chat import ConsoleError, ConsoleTelegram
from bot._console_screen import Screen, styled_lines
from bot.app import build_application
from bot.config import Settings
from bot.fake_telegram.models import JSON

__all__ = ["ConsoleSession", "Screen", "console_settings", "run_console", "styled_lines"]

PROMPT = "› "
_REPLY = re.compile(r">\s*(\d+)\s+(\S.*)")
_PRESS = re.compile(r"!\s*(\d+)(?:\s+(\d+))?")
_REACT = re.compile(r"\+\s*(\d+)(?:\s+(\S+))?")
_EDIT = re.compile(r"edit\s+(\d+)\s+(\S.*)", re.IGNORECASE)
_FILE = re.compile(r"file\s+(\S.*)", re.IGNORECASE)


def console_settings(settings: Settings) -> Settings:
    """The bot's settings for the console: a placeholder token, and no health server.

    No request leaves the process, so the token is never checked; /healthz and /metrics
    belong to the running bot, whose port the console must not take.
    """
    return settings.model_copy(
        update={"telegram_bot_token": SecretStr("0:console"), "health_port": 0}
    )


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
            console_settings(settings), sessions, request=self.telegram.request
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
            screen.reaction(message, react[2])
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
