"""The bot under test: the real Application, long-polling the fake Telegram over loopback HTTP.

``running_bot`` builds the bot exactly as ``commonplace run`` does (``build_application``) and
starts it the way ``Application.run_polling`` would. Tests then act as users through
``harness.tg`` (the fake's ``user_sends``, ``user_presses``...) and the shortcuts below, and
assert on what the users see and on the library, read back through the domain functions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.app import build_application
from bot.config import Settings
from bot.db import SessionFactory, unit_of_work
from bot.fake_telegram import CallbackAnswer, FakeTelegram, Message
from bot.library.browsing import get_highlight
from bot.library.exporting import iter_library
from bot.library.importing import import_records
from bot.library.messages import highlight_for_message
from bot.library.views import HighlightView
from bot.parsers import LocationType, ParsedHighlight, ParseResult
from bot.telegram.context import BotApplication

T = TypeVar("T")

TOKEN = "4242:commonplace-e2e"
ALICE = 1001
BOB = 1002
# Noon: every chat's first daily highlight (08:00 by default) is due tomorrow, so no
# delivery interleaves with a conversation unless a test moves the clock on purpose.
START = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
# For conversations that do not depend on the database: run them on SQLite alone, which keeps
# the whole directory fast (the ``engine`` fixture otherwise gives SQLite and PostgreSQL).
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
# What the bot does on its own in the background, not in answer to anything.
BACKGROUND = frozenset({"getUpdates"})


class Clock:
    """The delivery scheduler's "now", moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class BotHarness:
    """A running bot with its fake Telegram, its database and its clock."""

    tg: FakeTelegram
    app: BotApplication
    sessions: SessionFactory
    clock: Clock
    logged_errors: list[logging.LogRecord]
    """What the bot logged at ERROR so far; a test that provokes errors clears it."""

    # -- talking to the bot -------------------------------------------------------------------

    async def send(self, chat_id: int, text: str, *, reply_to: int | None = None) -> Message:
        """The user sends ``text``; returns the bot's first message (or edit) in answer."""
        self.tg.user_sends(chat_id, text, reply_to=reply_to)
        return await self.next(chat_id)

    async def next(self, chat_id: int, timeout: float = 10.0) -> Message:  # noqa: ASYNC109
        """The bot's next message or edit in this chat."""
        return await self.tg.wait_for(chat_id, timeout=timeout)

    async def press(self, chat_id: int, message_id: int, data: str) -> CallbackAnswer:
        """The user taps a button; returns the bot's answer to the tap (it always answers)."""
        query_id = self.tg.user_presses(chat_id, message_id, data)
        return await self.answer_to(query_id)

    async def user_presses_forged(self, chat_id: int, data: str) -> CallbackAnswer:
        """A tap on a button carrying ``data`` that the bot never showed in this chat.

        Telegram only delivers taps on real buttons, but a modified client can put anything in
        callback_data. The fake lets users press existing buttons only, so the bot's own API
        client first posts a message with such a button in the chat (bypassing every handler,
        so the bot's records know nothing of it); the user then presses it.
        """
        posted = await self.app.bot.send_message(
            chat_id,
            "a button the bot never offered here",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("?", callback_data=data)]]),
        )
        return await self.press(chat_id, posted.message_id, data)

    async def answer_to(self, query_id: str) -> CallbackAnswer:
        """The bot's answerCallbackQuery for a tap."""

        def answered() -> CallbackAnswer | None:
            return next(
                (a for a in self.tg.callback_answers if a.callback_query_id == query_id), None
            )

        await self.tg.wait_until(answered, timeout=10.0)
        answer = answered()
        assert answer is not None
        return answer

    async def settle(self) -> None:
        """Wait until every update the users sent has been fetched and fully handled.

        Handlers run concurrently (``concurrent_updates``), so "the bot answered a later
        message" proves nothing about an earlier one; this waits for the real quiet instead.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        quiet_checks = 0
        while quiet_checks < 3:  # several checks: an update moves queue -> task in a few steps
            if loop.time() > deadline:
                raise TimeoutError(f"the bot is still busy; pending: {self.tg.pending_updates}")
            busy = (
                self.tg.pending_updates
                or not self.app.update_queue.empty()
                or self.app.update_processor.current_concurrent_updates
            )
            quiet_checks = 0 if busy else quiet_checks + 1
            await asyncio.sleep(0.02)

    def mark(self) -> int:
        """A point in the bot's API calls, for ``calls_since``."""
        return len(self.tg.requests)

    def calls_since(self, mark: int) -> list[str]:
        """The API methods the bot called since ``mark``, background polling left out."""
        return [call.method for call in self.tg.requests[mark:] if call.method not in BACKGROUND]

    async def assert_silent(self, since: int) -> None:
        """Once the bot is idle, it has called nothing since ``since``: no message, no edit."""
        await self.settle()
        assert self.calls_since(since) == []

    # -- the library --------------------------------------------------------------------------

    def db(self, work: Callable[[Session], T]) -> T:
        """Run domain functions in one committed unit of work."""
        with unit_of_work(self.sessions) as session:
            return work(session)

    def seed(self, chat_id: int, records: Iterable[ParsedHighlight]) -> list[int]:
        """Put highlights in a chat's library through the importer; returns their ids in order."""
        wanted = list(records)
        result = ParseResult(format="test", highlights=wanted)
        self.db(lambda s: import_records(s, chat_id=chat_id, result=result))
        return [self.find(chat_id, record.text).id for record in wanted]

    def find(self, chat_id: int, text: str) -> HighlightView:
        """The chat's highlight with exactly this text."""
        views = self.db(lambda s: [v for v in iter_library(s, chat_id=chat_id) if v.text == text])
        assert len(views) == 1, f"{len(views)} highlights read {text!r} in chat {chat_id}"
        return views[0]

    async def view(self, chat_id: int, highlight_id: int) -> HighlightView:
        """A highlight as the chat's library holds it once the bot is idle."""
        await self.settle()
        view = self.db(lambda s: get_highlight(s, chat_id=chat_id, highlight_id=highlight_id))
        assert view is not None, f"highlight {highlight_id} is not in chat {chat_id}"
        return view

    async def shown_in(self, message: Message) -> int | None:
        """The highlight the bot's records say this message shows, once the bot is idle."""
        await self.settle()  # a highlight's messages are recorded once they all went out
        return self.db(
            lambda s: highlight_for_message(
                s, chat_id=message.chat_id, message_id=message.message_id
            )
        )


