"""The simulated people on the other side of the chat: what they send becomes updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .html_entities import utf16_len
from .media import guess_mime_type, suffix_of
from .models import JSON, Edit, Message
from .state import ChatState, World

# Who speaks in a group when a test does not say.
DEFAULT_GROUP_MEMBER = 4242
# Enough of a WebP header for anything that sniffs it; the fake never decodes stickers.
_STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11"


class SimulatedUsers:
    """Builds the messages, edits, presses and reactions of users, and queues their updates."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _speaker(
        self, chat_id: int, user_id: int | None, chat_type: str | None
    ) -> tuple[ChatState, JSON]:
        state = self.world.chat(chat_id, chat_type)
        if state.kind == "private":
            if user_id not in (None, chat_id):
                raise ValueError(f"in private chat {chat_id} only user {chat_id} can speak")
            user_id = chat_id
            # A user who blocked the bot unblocks it by writing to it again.
            state.blocked = False
        elif user_id is None:
            user_id = DEFAULT_GROUP_MEMBER
        return state, self.world.user(user_id)

    def _replied(self, chat_id: int, reply_to: int | None) -> Message | None:
        if reply_to is None:
            return None
        message = self.world.find(chat_id, reply_to)
        if message is None:
            raise LookupError(f"chat {chat_id} has no message {reply_to} to reply to")
        return message

    def _post(self, chat_id: int, user: JSON, reply_to: int | None, **fields: Any) -> Message:
        """Store the user's new message (a reply to ``reply_to``, if given); queue its update."""
        replied = self._replied(chat_id, reply_to)
        message = self.world.add_message(chat_id, user, reply_to_message=replied, **fields)
        self.world.push_update("message", message.to_api())
        return message

    def _existing(self, chat_id: int, message_id: int) -> Message:
        message = self.world.find(chat_id, message_id)
        if message is None:
            raise LookupError(f"chat {chat_id} has no message {message_id}")
        return message

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None,
        reply_to: int | None,
        chat_type: str | None,
    ) -> Message:
        """A text message; a leading ``/command`` gets its bot_command entity."""
        if not text:
            raise ValueError("Telegram users cannot send an empty message")
        _, user = self._speaker(chat_id, user_id, chat_type)
        return self._post(
            chat_id, user, reply_to, text=text, sent_text=text, entities=command_entities(text)
        )

    def edit_text(self, chat_id: int, message_id: int, new_text: str) -> Message:
        """The user edits one of their own text messages."""
        message = self._existing(chat_id, message_id)
        if message.from_bot or message.text is None:
            raise ValueError(f"message {message_id} is not a user's text message")
        message.text = message.sent_text = new_text
        message.entities = command_entities(new_text)
        message.edits.append(
            Edit(
                date=self.world.now(),
                text=new_text,
                sent_text=new_text,
                parse_mode=None,
                entities=message.entities,
                reply_markup=None,
            )
        )
        self.world.push_update("edited_message", message.to_api())
        return message

    def send_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        *,
        mime_type: str | None,
        caption: str | None,
        file_size: int | None,
        user_id: int | None,
        reply_to: int | None,
        chat_type: str | None,
    ) -> Message:
        """A file; ``file_size`` may claim more than ``content`` holds (to test size limits)."""
        _, user = self._speaker(chat_id, user_id, chat_type)
        stored = self.world.store_file(
            content,
            folder="documents",
            suffix=suffix_of(filename),
            file_name=filename,
            mime_type=mime_type or guess_mime_type(filename) or "application/octet-stream",
            file_size=len(content) if file_size is None else file_size,
        )
        caption = caption or None
        return self._post(
            chat_id, user, reply_to, document=stored, caption=caption, sent_text=caption
        )

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str,
        user_id: int | None,
        reply_to: int | None,
        chat_type: str | None,
    ) -> Message:
        """A regular sticker (something that is neither text nor a file the bot expects)."""
        _, user = self._speaker(chat_id, user_id, chat_type)
        stored = self.world.store_file(
            _STICKER_BYTES, folder="stickers", suffix=".webp", width=512, height=512
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._post(chat_id, user, reply_to, sticker=sticker)

    def press(
        self, chat_id: int, message_id: int, callback_data: str, *, user_id: int | None
    ) -> str:
        """The user presses an inline button of a bot message; returns the query id."""
        message = self._existing(chat_id, message_id)
        if not message.from_bot or callback_data not in message.callback_data:
            raise LookupError(
                f"message {message_id} in chat {chat_id} has no button with callback_data "
                f"{callback_data!r} (it has {message.callback_data})"
            )
        _, user = self._speaker(chat_id, user_id, None)
        query_id = str(9_000_000 + self.world.next_id())
        self.world.open_callback_queries[query_id] = (chat_id, message_id)
        self.world.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user,
                "message": message.to_api(),
                "chat_instance": f"instance{chat_id}",
                "data": callback_data,
            },
        )
        return query_id

    def react(
        self,
        chat_id: int,
        message_id: int,
        emoji: str | Sequence[str] | None,
        *,
        user_id: int | None,
    ) -> None:
        """The user sets their reactions on a message (None or ``[]`` removes them)."""
        self._existing(chat_id, message_id)
        state, user = self._speaker(chat_id, user_id, None)
        emojis = [emoji] if isinstance(emoji, str) else list(emoji or [])
        new = [{"type": "emoji", "emoji": e} for e in emojis]
        key = (int(user["id"]), message_id)
        old = state.user_reactions.get(key, [])
        state.user_reactions[key] = new
        self.world.push_update(
            "message_reaction",
            {
                "chat": state.chat,
                "message_id": message_id,
                "user": user,
                "date": self.world.now(),
                "old_reaction": old,
                "new_reaction": new,
            },
        )


def command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram adds to a message starting with ``/command``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    if len(command) < 2:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
