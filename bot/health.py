"""/healthz and /metrics over HTTP, in polling and in webhook mode alike."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import tornado.httpserver
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.db import SessionFactory
from bot.metrics import Metrics

log = logging.getLogger(__name__)


class HealthServer:
    """A small HTTP server beside the bot: liveness of the database and the scheduler."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        metrics: Metrics,
        listen: str,
        port: int,
        tick_seconds: int,
    ) -> None:
        self._sessions = sessions
        self._metrics = metrics
        self._listen = listen
        self._port = port
        self._stale_after = max(3 * tick_seconds, 30)
        self._started = time.time()
        self._server: tornado.httpserver.HTTPServer | None = None

    async def start(self) -> None:
        """Listen (port 0 disables the server)."""
        if not self._port:
            return
        app = tornado.web.Application(
            [
                (r"/healthz", _Health, {"server": self}),
                (r"/metrics", _Metrics, {"metrics": self._metrics}),
            ],
            log_function=_log_failures_only,
        )
        self._server = app.listen(self._port, address=self._listen, xheaders=True)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None

    async def check(self) -> dict[str, str]:
        """``ok`` or the reason, for the database and the scheduler."""
        result = {"database": "ok", "scheduler": "ok"}
        try:
            await asyncio.wait_for(asyncio.to_thread(self._ping), timeout=5)
        except Exception as error:  # noqa: BLE001 - any failure means unhealthy, with why
            result["database"] = f"error: {type(error).__name__}"
        last = self._metrics.last_tick_at or self._started
        if time.time() - last > self._stale_after:
            result["scheduler"] = f"no tick for {time.time() - last:.0f} s"
        return result

    def _ping(self) -> None:
        with self._sessions() as session:
            session.execute(text("SELECT 1"))


def _log_failures_only(handler: tornado.web.RequestHandler) -> None:
    """Probes come every few seconds: only answers that are not 2xx are worth a line."""
    if handler.get_status() >= 300:
        log.warning(
            "%s %s answered %s", handler.request.method, handler.request.uri, handler.get_status()
        )


class _Health(tornado.web.RequestHandler):
    def initialize(self, server: HealthServer) -> None:
        self.server = server

    async def get(self) -> None:
        checks = await self.server.check()
        healthy = all(value == "ok" for value in checks.values())
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": "ok" if healthy else "unhealthy", **checks}))


class _Metrics(tornado.web.RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(generate_latest(self.metrics.registry))