def quote(
    text: str,
    *,
    book: str = "Siddhartha",
    author: str = "Hermann Hesse",
    location: int | None = None,
    chapter: str | None = None,
    tags: Iterable[str] = (),
    notes: Iterable[str] = (),
    favorite: bool = False,
) -> ParsedHighlight:
    """A parsed highlight, as a parser would hand it to the importer."""
    return ParsedHighlight(
        book_title=book,
        text=text,
        author=author,
        location=None if location is None else str(location),
        location_type=None if location is None else LocationType.LOCATION,
        location_start=location,
        chapter=chapter,
        tags=list(tags),
        notes=list(notes),
        favorite=favorite,
    )


def quoted_text(message: Message) -> str:
    """The text inside the message's blockquote(s), as the reader sees it."""
    units = message.body.encode("utf-16-le")
    return "".join(
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.entities
        if e["type"] == "blockquote"
    )


def entity_texts(message: Message, kind: str) -> list[str]:
    """The pieces of the visible text that carry one kind of entity (``bold``, ``code``...)."""
    units = message.body.encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.entities
        if e["type"] == kind
    ]


def button_texts(message: Message) -> list[str]:
    """The labels of the message's inline buttons, row by row."""
    return [button["text"] for button in message.buttons]


def data_of(message: Message, label_start: str) -> str:
    """The callback_data of the one button whose label starts with ``label_start``."""
    found = [b["callback_data"] for b in message.buttons if b["text"].startswith(label_start)]
    assert len(found) == 1, f"buttons {button_texts(message)} have no single {label_start!r}"
    return str(found[0])


class _ErrorLog(logging.Handler):
    """Keeps every record logged at ERROR or above."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def settings_for(tg: FakeTelegram, engine: Engine, **settings: Any) -> Settings:
    """The bot's settings for a test: ``tg``'s Bot API, ``engine``'s database, ``settings``
    over the defaults, and nothing from the developer's environment."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # never the developer's .env
        telegram_bot_token=tg.token,  # becomes a SecretStr
        telegram_api_url=tg.url,
        database_url=engine.url.render_as_string(hide_password=False),
        health_port=0,  # no fixed port: tests run side by side
        **settings,
    )


@asynccontextmanager
async def running_bot(
    engine: Engine,
    sessions: SessionFactory,
    *,
    telegram: FakeTelegram | None = None,
    inline_mode: bool = False,
    **settings: Any,
) -> AsyncIterator[BotHarness]:
    """Start the fake Telegram and the bot on ``sessions``; ``settings`` override Settings.
    With ``telegram``, the bot starts on that fake instead (a restart keeps its chats);
    ``inline_mode``: the bot's inline mode is on, as @BotFather's /setinline turns it on.

    Fails when the bot logged an error while it ran: a handler or a job crashed, and the reader
    saw at best "something went wrong".
    """
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        async with AsyncExitStack() as stack:
            tg = telegram or await stack.enter_async_context(
                FakeTelegram(token=TOKEN, inline_mode=inline_mode)
            )
            config = settings_for(tg, engine, delivery_tick_seconds=1, **settings)
            clock = Clock(START)
            app = build_application(config, sessions, clock=clock)
            # The same steps, in the same order, as Application.run_polling.
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0, timeout=timedelta(seconds=1)
            )
            await app.start()
            try:
                yield BotHarness(
                    tg=tg, app=app, sessions=sessions, clock=clock, logged_errors=errors.records
                )
            finally:
                await app.updater.stop()
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
                await app.shutdown()
                if app.post_shutdown is not None:
                    await app.post_shutdown(app)
    finally:
        logging.getLogger().removeHandler(errors)
    if errors.records:
        raise AssertionError(
            "the bot logged errors:\n" + "\n".join(r.getMessage() for r in errors.records)
        )
