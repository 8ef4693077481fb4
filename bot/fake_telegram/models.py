"""What the fake Telegram stores: messages, files, answers, reactions, faults, API errors."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API failure, answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        """The JSON body Telegram sends with this error."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's ``Bad Request:`` prefix."""
    return ApiError(400, f"Bad Request: {reason}")


class ApiCall(NamedTuple):
    """One authorised request the bot made: the method and its decoded parameters."""

    method: str
    params: JSON


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def as_document(self) -> JSON:
        """The Bot API ``Document`` object."""
        doc: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.file_size
        return doc

    def as_photo(self) -> list[JSON]:
        """The Bot API ``PhotoSize`` array (one size: the original)."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": self.file_size,
            }
        ]

    def as_file(self) -> JSON:
        """The Bot API ``File`` object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass
class Edit:
    """One edit the bot applied to its message (the state right after that edit)."""

    date: int
    text: str | None
    sent_text: str | None
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None


@dataclass
class Message:
    """A message in a fake chat, sent by the bot or by a simulated user.

    ``text``/``caption`` are what the reader sees (markup parsed away); ``sent_text`` is the text
    or caption exactly as the bot submitted it, markup included. ``reply_markup`` is the markup
    the bot passed (any keyboard kind); only inline keyboards appear in the API object, as on
    Telegram. ``edits`` lists every edit in order; the fields always show the latest state.
    """

    chat: JSON
    sender: JSON
    message_id: int
    date: int
    text: str | None = None
    sent_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    reply_markup: JSON | None = None
    reply_to_message: Message | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    sticker: JSON | None = None
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """The chat this message lives in."""
        return int(self.chat["id"])

    @property
    def from_bot(self) -> bool:
        """True for the bot's own messages."""
        return bool(self.sender.get("is_bot"))

    @property
    def reply_to(self) -> int | None:
        """The id of the message this one replies to."""
        return None if self.reply_to_message is None else self.reply_to_message.message_id

    @property
    def edited(self) -> bool:
        """True once the bot edited this message."""
        return bool(self.edits)

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has, else ``""`` (handy in predicates)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def keyboard(self) -> list[list[JSON]]:
        """The rows of inline keyboard buttons."""
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def buttons(self) -> list[JSON]:
        """Every inline keyboard button, row by row."""
        return [button for row in self.keyboard for button in row]

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every inline button, in order."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def snapshot(self) -> Message:
        """A copy that later edits do not change (the replied-to message stays shared)."""
        return replace(
            self,
            entities=copy.deepcopy(self.entities),
            reply_markup=copy.deepcopy(self.reply_markup),
            edits=list(self.edits),
        )

    def to_api(self, *, with_reply: bool = True) -> JSON:
        """The Bot API ``Message`` object."""
        api: JSON = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edits:
            api["edit_date"] = self.edits[-1].date
        if with_reply and self.reply_to_message is not None:
            api["reply_to_message"] = self.reply_to_message.to_api(with_reply=False)
        if self.text is not None:
            api["text"] = self.text
            if self.entities:
                api["entities"] = self.entities
        if self.document is not None:
            api["document"] = self.document.as_document()
        if self.photo is not None:
            api["photo"] = self.photo.as_photo()
        if self.sticker is not None:
            api["sticker"] = self.sticker
        if self.caption is not None:
            api["caption"] = self.caption
            if self.entities:
                api["caption_entities"] = self.entities
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            api["reply_markup"] = self.reply_markup
        return api


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True)
class InlineAnswer:
    """An answerInlineQuery call."""

    inline_query_id: str
    results: list[JSON]
    next_offset: str
    cache_time: int
    is_personal: bool
    button: JSON | None


@dataclass(frozen=True)
class BotReaction:
    """A setMessageReaction call: the bot's reaction emojis on a message (empty = removed)."""

    chat_id: int
    message_id: int
    emojis: tuple[str, ...]
    is_big: bool


@dataclass(frozen=True)
class ChatAction:
    """A sendChatAction call."""

    chat_id: int
    action: str


@dataclass(frozen=True)
class Webhook:
    """The webhook set with setWebhook."""

    url: str
    secret_token: str | None
    allowed_updates: tuple[str, ...] | None
    max_connections: int


@dataclass
class Fault:
    """A failure armed with ``FakeTelegram.fail_next``; see there for the fields' meaning."""

    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None
    timeout: bool
    delivered: bool
    hold: float

    def error(self) -> ApiError:
        """The error this fault answers with."""
        return ApiError(self.status, self.description, retry_after=self.retry_after)
