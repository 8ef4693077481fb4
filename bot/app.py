"""build_application: the one place that wires every handler and job of the bot."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.config import Settings
from bot.db import SessionFactory
from bot.delivery.courier import Clock
from bot.delivery.engine import IN_FLIGHT, DeliveryEngine, utc_now
from bot.health import HealthServer
from bot.telegram import buttons, commands, instrumentation, jobs
from bot.telegram.context import CONTEXT_TYPES, BotApplication, BotData
from bot.telegram.handlers import (
    annotating,
    basics,
    books,
    library_io,
    reading,
    reviewing,
    searching,
    sharing,
)
from bot.telegram.sending import TelegramSender
from bot.telegram.transport import AiohttpRequest

log = logging.getLogger(__name__)
DELIVERY_CONNECTIONS = 2 * IN_FLIGHT  # twice the engine's concurrent sends
GET_UPDATES_CONNECTIONS = 2
"""PTB's one connection for getUpdates, and one more: httpcore 1.0.9 can lose a pool's
connection for good when a request is cancelled as it connects (encode/httpcore#1093), as
the long poll is when the bot stops, and the stop's last getUpdates, which tells Telegram
the updates already handled, must still find one."""
NEW = filters.UpdateType.MESSAGE  # commands run once, not again when their message is edited
# Each kind of button and what handles it (the commands' table is bot.telegram.commands).
BUTTONS = (
    (buttons.SAMPLE, basics.load_sample),
    (buttons.ANOTHER, reading.another),
    (buttons.OPEN, reading.open_result),
    (buttons.PAGE, searching.turn_page),
    (buttons.FAVORITE, annotating.favorite_button),
    (buttons.DISCARD, annotating.discard_button),
    (buttons.UNDO, annotating.discard_button),
    (buttons.TAGS, annotating.tags_button),
    (buttons.ADD_TAG, annotating.tag_button),
    (buttons.REMOVE_TAG, annotating.tag_button),
    (buttons.NEXT, reviewing.next_button),
    *((kind, reviewing.card_button) for kind, _ in reviewing.CARD_ACTIONS),
    (buttons.BOOKS, books.books_page),
    (buttons.BOOK, books.book_page_button),
    (buttons.BOOK_FREQUENCY, books.frequency_button),
    (buttons.CARD, sharing.card_button),
    (buttons.EXPORT, library_io.export_button),
)


def build_application(
    settings: Settings,
    sessions: SessionFactory,
    *,
    request: BaseRequest | None = None,
    clock: Clock = utc_now,
) -> BotApplication:
    """Build the bot: every command, button, reply, reaction and job is registered here.

    ``request`` replaces the HTTP transport (the console answers the Bot API in-process);
    ``clock`` is what the delivery scheduler calls "now" (tests move it).
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is required to build the bot")
    token, api = settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url
    builder = (
        Application.builder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .application_class(BotApplication)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .post_init(_start)
        .post_shutdown(_stop)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.get_updates_connection_pool_size(GET_UPDATES_CONNECTIONS)
    app: BotApplication = builder.build()  # type: ignore[assignment]
    health = HealthServer(
        sessions=sessions,
        metrics=app.bot_data.metrics,
        listen=settings.health_listen,
        port=settings.health_port,
        tick_seconds=settings.delivery_tick_seconds,
    )
    delivery = _delivery_engine(settings, sessions, token=token, request=request, clock=clock)
    app.bot_data.attach(settings=settings, sessions=sessions, delivery=delivery, health=health)

    _route(app)

    # The daily highlight: a short tick; the database, not this timer, knows who is due.
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is required"
    # A broadcast outlasts the interval; the engine skips a tick while one runs, so the
    # scheduler may start it (max_instances=2) instead of warning that it could not.
    app.job_queue.run_repeating(
        jobs.deliver_due,
        interval=settings.delivery_tick_seconds,
        first=1,
        name="delivery",
        job_kwargs={"max_instances": 2},
    )
    return app


def _route(app: BotApplication) -> None:
    """Every handler, in the order PTB tries them."""
    # Group -2 runs before anything else and the last group after everything: metrics.
    app.add_handler(TypeHandler(Update, instrumentation.start_timer), group=-2)
    app.add_handler(TypeHandler(Update, instrumentation.stop_timer), group=1)

    # Group -1 runs first: chats outside ALLOWED_CHAT_IDS stop here, before any handler.
    app.add_handler(TypeHandler(Update, basics.gate), group=-1)

    for command in commands.COMMANDS:
        app.add_handler(CommandHandler(command.name, command.handler, filters=NEW))

    for button, callback in BUTTONS:
        app.add_handler(CallbackQueryHandler(callback, pattern=button.pattern))
    app.add_handler(CallbackQueryHandler(basics.expired_button))

    app.add_handler(MessageHandler(NEW & filters.Document.ALL, library_io.import_document))
    # Replies to the bot's highlight messages annotate them; editing a reply edits its note.
    app.add_handler(
        MessageHandler(NEW & filters.REPLY & filters.TEXT & ~filters.COMMAND, annotating.reply)
    )
    app.add_handler(
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            annotating.edited_reply,
        )
    )
    # Any other text in a private chat is a search. Not in groups, where people talk to each
    # other; nor a message sent through the bot's inline mode (a shared highlight).
    app.add_handler(
        MessageHandler(
            NEW
            & filters.ChatType.PRIVATE
            & filters.TEXT
            & ~filters.COMMAND
            & ~filters.REPLY
            & ~filters.VIA_BOT,
            searching.text_search,
        )
    )
    app.add_handler(MessageReactionHandler(annotating.reaction))
    app.add_handler(InlineQueryHandler(sharing.inline_query))
    # Last: any command not matched above.
    app.add_handler(MessageHandler(NEW & filters.COMMAND, commands.unknown_command))

    app.add_error_handler(basics.on_error)


def _delivery_engine(
    settings: Settings,
    sessions: SessionFactory,
    *,
    token: str,
    request: BaseRequest | None,
    clock: Clock,
) -> DeliveryEngine:
    """The daily delivery, sending through a plain Bot of its own.

    Without the AIORateLimiter: its own retries would bypass the engine's pacer and turn one
    429 into a storm. Same token, server and (if one is given) transport; otherwise aiohttp,
    much cheaper per call.
    """
    api = settings.telegram_api_url
    bot = Bot(
        token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        request=request or AiohttpRequest(connection_pool_size=DELIVERY_CONNECTIONS),
    )
    return DeliveryEngine(
        sessions=sessions,
        default_timezone=settings.default_timezone,
        clock=clock,
        sender=TelegramSender(bot),
    )


# PTB types its hooks for any Application; these need only the bot's own state.
_AnyApplication = Application[Any, Any, Any, Any, BotData, Any]


async def _start(app: _AnyApplication) -> None:
    """After connecting: announce the commands and open /healthz and /metrics."""
    await app.bot.set_my_commands(commands.menu())
    app.bot_data.inline_mode = app.bot.supports_inline_queries
    sender = app.bot_data.delivery.sender
    if isinstance(sender, TelegramSender):
        sender.share = app.bot.supports_inline_queries
    if app.bot_data.health is not None:
        try:
            await app.bot_data.health.start()
        except OSError as error:
            log.error("health and metrics server could not listen: %s", error)
    log.info("Commonplace started as @%s", app.bot.username)


async def _stop(app: _AnyApplication) -> None:
    """Close what _start opened, and the chart worker if /stats started it."""
    app.bot_data.charts.close()
    if app.bot_data.health is not None:
        await app.bot_data.health.stop()
    log.info("Commonplace stopped")
