"""What every handler shares: typed application state, guards and the database gateway."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from telegram import Chat, Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.db import SessionFactory, in_thread
from bot.delivery.engine import DeliveryEngine
from bot.health import HealthServer
from bot.metrics import Metrics
from bot.telegram.charts import ChartWorker

T = TypeVar("T")


class BotData:
    """Long-lived resources, attached by build_application before the bot starts."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._sessions: SessionFactory | None = None
        self._delivery: DeliveryEngine | None = None
        self.metrics = Metrics()
        self.charts = ChartWorker()
        self.timers: dict[int, tuple[str, float]] = {}
        self.health: HealthServer | None = None
        self.inline_mode = False
        """True once getMe said inline mode is on (@BotFather's /setinline): ↗ Share works."""

    def attach(
        self,
        *,
        settings: Settings,
        sessions: SessionFactory,
        delivery: DeliveryEngine,
        health: HealthServer,
    ) -> None:
        """Hand over the settings, the database, the delivery engine and the health server."""
        self._settings = settings
        self._sessions = sessions
        self._delivery = delivery
        self.health = health

    def stop_delivery(self) -> None:
        """Tell the delivery engine, if one is attached, to wind down."""
        if self._delivery is not None:
            self._delivery.stop()

    @property
    def delivery(self) -> DeliveryEngine:
        if self._delivery is None:
            raise RuntimeError("build_application() attaches the engine before the bot starts")
        return self._delivery

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("build_application() attaches the settings before the bot starts")
        return self._settings

    @property
    def sessions(self) -> SessionFactory:
        if self._sessions is None:
            raise RuntimeError("build_application() attaches the database before the bot starts")
        return self._sessions


Context = CallbackContext[ExtBot[None], dict[object, object], dict[object, object], BotData]


class BotApplication(
    Application[
        ExtBot[None],
        Context,
        dict[object, object],
        dict[object, object],
        BotData,
        JobQueue[Context],
    ]
):
    """The bot's Application: stopping it winds the delivery down first."""

    async def stop(self) -> None:
        """Start no job, stop the delivery under way, then the rest as PTB does.

        PTB waits for the jobs running when it stops and then shuts the scheduler down, which
        cancels any job started meanwhile wherever it is; so the scheduler starts nothing more.
        The delivery tick under way, told to stop, sends nothing new and returns within
        ``STOP_GRACE``, leaving what it had claimed and not sent to the next instance.
        """
        if self.job_queue is not None and self.job_queue.scheduler.running:
            self.job_queue.scheduler.pause()
        self.bot_data.stop_delivery()
        await super().stop()


CONTEXT_TYPES = ContextTypes(bot_data=BotData)


async def transact(context: Context, work: Callable[[Session], T]) -> T:
    """Run one unit of work in a worker thread, so the event loop never waits on the disk."""
    return await in_thread(context.bot_data.sessions, work)


def require_message(update: Update) -> Message:
    """The update's message (commands and replies always carry one)."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} carries no message")
    return message


def require_chat(update: Update) -> Chat:
    """The update's chat: the tenant whose library the update may touch."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} comes from no chat")
    return chat
