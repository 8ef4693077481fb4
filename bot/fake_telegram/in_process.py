"""The fake's Bot API without HTTP: python-telegram-bot's transport answered in the same process.

``InProcessRequest`` is a ``BaseRequest``; given to ``ApplicationBuilder.request`` (or to a
``Bot``), it runs every call against a ``BotApi`` directly, with the checks and the records of
the HTTP server, and serves file downloads from the same world. ``getUpdates`` answers at once:
only the HTTP server holds long polls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from telegram.request import BaseRequest, RequestData

from .methods import BotApi
from .models import ApiError
from .params import Params, Upload

Answered = Callable[[str, Params, Any], None]
"""Called after each successful call with the method's name, its parameters and its result."""


class InProcessRequest(BaseRequest):
    """Answers a bot's Bot API calls from ``api``; any token is accepted."""

    def __init__(self, api: BotApi, *, answered: Answered | None = None) -> None:
        self.api = api
        self._answered = answered

    @property
    def read_timeout(self) -> float | None:
        """The timeout PTB reports for calls that set none; nothing here waits on a network."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open: no request leaves the process."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call (POST) or file download (GET) as Telegram would."""
        if method == "GET":
            return self._download(url)
        name = self.api.canonical_name(url.rsplit("/", 1)[-1])
        if name is None:
            return _error(ApiError(404, "Not Found"))
        params = _params(request_data)
        world = self.api.world
        call = world.log_call(name, params)
        try:
            result = self.api.call(name, params)
        except ApiError as error:
            world.log_failure(call, error)
            return _error(error)
        world.changed.notify()
        if self._answered is not None:
            self._answered(name, params, result)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _download(self, url: str) -> tuple[int, bytes]:
        # PTB asks for base_file_url + token + "/" + file_path, percent-encoded.
        _, _, rest = url.partition("/file/bot")
        stored = self.api.world.files_by_path.get(unquote(rest.partition("/")[2]))
        if stored is None:
            return _error(ApiError(404, "Not Found"))
        return 200, stored.content


def _params(request_data: RequestData | None) -> Params:
    if request_data is None:
        return Params({}, {})
    uploads = {
        name: Upload(filename, content if isinstance(content, bytes) else content.read(), mime)
        for name, (filename, content, mime) in request_data.multipart_data.items()
    }
    return Params(dict(request_data.parameters), uploads)


def _error(error: ApiError) -> tuple[int, bytes]:
    return error.status, json.dumps(error.payload()).encode()
