"""The console's Telegram: the Bot API answered in-process, and the one chat it keeps.

``ConsoleTelegram`` is the ``BaseRequest`` python-telegram-bot calls instead of HTTP. Like
Telegram it parses HTML into text and entities (and refuses what Telegram refuses), numbers
messages, stores files and builds the updates a person's actions produce. Whatever the bot
does in the chat is reported to a ``ChatView``: the console's screen.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol
from urllib.parse import unquote

from telegram.request import BaseRequest, RequestData

from bot._console_html import ApiError, Entity, command_entities, parse_html, utf16_len

JSON = dict[str, Any]
UploadFileDict = dict[str, tuple[str, bytes | IO[bytes], str]]

BOT_ID = 2**53 - 1
"""Telegram's user ids have at most 52 significant bits, so no person has this one."""
DOWNLOAD_LIMIT = 20 * 1024 * 1024
MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@\w+)?(?=\s|$)")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8"


class ConsoleError(Exception):
    """What the person asked for cannot be done; the message says why, in one line."""


@dataclass(slots=True)
class StoredFile:
    """A file in the console's cloud: one the person sent, or one the bot sent."""

    file_id: str
    name: str
    mime_type: str
    size: int
    source: bytes | Path  # a person's file is read only when the bot downloads it
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        return f"files/{self.file_id}/{self.name}"

    def read(self) -> bytes:
        return self.source if isinstance(self.source, bytes) else self.source.read_bytes()

    def to_api(self, kind: Literal["document", "photo"]) -> JSON:
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_id,
            "file_size": self.size,
        }
        if kind == "photo":
            return data | {"width": self.width, "height": self.height}
        return data | {"file_name": self.name, "mime_type": self.mime_type}


@dataclass(slots=True)
class ChatMessage:
    """A message in the chat, in its current state."""

    number: int
    """What the person types to point at it; the Bot API id is far larger (see ``__init__``)."""
    message_id: int
    from_bot: bool
    sender: JSON
    chat: JSON
    date: int
    text: str = ""
    entities: list[Entity] = field(default_factory=list)
    keyboard: list[list[JSON]] = field(default_factory=list)
    file: StoredFile | None = None
    file_kind: Literal["document", "photo"] = "document"
    replied: ChatMessage | None = None
    edit_date: int | None = None
    reaction: str | None = None
    deleted: bool = False
    touched: int = 0

    @property
    def buttons(self) -> list[JSON]:
        return [button for row in self.keyboard for button in row]

    def to_api(self, *, with_reply: bool = True) -> JSON:
        data: JSON = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat,
            "from": self.sender,
        }
        text_key, entities_key = ("text", "entities")
        if self.file is not None:
            text_key, entities_key = ("caption", "caption_entities")
            info = self.file.to_api(self.file_kind)
            data[self.file_kind] = [info] if self.file_kind == "photo" else info
        if self.text:
            data[text_key] = self.text
        if self.entities:
            data[entities_key] = [entity.to_api(self.text) for entity in self.entities]
        if self.keyboard:
            data["reply_markup"] = {"inline_keyboard": self.keyboard}
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if with_reply and self.replied is not None:
            # As in Telegram, the replied-to message comes without its own reply.
            data["reply_to_message"] = self.replied.to_api(with_reply=False)
        return data


class ChatView(Protocol):
    """Where the console shows what the bot did."""

    def show(self, message: ChatMessage, *, edit: Literal["text", "keyboard"] | None) -> None:
        """A bot message was sent (``edit`` None) or edited."""

    def notice(self, text: str, *, alert: bool) -> None:
        """The bot answered a button press with text."""

    def deleted(self, message: ChatMessage) -> None:
        """The bot deleted a message."""

    def reacted(self, message: ChatMessage, emojis: list[str]) -> None:
        """The bot set its reaction on a message."""


# ---------------------------------------------------------------------------------------------
# The Bot API

Method = Callable[[JSON, UploadFileDict], object]


