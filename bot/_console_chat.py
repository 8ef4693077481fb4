"""The console's Telegram: one chat of ``bot.fake_telegram``, answered in-process, and its person.

The Bot API is the fake's (``InProcessRequest`` over a ``BotApi``): it parses HTML as Telegram
does and refuses what Telegram refuses. What the console adds is the terminal's view of one chat:
messages numbered for the person to point at, the person's actions turned into updates, and a
``ChatView`` told of whatever the bot does in the chat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.fake_telegram import BotApi, InProcessRequest, Message, SimulatedUsers, World
from bot.fake_telegram.methods import FILE_DOWNLOAD_LIMIT
from bot.fake_telegram.models import JSON
from bot.fake_telegram.params import Params

BOT_ID = 2**53 - 1
"""Telegram's user ids have at most 52 significant bits, so no person has this one."""
BOT_USER: JSON = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Commonplace",
    "username": "commonplace_console_bot",
}
Edit = Literal["text", "keyboard"]
_SHOWN: dict[str, Edit | None] = {
    "sendMessage": None,
    "sendDocument": None,
    "sendPhoto": None,
    "editMessageText": "text",
    "editMessageReplyMarkup": "keyboard",
}


class ConsoleError(Exception):
    """What the person asked for cannot be done; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message of the chat as it is now, with the numbers the person types to point at it."""

    number: int
    message: Message
    replied: int | None


class ChatView(Protocol):
    """Where the console shows what the bot did."""

    def show(self, shown: ChatMessage, *, edit: Edit | None) -> None:
        """A bot message was sent (``edit`` None) or edited."""

    def notice(self, text: str, *, alert: bool) -> None:
        """The bot answered a button press with text."""

    def deleted(self, shown: ChatMessage) -> None:
        """The bot deleted a message."""

    def reacted(self, shown: ChatMessage, emojis: list[str]) -> None:
        """The bot set its reaction on a message."""


