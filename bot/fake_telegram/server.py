"""The HTTP side of the fake: Bot API routing, long polling, fault injection, file downloads."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiohttp import web

from .methods import BotApi
from .models import JSON, ApiError, Fault
from .params import MAX_BODY_BYTES, Params, read_params
from .state import World

POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}
# How often a waiting request looks whether its client hung up.
_DISCONNECT_CHECK_SECONDS = 0.05


def make_fault(
    method: str,
    *,
    status: int | None,
    description: str | None,
    retry_after: int | None,
    times: int,
    chat_id: int | None,
    timeout: bool,
    delivered: bool,
    hold: float,
) -> Fault:
    """A Fault with Telegram-like defaults filled in (see ``FakeTelegram.fail_next``)."""
    if times < 1:
        raise ValueError("times must be at least 1")
    if status is None:
        status = 429 if retry_after is not None else 504 if timeout else 500
    if status == 429 and retry_after is None:
        retry_after = 1
    if description is None:
        if status == 429:
            description = f"Too Many Requests: retry after {retry_after}"
        else:
            description = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
    return Fault(method, status, description, retry_after, times, chat_id, timeout, delivered, hold)


class ApiServer:
    """Serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` for one bot."""

    def __init__(self, token: str, world: World, api: BotApi) -> None:
        self.token = token
        self.world = world
        self.api = api
        self.faults: list[Fault] = []
        self.latency: tuple[float, float] | None = None
        self._random = random.Random()
        self.internal_errors: list[Exception] = []
        self.stopping = False
        self._poll_generation = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str) -> str:
        """Listen on a free port of ``host``; return the base URL."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Release every waiting request, then close the server."""
        self.stopping = True
        self.world.changed.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- handlers ----------------------------------------------------------------------------

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _reply_error(ApiError(404, "Not Found"))

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.world.files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return _reply_error(ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _reply_error(ApiError(401, "Unauthorized"))
        method = self.api.canonical_name(request.match_info["method"])
        if method is None:
            return _reply_error(ApiError(404, "Not Found"))
        try:
            params = await read_params(request)
        except ApiError as error:
            return _reply_error(error)
        except ConnectionResetError:
            # The client hung up before its request had all arrived (a long poll cancelled
            # as the bot stops): Telegram never sees such a call, and nobody reads the answer.
            return web.Response(status=499)
        call = self.world.log_call(method, params)
        try:
            result = await self._dispatch(request, method, params)
        except ApiError as error:
            self.world.log_failure(call, error)
            return _reply_error(error)
        except Exception as error:  # a bug in the fake: kept and raised when the server stops
            self.internal_errors.append(error)
            return _reply_error(ApiError(500, f"Internal Server Error: fake server bug {error!r}"))
        self.world.changed.notify()
        return web.json_response({"ok": True, "result": result})

    async def _dispatch(self, request: web.Request, method: str, params: Params) -> Any:
        if self.latency is not None and method != "getUpdates":
            # The call takes effect after the delay, and does even if the client has gone:
            # a request that reached Telegram is carried out.
            await asyncio.sleep(self._random.uniform(*self.latency))
        fault = self._take_fault(method, params)
        if fault is None:
            if method == "getUpdates":
                return await self._get_updates(request, params)
            return self.api.call(method, params)
        if fault.delivered:
            self.api.call(method, params)
        if fault.timeout:
            await self._hold(request, fault.hold)
        raise fault.error()

    def _take_fault(self, method: str, params: Params) -> Fault | None:
        for fault in self.faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and _chat_of(params) != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining == 0:
                self.faults.remove(fault)
            return fault
        return None

    async def _hold(self, request: web.Request, seconds: float) -> None:
        """Keep the request open until the client gives up, the server stops, or time is up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.stopping and _connected(request):
            left = deadline - loop.time()
            if left <= 0:
                return
            await self.world.changed.wait(min(left, _DISCONNECT_CHECK_SECONDS))

    async def _get_updates(self, request: web.Request, params: Params) -> list[JSON]:
        limit, timeout = self.api.start_poll(params)
        # A newer getUpdates ends any older one still waiting, as on Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self.world.changed.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            ready = self.api.ready_updates(limit)
            left = deadline - loop.time()
            if ready or left <= 0 or self.stopping or not _connected(request):
                return ready
            await self.world.changed.wait(min(left, _DISCONNECT_CHECK_SECONDS))


def _reply_error(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.status)


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _chat_of(params: Params) -> int | None:
    try:
        return params.integer("chat_id")
    except ApiError:
        return None