class ConsoleTelegram(BaseRequest):
    """Answers the bot's Bot API calls for one chat, and plays the person in it."""

    def __init__(self, *, chat_id: int, person_name: str, view: ChatView) -> None:
        if chat_id in (0, BOT_ID):
            raise ValueError(f"{chat_id} cannot be a chat id")
        self._view = view
        self.bot_user: JSON = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Commonplace",
            "username": "commonplace_console_bot",
        }
        private = chat_id > 0
        self.person: JSON = {
            "id": chat_id if private else 1,
            "is_bot": False,
            "first_name": person_name,
        }
        self.chat: JSON = (
            {"id": chat_id, "type": "private", "first_name": person_name}
            if private
            else {"id": chat_id, "type": "supergroup", "title": "Commonplace console"}
        )
        # The database remembers which message shows which highlight, and which message made
        # a note. Telegram's ids stay below 2**31; ids from the microsecond clock (about 2**50)
        # never meet them, nor an earlier console session's.
        self._first_id = time.time_ns() // 1000
        self._numbers = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._touches = itertools.count(1)
        self._messages: dict[int, ChatMessage] = {}
        self._by_id: dict[int, ChatMessage] = {}
        self._files: dict[str, StoredFile] = {}
        self._queries: set[str] = set()
        self._methods: dict[str, Method] = {
            "getme": lambda p, f: self.bot_user,
            "getupdates": lambda p, f: [],
            "deletewebhook": lambda p, f: True,
            "setmycommands": lambda p, f: True,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": lambda p, f: self._send_file(p, f, "document"),
            "sendphoto": lambda p, f: self._send_file(p, f, "photo"),
            "getfile": self._get_file,
            "setmessagereaction": self._set_message_reaction,
            "sendchataction": self._send_chat_action,
            "deletemessage": self._delete_message,
        }

    # -- BaseRequest ------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
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
        name = url.rsplit("/", 1)[-1]
        call = self._methods.get(name.lower())
        try:
            if call is None:
                raise ApiError(f"Bad Request: the console does not implement {name}")
            params = request_data.parameters if request_data else {}
            files = request_data.multipart_data if request_data else {}
            result = call(dict(params), files)
        except ApiError as error:
            return 400, _json({"ok": False, "error_code": 400, "description": str(error)})
        return 200, _json({"ok": True, "result": result})

    # -- the bot's side ---------------------------------------------------------------------

    def _send_message(self, params: JSON, files: UploadFileDict) -> JSON:
        self._target(params)
        text, entities = _formatted(params, "text", MAX_TEXT)
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        message = self._add(
            from_bot=True,
            text=text,
            entities=entities,
            keyboard=_keyboard(params),
            replied=self._replied(params),
        )
        self._view.show(message, edit=None)
        return message.to_api()

    def _send_file(
        self, params: JSON, files: UploadFileDict, kind: Literal["document", "photo"]
    ) -> JSON:
        self._target(params)
        stored = self._uploaded(params, files, kind)
        caption, entities = _formatted(params, "caption", MAX_CAPTION)
        message = self._add(
            from_bot=True,
            text=caption,
            entities=entities,
            keyboard=_keyboard(params),
            replied=self._replied(params),
            file=stored,
            file_kind=kind,
        )
        self._view.show(message, edit=None)
        return message.to_api()

    def _send_chat_action(self, params: JSON, files: UploadFileDict) -> bool:
        self._target(params)
        return True

    def _edit_message_text(self, params: JSON, files: UploadFileDict) -> JSON:
        message = self._editable(params)
        text, entities = _formatted(params, "text", MAX_TEXT)
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        # As in Telegram, an edit without reply_markup removes the buttons.
        keyboard = _keyboard(params)
        if (text, entities, keyboard) == (message.text, message.entities, message.keyboard):
            raise ApiError(NOT_MODIFIED)
        message.text, message.entities, message.keyboard = text, entities, keyboard
        self._edited(message)
        self._view.show(message, edit="text")
        return message.to_api()

    def _edit_message_reply_markup(self, params: JSON, files: UploadFileDict) -> JSON:
        message = self._editable(params)
        keyboard = _keyboard(params)
        if keyboard == message.keyboard:
            raise ApiError(NOT_MODIFIED)
        message.keyboard = keyboard
        self._edited(message)
        self._view.show(message, edit="keyboard")
        return message.to_api()

    def _answer_callback_query(self, params: JSON, files: UploadFileDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._queries:
            raise ApiError(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self._queries.discard(query_id)
        text = params.get("text")
        if text:
            self._view.notice(str(text), alert=bool(params.get("show_alert")))
        return True

    def _get_file(self, params: JSON, files: UploadFileDict) -> JSON:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError("Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_LIMIT:
            raise ApiError("Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _set_message_reaction(self, params: JSON, files: UploadFileDict) -> bool:
        message = self._addressed(params, "Bad Request: message to react not found")
        reactions = params.get("reaction") or []
        emojis = [str(r.get("emoji")) for r in reactions if isinstance(r, dict) and "emoji" in r]
        self._view.reacted(message, emojis)
        return True

    def _delete_message(self, params: JSON, files: UploadFileDict) -> bool:
        message = self._addressed(params, "Bad Request: message to delete not found")
        message.deleted = True
        self._view.deleted(message)
        return True

    def _download(self, url: str) -> tuple[int, bytes]:
        # The URL is base_file_url + token + "/" + file_path, percent-encoded by PTB.
        _, _, rest = url.partition("/file/bot")
        file_path = unquote(rest.partition("/")[2])
        for stored in self._files.values():
            if stored.file_path == file_path:
                return 200, stored.read()
        return 404, _json({"ok": False, "error_code": 404, "description": "Not Found"})

    # -- helpers for the bot's side ---------------------------------------------------------

    def _target(self, params: JSON) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError("Bad Request: chat not found") from None
        # The console is one chat: anything addressed elsewhere would never arrive.
        if chat_id != self.chat["id"]:
            raise ApiError("Bad Request: chat not found")
        return chat_id

    def _addressed(self, params: JSON, missing: str) -> ChatMessage:
        self._target(params)
        try:
            message = self._by_id.get(int(params["message_id"]))
        except (KeyError, TypeError, ValueError):
            message = None
        if message is None or message.deleted:
            raise ApiError(missing)
        return message

    def _editable(self, params: JSON) -> ChatMessage:
        if "inline_message_id" in params:
            raise ApiError("Bad Request: the console has no inline messages")
        message = self._addressed(params, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError("Bad Request: message can't be edited")
        return message

    def _replied(self, params: JSON) -> ChatMessage | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        message = self._by_id.get(int(message_id))
        if message is None or message.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError("Bad Request: message to be replied not found")
        return message

    def _uploaded(
        self, params: JSON, files: UploadFileDict, kind: Literal["document", "photo"]
    ) -> StoredFile:
        value = params.get(kind)
        part = files.get(kind)  # an InputFile; a string is a file_id sent before
        if part is None:
            if isinstance(value, str) and value in self._files:
                return self._files[value]
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        filename, content, mime_type = part
        data = content if isinstance(content, bytes) else content.read()
        width = height = 0
        if kind == "photo":
            if data.startswith(_PNG) and len(data) >= 24:
                width, height = struct.unpack(">II", data[16:24])
            elif not data.startswith(_JPEG):
                raise ApiError("Bad Request: IMAGE_PROCESS_FAILED")
        return self._store(filename or kind, data, mime_type, width=width, height=height)

    def _store(
        self, name: str, source: bytes | Path, mime_type: str, *, width: int = 0, height: int = 0
    ) -> StoredFile:
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        file_id = f"console-{len(self._files) + 1}"
        stored = StoredFile(file_id, name, mime_type, size, source, width, height)
        self._files[file_id] = stored
        return stored

    def _add(self, *, from_bot: bool, **fields: Any) -> ChatMessage:
        number = next(self._numbers)
        message = ChatMessage(
            number=number,
            message_id=self._first_id + number,
            from_bot=from_bot,
            sender=self.bot_user if from_bot else self.person,
            chat=self.chat,
            date=int(time.time()),
            touched=next(self._touches),
            **fields,
        )
        self._messages[number] = message
        self._by_id[message.message_id] = message
        return message

    def _edited(self, message: ChatMessage) -> None:
        message.edit_date = int(time.time())
        message.touched = next(self._touches)

    def _update(self, kind: str, payload: JSON) -> JSON:
        return {"update_id": next(self._update_ids), kind: payload}

    # -- the person's side ------------------------------------------------------------------

    def message(self, number: int) -> ChatMessage:
        """Message ``number`` of this session; ConsoleError if there is none."""
        message = self._messages.get(number)
        if message is None or message.deleted:
            raise ConsoleError(f"there is no message [{number}]")
        return message

    def latest_keyboard(self) -> ChatMessage:
        """The bot message whose buttons were shown last."""
        shown = [m for m in self._messages.values() if m.keyboard and not m.deleted]
        if not shown:
            raise ConsoleError("no message has buttons yet")
        return max(shown, key=lambda m: m.touched)

    def person_sends(self, text: str, *, reply_to: int | None = None) -> tuple[ChatMessage, JSON]:
        """The person sends ``text`` (a reply to message ``reply_to``); the update."""
        replied = self.message(reply_to) if reply_to is not None else None
        message = self._add(
            from_bot=False, text=text, entities=command_entities(text), replied=replied
        )
        return message, self._update("message", message.to_api())

    def person_sends_file(self, path: Path) -> tuple[ChatMessage, JSON]:
        """The person sends a file as a document; it is read when the bot downloads it."""
        if not path.is_file():
            raise ConsoleError(f"no such file: {path}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        stored = self._store(path.name, path, mime_type)
        message = self._add(from_bot=False, file=stored, file_kind="document")
        return message, self._update("message", message.to_api())

    def person_edits(self, number: int, text: str) -> tuple[ChatMessage, JSON]:
        """The person edits their text message ``number``."""
        message = self.message(number)
        if message.from_bot or message.file is not None:
            raise ConsoleError(f"[{number}] is not a text message of yours")
        message.text, message.entities = text, command_entities(text)
        self._edited(message)
        return message, self._update("edited_message", message.to_api())

    def person_presses(self, number: int | None, button: int) -> tuple[ChatMessage, JSON, JSON]:
        """The person presses ``button`` (from 1) of a message: the message, button and update."""
        message = self.latest_keyboard() if number is None else self.message(number)
        buttons = message.buttons
        if not buttons:
            raise ConsoleError(f"[{message.number}] has no buttons")
        if not 1 <= button <= len(buttons):
            raise ConsoleError(f"[{message.number}] has buttons 1 to {len(buttons)}")
        chosen = buttons[button - 1]
        if "callback_data" not in chosen:
            raise ConsoleError(f"that button opens {chosen.get('url', 'nothing the bot hears')}")
        query_id = str(next(self._query_ids))
        self._queries.add(query_id)
        query = {
            "id": query_id,
            "from": self.person,
            "chat_instance": str(self.chat["id"]),
            "message": message.to_api(),
            "data": chosen["callback_data"],
        }
        return message, chosen, self._update("callback_query", query)

    def person_reacts(self, number: int, emoji: str | None) -> tuple[ChatMessage, JSON]:
        """The person sets (or, with None, removes) their reaction on message ``number``."""
        message = self.message(number)
        old, message.reaction = message.reaction, emoji
        reaction = {
            "chat": self.chat,
            "message_id": message.message_id,
            "user": self.person,
            "date": int(time.time()),
            "old_reaction": [{"type": "emoji", "emoji": old}] if old else [],
            "new_reaction": [{"type": "emoji", "emoji": emoji}] if emoji else [],
        }
        return message, self._update("message_reaction", reaction)


def _formatted(params: JSON, key: str, limit: int) -> tuple[str, list[Entity]]:
    raw = str(params.get(key) or "")
    mode = str(params.get("parse_mode") or "").upper()
    text, entities = parse_html(raw) if mode == "HTML" else (raw, [])
    if utf16_len(text) > limit:
        kind = "caption" if key == "caption" else "text"
        raise ApiError(f"Bad Request: message {kind} is too long")
    return text, entities


def _keyboard(params: JSON) -> list[list[JSON]]:
    markup = params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    rows: list[list[JSON]] = [list(row) for row in markup.get("inline_keyboard", [])]
    for button in (button for row in rows for button in row):
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise ApiError("Bad Request: BUTTON_DATA_INVALID")
    return rows


def _json(data: object) -> bytes:
    return json.dumps(data).encode()