class ConsoleTelegram:
    """One chat with the bot: ``request`` is the bot's transport, the methods are the person."""

    def __init__(self, *, chat_id: int, person_name: str, view: ChatView) -> None:
        if chat_id in (0, BOT_ID):
            raise ValueError(f"{chat_id} cannot be a chat id")
        self._view = view
        self.world = World(dict(BOT_USER), only_added_chats=True)
        private = chat_id > 0
        self.person: JSON = {
            "id": chat_id if private else 1,
            "is_bot": False,
            "first_name": person_name,
        }
        self.world.users[self.person["id"]] = self.person
        # The database remembers which message shows which highlight, and which message made
        # a note. Telegram's ids stay below 2**31; ids from the microsecond clock (about 2**50)
        # never meet them, nor an earlier console session's.
        self._before_first = time.time_ns() // 1000
        self.chat_id = chat_id
        self.world.add_chat(
            {"id": chat_id, "type": "private", "first_name": person_name}
            if private
            else {"id": chat_id, "type": "supergroup", "title": "Commonplace console"},
            first_message_id=self._before_first + 1,
        )
        self._users = SimulatedUsers(self.world)
        # Telegram lets a bare "&" through; the console's HTML is Telegram's, not the tests'.
        api = BotApi(self.world, strict_html=False)
        self.request = InProcessRequest(api, answered=self._answered)

    # -- the bot's side ---------------------------------------------------------------------

    def _answered(self, method: str, params: Params, result: Any) -> None:
        """Tell the view what the bot just did in the chat."""
        view = self._view
        if method in _SHOWN:
            view.show(self._numbered(self._find(result["message_id"])), edit=_SHOWN[method])
        elif method == "answerCallbackQuery":
            answer = self.world.callback_answers[-1]
            if answer.text:
                view.notice(answer.text, alert=answer.show_alert)
        elif method == "setMessageReaction":
            reaction = self.world.reactions[-1]
            view.reacted(self._numbered(self._find(reaction.message_id)), list(reaction.emojis))
        elif method == "deleteMessage":
            view.deleted(self._numbered(self._find(params.integer("message_id"))))

    def _find(self, message_id: int | None) -> Message:
        """A message of the chat by id, deleted or not (the Bot API call found it)."""
        return self.world.chats[self.chat_id].messages[message_id or 0]

    def _numbered(self, message: Message) -> ChatMessage:
        replied = message.reply_to_message
        return ChatMessage(
            number=message.message_id - self._before_first,
            message=message,
            replied=None if replied is None else replied.message_id - self._before_first,
        )

    def _take_update(self) -> JSON:
        """The update the person's action queued; the console hands it to the bot itself."""
        return self.world.updates.pop().to_api()

    # -- the person's side ------------------------------------------------------------------

    def message(self, number: int) -> ChatMessage:
        """Message ``number`` of this session; ConsoleError if there is none."""
        message = self.world.find(self.chat_id, self._before_first + number) if number else None
        if message is None:
            raise ConsoleError(f"there is no message [{number}]")
        return self._numbered(message)

    def latest_keyboard(self) -> Message:
        """The bot message whose buttons were shown last."""
        for output in reversed(self.world.outputs):
            message = self.world.find(self.chat_id, output.message_id)
            if message is not None and message.buttons:
                return message
        raise ConsoleError("no message has buttons yet")

    def person_sends(self, text: str, *, reply_to: int | None = None) -> tuple[ChatMessage, JSON]:
        """The person sends ``text`` (a reply to message ``reply_to``); the update."""
        replied = None if reply_to is None else self.message(reply_to).message.message_id
        message = self._users.send_text(
            self.chat_id, text, user_id=self.person["id"], reply_to=replied, chat_type=None
        )
        return self._numbered(message), self._take_update()

    def person_sends_file(self, path: Path) -> tuple[ChatMessage, JSON]:
        """The person sends a file as a document."""
        if not path.is_file():
            raise ConsoleError(f"no such file: {path}")
        try:
            size = path.stat().st_size
            # Telegram gives no bot a file over 20 MB, so the console need not read one.
            content = path.read_bytes() if size <= FILE_DOWNLOAD_LIMIT else b""
        except OSError as error:
            raise ConsoleError(f"cannot read {path}: {error.strerror}") from None
        message = self._users.send_document(
            self.chat_id,
            path.name,
            content,
            mime_type=None,
            caption=None,
            file_size=size,
            user_id=self.person["id"],
            reply_to=None,
            chat_type=None,
        )
        return self._numbered(message), self._take_update()

    def person_edits(self, number: int, text: str) -> tuple[ChatMessage, JSON]:
        """The person edits their text message ``number``."""
        message = self.message(number).message
        if message.from_bot or message.text is None:
            raise ConsoleError(f"[{number}] is not a text message of yours")
        edited = self._users.edit_text(self.chat_id, message.message_id, text)
        return self._numbered(edited), self._take_update()

    def person_presses(self, number: int | None, button: int) -> tuple[ChatMessage, JSON, JSON]:
        """The person presses ``button`` (from 1) of a message: the message, button and update."""
        message = self.latest_keyboard() if number is None else self.message(number).message
        shown, buttons = self._numbered(message), message.buttons
        if not buttons:
            raise ConsoleError(f"[{shown.number}] has no buttons")
        if not 1 <= button <= len(buttons):
            raise ConsoleError(f"[{shown.number}] has buttons 1 to {len(buttons)}")
        chosen = buttons[button - 1]
        if "callback_data" not in chosen:
            raise ConsoleError(f"that button opens {chosen.get('url', 'nothing the bot hears')}")
        self._users.press(
            self.chat_id, message.message_id, chosen["callback_data"], user_id=self.person["id"]
        )
        return shown, chosen, self._take_update()

    def person_reacts(self, number: int, emoji: str | None) -> tuple[ChatMessage, JSON]:
        """The person sets (or, with None, removes) their reaction on message ``number``."""
        shown = self.message(number)
        self._users.react(self.chat_id, shown.message.message_id, emoji, user_id=self.person["id"])
        return shown, self._take_update()
