"""The Bot API surface of the fake: method lookup and every method but the message ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .inline import answer_inline_query
from .limits import FloodControl
from .messages import MessageMethods
from .models import JSON, ApiError, BotReaction, CallbackAnswer, ChatAction, Webhook, bad_request
from .params import Params
from .state import DEFAULT_UPDATE_TYPES, UPDATE_TYPES, World

FILE_DOWNLOAD_LIMIT = 20 * 1024 * 1024
# The emoji a bot may react with (ReactionTypeEmoji in the Bot API reference).
# fmt: off
REACTION_EMOJI = frozenset((
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢",
    "🎉", "🤩", "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳",
    "❤️‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓",
    "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈",
    "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿",
    "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷‍♂️", "🤷", "🤷‍♀️",
    "😡",
))
# fmt: on
CHAT_ACTIONS = frozenset(
    (
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    )
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SECRET_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_COMMAND_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class BotApi:
    """Runs Bot API methods against the world; raises ApiError as Telegram would answer."""

    def __init__(
        self, world: World, *, strict_html: bool = True, flood: FloodControl | None = None
    ) -> None:
        self.world = world
        self.messages = MessageMethods(world, strict_html=strict_html, flood=flood)
        handlers: dict[str, Callable[[Params], Any]] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "sendMessage": self.messages.send_message,
            "sendDocument": self.messages.send_document,
            "sendPhoto": self.messages.send_photo,
            "editMessageText": self.messages.edit_message_text,
            "editMessageReplyMarkup": self.messages.edit_message_reply_markup,
            "deleteMessage": self.messages.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": lambda params: answer_inline_query(world, params),
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMessageReaction": self.set_message_reaction,
            "sendChatAction": self.send_chat_action,
        }
        self._names = {name.lower(): name for name in handlers}
        self._handlers = handlers

    def canonical_name(self, method: str) -> str | None:
        """The method's proper name (Telegram matches names case-insensitively), else None."""
        return self._names.get(method.lower())

    def call(self, method: str, params: Params) -> Any:
        """Run a method given by its canonical name and return its ``result``."""
        return self._handlers[method](params)

    # -- getUpdates --------------------------------------------------------------------------

    def start_poll(self, params: Params) -> tuple[int, float]:
        """Apply getUpdates' offset and allowed_updates; return (limit, timeout)."""
        if self.world.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.integer("offset") or 0
        limit = min(max(params.integer("limit") or 100, 1), 100)
        timeout = max(params.integer("timeout") or 0, 0)
        allowed = params.json("allowed_updates")
        if allowed is not None:
            self.world.allowed_updates = _update_types(allowed)
        updates = self.world.updates
        if offset > 0:
            self.world.updates = [u for u in updates if u.update_id >= offset]
        elif offset < 0:
            # Telegram: a negative offset keeps only that many of the latest updates.
            self.world.updates = updates[offset:]
        return limit, float(timeout)

    def ready_updates(self, limit: int) -> list[JSON]:
        """The unconfirmed updates the bot asked for; others are dropped, as Telegram does."""
        allowed = self.world.allowed_updates
        self.world.updates = [u for u in self.world.updates if u.kind in allowed]
        return [u.to_api() for u in self.world.updates[:limit]]

    def get_updates(self, params: Params) -> list[JSON]:
        """getUpdates answered at once; the HTTP server holds long polls itself."""
        limit, _ = self.start_poll(params)
        return self.ready_updates(limit)

    # -- other methods -----------------------------------------------------------------------

    def get_me(self, params: Params) -> JSON:
        """getMe."""
        return {
            **self.world.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.world.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: each query can be answered once."""
        query_id = params.text("callback_query_id") or ""
        if self.world.open_callback_queries.pop(query_id, None) is None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.world.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=params.text("text"),
                show_alert=params.flag("show_alert"),
                url=params.text("url"),
                cache_time=params.integer("cache_time") or 0,
            )
        )
        self.world.changed.notify()
        return True

    def get_file(self, params: Params) -> JSON:
        """getFile: bots may download files of up to 20 MB."""
        stored = self.world.files.get(params.text("file_id") or "")
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if stored.file_size > FILE_DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return stored.as_file()

    def set_my_commands(self, params: Params) -> bool:
        """setMyCommands."""
        commands = params.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "can't parse commands")
        cleaned: list[JSON] = []
        for entry in commands:
            command = entry.get("command") if isinstance(entry, dict) else None
            description = entry.get("description") if isinstance(entry, dict) else None
            if not isinstance(command, str) or not 1 <= len(command) <= 32:
                raise bad_request("BOT_COMMAND_INVALID")
            if not set(command.lower()) <= _COMMAND_CHARS:
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command.lower(), "description": description})
        self.world.commands[self._commands_key(params)] = cleaned
        self.world.changed.notify()
        return True

    def get_my_commands(self, params: Params) -> list[JSON]:
        """getMyCommands."""
        return list(self.world.commands.get(self._commands_key(params), []))

    def delete_my_commands(self, params: Params) -> bool:
        """deleteMyCommands."""
        self.world.commands.pop(self._commands_key(params), None)
        self.world.changed.notify()
        return True

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        return commands_key(scope, params.text("language_code") or "")

    def set_webhook(self, params: Params) -> bool:
        """setWebhook; an empty url removes the webhook. Plain http is allowed on loopback."""
        url = params.text("url") or ""
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        if not url:
            self.world.webhook = None
            return True
        if not url.startswith(("https://", "http://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret is not None and (
            not 1 <= len(secret) <= 256 or not set(secret) <= _SECRET_TOKEN_CHARS
        ):
            raise bad_request("secret token contains unallowed characters")
        allowed = params.json("allowed_updates")
        if allowed is not None:
            self.world.allowed_updates = _update_types(allowed)
        self.world.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=None if allowed is None else tuple(allowed),
            max_connections=params.integer("max_connections") or 40,
        )
        self.world.changed.notify()
        return True

    def delete_webhook(self, params: Params) -> bool:
        """deleteWebhook."""
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook = None
        return True

    def get_webhook_info(self, params: Params) -> JSON:
        """getWebhookInfo."""
        hook = self.world.webhook
        info: JSON = {
            "url": "" if hook is None else hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = list(hook.allowed_updates)
        return info

    def set_message_reaction(self, params: Params) -> bool:
        """setMessageReaction: a bot may set at most one reaction."""
        chat_id, _ = self.messages.target(params)
        message_id = params.integer("message_id")
        if message_id is None or self.world.find(chat_id, message_id) is None:
            raise bad_request("MESSAGE_ID_INVALID")
        reaction = params.json("reaction", what="reaction") or []
        if not isinstance(reaction, list):
            raise bad_request("can't parse reaction JSON object")
        emojis = tuple(_reaction_emoji(item) for item in reaction)
        if len(emojis) > 1:
            raise bad_request("REACTIONS_TOO_MANY")
        self.world.reactions.append(
            BotReaction(chat_id, message_id, emojis, is_big=params.flag("is_big"))
        )
        self.world.changed.notify()
        return True

    def send_chat_action(self, params: Params) -> bool:
        """sendChatAction."""
        chat_id, _ = self.messages.target(params)
        action = params.text("action") or ""
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.world.chat_actions.append(ChatAction(chat_id, action))
        self.world.changed.notify()
        return True


def commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    """How command lists are keyed: the scope object and the language."""
    return json.dumps(scope, sort_keys=True), language_code


def _update_types(allowed: Any) -> frozenset[str]:
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed_updates JSON array")
    # Unknown names are ignored and an empty list means the default, as on Telegram.
    return frozenset(allowed) & UPDATE_TYPES or DEFAULT_UPDATE_TYPES


def _reaction_emoji(item: Any) -> str:
    kind = item.get("type") if isinstance(item, dict) else None
    if kind == "emoji" and item.get("emoji") in REACTION_EMOJI:
        return str(item["emoji"])
    custom_id = item.get("custom_emoji_id") if kind == "custom_emoji" else None
    if isinstance(custom_id, str) and custom_id.isdigit():
        return f"custom:{custom_id}"
    raise bad_request("REACTION_INVALID")
