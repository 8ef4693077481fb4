"""What the bot did in the fake Telegram: its messages and calls, read or waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .methods import commands_key
from .models import (
    JSON,
    ApiCall,
    BotReaction,
    CallbackAnswer,
    ChatAction,
    InlineAnswer,
    Message,
    StoredFile,
    Webhook,
)
from .state import World

MessageMatch = int | Callable[[Message], bool] | None


class BotOutput:
    """Reads a world as a test sees the bot's side of it; ``FakeTelegram`` is one."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._cursor = 0

    def sent(self, chat_id: int) -> list[Message]:
        """The bot's messages in ``chat_id``, oldest first, in their current state."""
        return self._world.bot_messages(chat_id)

    def last(self, chat_id: int) -> Message:
        """The bot's latest message in ``chat_id``; LookupError if it sent none."""
        sent = self.sent(chat_id)
        if not sent:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return sent[-1]

    def messages(self, chat_id: int) -> list[Message]:
        """Every message in ``chat_id``, the users' and the bot's, oldest first."""
        state = self._world.chats.get(chat_id)
        return [] if state is None else list(state.messages.values())

    # `timeout` mirrors asyncio.wait_for; an asyncio.timeout block would hide the report below.
    async def wait_for(
        self,
        match: MessageMatch = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """The next message the bot sends or edits that matches; TimeoutError otherwise.

        ``match`` is a chat id, a predicate on the Message, or None for anything. Bot output
        is read like a stream, starting after whichever came last: the previous ``wait_for``
        result, or the latest simulated user action (so a wait after ``user_sends`` sees only
        the response to it; output skipped over is still in ``sent``). An edit is returned as
        the message right after that edit (``.edited`` is True). The result is a snapshot.
        """
        accepts = _matcher(match)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            outputs = self._world.outputs
            for index in range(self._cursor, len(outputs)):
                if accepts(outputs[index]):
                    self._cursor = index + 1
                    return outputs[index]
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(self._no_match_report(timeout))
            await self._world.changed.wait(left)

    def skip_output(self) -> None:
        """Make ``wait_for`` ignore everything the bot has sent or edited so far."""
        self._cursor = len(self._world.outputs)

    async def wait_until(
        self,
        condition: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``condition()`` is truthy (checked whenever the fake's state changes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(self._no_match_report(timeout, what="condition held"))
            await self._world.changed.wait(left)

    def _no_match_report(self, timeout: float, what: str = "bot message matched") -> str:
        recent = [
            f"chat {m.chat_id} #{m.message_id}: {m.body[:80]!r}"
            for m in self._world.outputs[self._cursor :][-5:]
        ]
        failed = [
            f"{call.method} -> {description}" for call, description in self.failed_requests[-5:]
        ]
        return (
            f"no {what} within {timeout}s; unread bot output: {recent or 'none'}; "
            f"recent failed requests: {failed or 'none'}"
        )

    @property
    def requests(self) -> list[ApiCall]:
        """Every authorised request, in order, as (method, params)."""
        return list(self._world.calls)

    def requests_for(self, method: str) -> list[JSON]:
        """The params of every call of ``method``."""
        return [call.params for call in self._world.calls if call.method == method]

    @property
    def failed_requests(self) -> list[tuple[ApiCall, str]]:
        """Requests answered with an error, with the error description."""
        return list(self._world.failures)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery, in order."""
        return list(self._world.callback_answers)

    @property
    def inline_answers(self) -> list[InlineAnswer]:
        """Every answerInlineQuery, in order."""
        return list(self._world.inline_answers)

    async def inline_answer(self, query_id: str, timeout: float = 10.0) -> InlineAnswer:  # noqa: ASYNC109
        """The bot's answerInlineQuery to this inline query, once it comes."""

        def answered() -> InlineAnswer | None:
            return next(
                (a for a in self._world.inline_answers if a.inline_query_id == query_id), None
            )

        await self.wait_until(answered, timeout=timeout)
        answer = answered()
        assert answer is not None
        return answer

    @property
    def reactions(self) -> list[BotReaction]:
        """Every setMessageReaction, in order."""
        return list(self._world.reactions)

    @property
    def chat_actions(self) -> list[ChatAction]:
        """Every sendChatAction, in order."""
        return list(self._world.chat_actions)

    @property
    def commands(self) -> dict[str, str]:
        """The default command menu (default scope, no language): command -> description."""
        return self.commands_for()

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> dict[str, str]:
        """The command menu set for a scope (a BotCommandScope dict) and language."""
        key = commands_key(scope or {"type": "default"}, language_code)
        return {c["command"]: c["description"] for c in self._world.commands.get(key, [])}

    @property
    def webhook(self) -> Webhook | None:
        """The webhook set with setWebhook, if any."""
        return self._world.webhook

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (getUpdates with a higher offset)."""
        return [update.to_api() for update in self._world.updates]

    def file(self, file_id: str) -> StoredFile:
        """A stored file by id; KeyError if unknown."""
        return self._world.files[file_id]


def _matcher(match: MessageMatch) -> Callable[[Message], bool]:
    if match is None:
        return lambda message: True
    if isinstance(match, int):
        return lambda message: message.chat_id == match
    return match
