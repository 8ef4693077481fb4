"""An aiohttp transport for python-telegram-bot: the same Bot API calls, cheaper per call.

PTB's default ``HTTPXRequest`` spends milliseconds of CPU per call in httpx and httpcore;
the delivery tick makes thousands of calls in a row, so this is what it sends through.
Errors map onto PTB's as ``HTTPXRequest`` maps them: a timeout is ``TimedOut`` and any other
transport failure ``NetworkError``, so a caller never mistakes either for "not sent".
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` over one ``aiohttp.ClientSession`` with a bounded connection pool.

    The session is opened by ``initialize`` and closed by ``shutdown``; both may be called
    again, so one instance can serve several open-use-close cycles.
    """

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call does not pass its own."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the HTTP session (a no-op while one is open)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        """Close the HTTP session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See ``BaseRequest.do_request``."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        # aiohttp has no write timeout of its own: sending the body counts towards the read.
        sock_read = None if read is None else read + (write_timeout or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None and pool is None else (connect or 0.0) + (pool or 0.0),
            sock_connect=connect,
            sock_read=sock_read,
        )
        data: Any = None
        headers = None
        if request_data is not None:
            if files:
                data = _form(request_data.json_parameters, files)
            else:
                # The Bot API reads a JSON body as it reads a form (a string field holds what
                # a form field would). Encoding it is one C call, where aiohttp's form
                # encoding quotes every character in Python.
                data, headers = request_data.json_payload, _JSON
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData(fields)
    for name, upload in files.items():
        if isinstance(upload, tuple):
            filename, content, mimetype = upload
            form.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            form.add_field(name, upload)
    return form
