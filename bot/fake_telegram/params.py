"""Reading Bot API parameters the way Telegram does: query string, JSON, form or multipart.

Form and multipart values are strings; objects such as ``reply_markup`` arrive JSON-encoded, so
every getter accepts both the native JSON value and its string form.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from .models import JSON, ApiError, bad_request

# Telegram takes uploads of up to 50 MB from bots; a little room is left for the other fields.
MAX_BODY_BYTES = 50 * 1024 * 1024 + 64 * 1024
# Form fields that Telegram reads as numbers or booleans (the rest stay strings or JSON).
_INTEGER_FIELDS = frozenset(
    {"chat_id", "message_id", "reply_to_message_id", "offset", "limit", "timeout"}
    | {"cache_time", "max_connections", "message_thread_id"}
)
_FLAG_FIELDS = frozenset(
    {"disable_notification", "protect_content", "allow_sending_without_reply", "show_alert"}
    | {"is_big", "drop_pending_updates", "disable_content_type_detection"}
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None


class Params:
    """The parameters of one request, with Telegram's coercions and error texts."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def __contains__(self, name: str) -> bool:
        return name in self.values or name in self.uploads

    def text(self, name: str) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter; Telegram also accepts its decimal string."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter (``true``/``false``, ``1``/``0`` or JSON booleans)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "1"}
        return bool(value)

    def json(self, name: str, *, what: str | None = None) -> Any:
        """A JSON-serialised parameter, decoded; ``what`` names it in Telegram's error text."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None

    def chat_id(self) -> int:
        """The required ``chat_id``; an ``@username`` is a chat the fake never knows."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.strip().startswith("@"):
            raise bad_request("chat not found")
        chat_id = self.integer("chat_id")
        assert chat_id is not None  # the emptiness check above
        return chat_id

    def file(self, name: str) -> Upload | str | None:
        """An InputFile field: an uploaded part (also via ``attach://``) or a file_id/URL."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.text(name)
        if value is not None and value.startswith("attach://"):
            attached = self.uploads.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        return value

    def for_log(self) -> JSON:
        """The parameters typed as Telegram reads them, uploads summarised, for ``tg.requests``."""
        logged: JSON = {}
        for key, value in self.values.items():
            if isinstance(value, str):
                if key in _INTEGER_FIELDS:
                    with contextlib.suppress(ValueError):  # logged raw if not a number
                        value = int(value)
                elif key in _FLAG_FIELDS:
                    value = self.flag(key)
                elif value[:1] in ("{", "["):
                    with contextlib.suppress(ValueError):  # not JSON after all: log it raw
                        value = json.loads(value)
            logged[key] = value
        for key, upload in self.uploads.items():
            logged[key] = {"filename": upload.filename, "size": len(upload.content)}
        return logged


async def read_params(request: web.Request) -> Params:
    """Collect the parameters of a request from its query string and body."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            values.update(body)
        elif content_type.startswith("multipart/"):
            await _read_multipart(request, values, uploads)
        else:
            values.update(parse_qsl(await request.text(), keep_blank_values=True))
    return Params(values, uploads)


async def _read_multipart(
    request: web.Request, values: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    reader = await request.multipart()
    total = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # nested multiparts and nameless parts carry no Bot API parameter
        chunks: list[bytes] = []
        while chunk := await part.read_chunk():
            total += len(chunk)
            if total > MAX_BODY_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            chunks.append(chunk)
        data = b"".join(chunks)
        if part.filename is None:
            values[part.name] = data.decode(part.get_charset("utf-8"), "replace")
        else:
            content_type = part.headers.get("Content-Type")
            uploads[part.name] = Upload(part.filename, data, content_type)
