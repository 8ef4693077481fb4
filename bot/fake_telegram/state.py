"""The fake Telegram's world: users, chats and their messages, files, and pending updates."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import (
    JSON,
    ApiCall,
    ApiError,
    BotReaction,
    CallbackAnswer,
    ChatAction,
    InlineAnswer,
    Message,
    StoredFile,
    Webhook,
)
from .params import Params

UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What a bot gets until it names allowed_updates (and when it passes an empty list).
DEFAULT_UPDATE_TYPES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}


class Signal:
    """Wakes every waiter whenever something in the world changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting now; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Return at the next change or after ``seconds``, whichever comes first."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await event.wait()


@dataclass
class ChatState:
    """One chat: its Bot API object, messages by id, and what the tests made of it."""

    chat: JSON
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    blocked: bool = False
    missing: bool = False
    # Each user's current reactions per message, so reaction updates carry old_reaction.
    user_reactions: dict[tuple[int, int], list[JSON]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``private``, ``group``, ``supergroup`` or ``channel``."""
        return str(self.chat["type"])


@dataclass(frozen=True)
class PendingUpdate:
    """An update waiting for the bot to fetch and confirm it."""

    update_id: int
    kind: str
    payload: JSON

    def to_api(self) -> JSON:
        """The Bot API ``Update`` object."""
        return {"update_id": self.update_id, self.kind: self.payload}


class World:
    """Everything the fake server knows; the API methods and the simulated users both act on it."""

    def __init__(
        self,
        bot_user: JSON,
        *,
        clock: Callable[[], float] = time.time,
        only_added_chats: bool = False,
    ) -> None:
        self.bot_user = bot_user
        self.clock = clock
        # A world of one known chat (the console's) answers "chat not found" for any other,
        # instead of making it up.
        self.only_added_chats = only_added_chats
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.updates: list[PendingUpdate] = []
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.open_callback_queries: dict[str, tuple[int, int]] = {}
        self.outputs: list[Message] = []
        self.calls: list[ApiCall] = []
        self.failures: list[tuple[ApiCall, str]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.open_inline_queries: dict[str, int] = {}  # query id -> the user who asked
        self.inline_mode = False  # @BotFather's /setinline: getMe's supports_inline_queries
        self.inline_answers: list[InlineAnswer] = []
        self.reactions: list[BotReaction] = []
        self.chat_actions: list[ChatAction] = []
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: Webhook | None = None
        self.changed = Signal()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)

    def now(self) -> int:
        """Unix time, as in every Bot API ``date``."""
        return int(self.clock())

    def next_id(self) -> int:
        """A fresh number for file and callback query ids."""
        return next(self._ids)

    def user(self, user_id: int) -> JSON:
        """The Bot API ``User`` for ``user_id``, made up on first use."""
        if user_id not in self.users:
            self.users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
                "language_code": "en",
            }
        return self.users[user_id]

    def chat(self, chat_id: int, chat_type: str | None = None) -> ChatState:
        """The chat ``chat_id``, made up on first use (type from the id's sign unless given)."""
        state = self.chats.get(chat_id)
        if state is None:
            kind = chat_type or ("private" if chat_id > 0 else "supergroup")
            if kind == "private":
                if chat_id <= 0:
                    raise ValueError(f"a private chat needs a positive id, not {chat_id}")
                user = self.user(chat_id)
                chat: JSON = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
                if "username" in user:
                    chat["username"] = user["username"]
            else:
                if chat_id >= 0:
                    raise ValueError(f"a {kind} needs a negative id, not {chat_id}")
                chat = {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
            state = self.chats[chat_id] = ChatState(chat, missing=self.only_added_chats)
        elif chat_type is not None and chat_type != state.kind:
            raise ValueError(f"chat {chat_id} is a {state.kind}, not a {chat_type}")
        return state

    def add_chat(self, chat: JSON, *, first_message_id: int = 1) -> ChatState:
        """Add a chat (a Bot API ``Chat``) whose message ids start at ``first_message_id``."""
        state = self.chats[int(chat["id"])] = ChatState(chat, next_message_id=first_message_id)
        return state

    def add_message(self, chat_id: int, sender: JSON, **fields: Any) -> Message:
        """Store a new message in ``chat_id`` with the chat's next message id."""
        state = self.chat(chat_id)
        message = Message(
            chat=state.chat,
            sender=sender,
            message_id=state.next_message_id,
            date=self.now(),
            **fields,
        )
        state.next_message_id += 1
        state.messages[message.message_id] = message
        return message

    def find(self, chat_id: int, message_id: int) -> Message | None:
        """The message, unless it does not exist or was deleted."""
        state = self.chats.get(chat_id)
        message = None if state is None else state.messages.get(message_id)
        return None if message is None or message.deleted else message

    def store_file(self, content: bytes, *, folder: str, suffix: str, **fields: Any) -> StoredFile:
        """Keep a file so getFile and the download endpoint can serve it."""
        number = self.next_id()
        stored = StoredFile(
            file_id=f"F{number:04d}-{folder}",
            file_unique_id=f"U{number:04d}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            **{"file_size": len(content), **fields},
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def push_update(self, kind: str, payload: JSON) -> PendingUpdate:
        """Queue an update for getUpdates and wake the long polls."""
        update = PendingUpdate(next(self._update_ids), kind, payload)
        self.updates.append(update)
        self.changed.notify()
        return update

    def log_call(self, method: str, params: Params) -> ApiCall:
        """Remember an authorised request, for ``FakeTelegram.requests``."""
        call = ApiCall(method, params.for_log())
        self.calls.append(call)
        return call

    def log_failure(self, call: ApiCall, error: ApiError) -> None:
        """Remember that ``call`` was answered with ``error``."""
        self.failures.append((call, error.description))
        self.changed.notify()

    def record_output(self, message: Message) -> None:
        """Remember what the bot just sent or edited, as it looks now, for ``wait_for``."""
        self.outputs.append(message.snapshot())
        self.changed.notify()

    def bot_messages(self, chat_id: int) -> list[Message]:
        """The bot's messages in a chat, oldest first, deleted ones included."""
        state = self.chats.get(chat_id)
        if state is None:
            return []
        return [m for m in state.messages.values() if m.from_bot]
