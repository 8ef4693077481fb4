"""``FakeTelegram``: a Bot API server on loopback, and the people and chats behind it.

A test starts it, points a real python-telegram-bot ``Application`` at ``tg.base_url`` and
``tg.base_file_url``, makes simulated users act (``user_sends``, ``user_presses``...) and reads
what the bot did (``wait_for``, ``sent``, ``requests``...).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from .inline import push_inline_query
from .limits import FloodControl
from .methods import BotApi
from .models import JSON, Message
from .output import BotOutput
from .server import ApiServer, make_fault
from .state import World
from .users import SimulatedUsers


class FakeTelegram(BotOutput):
    """A fake Telegram Bot API for one bot; use as ``async with FakeTelegram() as tg:``.

    ``rate_limits=True`` enforces Telegram's flood limits (see ``limits``). ``strict_html``
    (default on) also rejects a bare ``&`` in HTML, which Telegram itself lets through.
    ``latency=(low, high)`` makes every call but ``getUpdates`` take a random time in that
    range, in seconds, before it takes effect, as calls to Telegram do (50-100 ms is typical).
    ``inline_mode=True`` is a bot whose inline mode is on (getMe's ``supports_inline_queries``).
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "fake_bot",
        bot_name: str = "Fake Bot",
        rate_limits: bool = False,
        strict_html: bool = True,
        host: str = "127.0.0.1",
        latency: tuple[float, float] | None = None,
        inline_mode: bool = False,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '123456:secret'")
        self._token = token
        self._host = host
        bot_user = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        super().__init__(World(bot_user))
        self._world.inline_mode = inline_mode
        flood = FloodControl() if rate_limits else None
        self._api = BotApi(self._world, strict_html=strict_html, flood=flood)
        self._server = ApiServer(token, self._world, self._api)
        self.latency = latency
        self._users = SimulatedUsers(self._world)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving on a free port."""
        await self._server.start(self._host)

    async def stop(self) -> None:
        """Answer every waiting request and shut the server down.

        Raises RuntimeError if the fake itself crashed on a request (a bug in the fake, which
        the bot only saw as a 500).
        """
        await self._server.stop()
        errors = self._server.internal_errors
        if errors:
            raise RuntimeError(f"the fake Telegram server crashed: {errors}") from errors[0]

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            await self.stop()
        else:
            # The test already failed: stop without letting a fake bug mask that failure.
            await self._server.stop()

    @property
    def latency(self) -> tuple[float, float] | None:
        """How long each call takes (low, high seconds), or None for no delay."""
        return self._server.latency

    @latency.setter
    def latency(self, value: tuple[float, float] | None) -> None:
        if value is not None and not 0 <= value[0] <= value[1]:
            raise ValueError("latency is (low, high) with 0 <= low <= high")
        self._server.latency = value

    @property
    def token(self) -> str:
        """The only token the server accepts."""
        return self._token

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, once started."""
        return self._server.url

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's own ``User`` object, as getMe reports it."""
        return dict(self._world.bot_user)

    # -- the simulated users ---------------------------------------------------------------

    def define_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        """Set how a user looks in updates (before their chat is first used)."""
        user = self._world.user(user_id)
        changes = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        user.update({key: value for key, value in changes.items() if value is not None})

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: int | None = None,
        chat_type: str | None = None,
    ) -> Message:
        """A user sends ``text`` (``/command`` gets its entity); ``reply_to`` is a message id.

        ``chat_type`` is ``private`` (positive ids, the default), ``group`` or ``supergroup``
        (negative ids, supergroup by default). In a private chat the user is the chat; in a group
        ``user_id`` picks the member.
        """
        self.skip_output()
        return self._users.send_text(
            chat_id, text, user_id=user_id, reply_to=reply_to, chat_type=chat_type
        )

    def user_edits(self, chat_id: int, message_id: int, new_text: str) -> Message:
        """A user edits their text message (an ``edited_message`` update)."""
        self.skip_output()
        return self._users.edit_text(chat_id, message_id, new_text)

    def user_sends_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        file_size: int | None = None,
        user_id: int | None = None,
        reply_to: int | None = None,
        chat_type: str | None = None,
    ) -> Message:
        """A user sends a file; ``file_size`` can claim a size larger than ``content``."""
        self.skip_output()
        return self._users.send_document(
            chat_id,
            filename,
            content,
            mime_type=mime_type,
            caption=caption,
            file_size=file_size,
            user_id=user_id,
            reply_to=reply_to,
            chat_type=chat_type,
        )

    def user_sends_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "👍",
        user_id: int | None = None,
        reply_to: int | None = None,
        chat_type: str | None = None,
    ) -> Message:
        """A user sends a sticker."""
        self.skip_output()
        return self._users.send_sticker(
            chat_id, emoji=emoji, user_id=user_id, reply_to=reply_to, chat_type=chat_type
        )

    def user_presses(
        self, chat_id: int, message_id: int, callback_data: str, *, user_id: int | None = None
    ) -> str:
        """A user presses the inline button with ``callback_data``; returns the query id.

        Raises LookupError when the message has no such button: a real user cannot press it.
        """
        self.skip_output()
        return self._users.press(chat_id, message_id, callback_data, user_id=user_id)

    def user_inline_query(
        self, user_id: int, query: str, *, offset: str = "", chat_type: str = "sender"
    ) -> str:
        """A user types ``@bot query`` in a chat of ``chat_type`` (``sender``: their own chat
        with the bot); ``offset`` is the ``next_offset`` of the answer they scrolled past.
        Returns the inline query's id (``inline_answer`` waits for the bot's answer)."""
        return push_inline_query(
            self._world, self._world.user(user_id), query, offset=offset, chat_type=chat_type
        )

    def user_reacts(
        self,
        chat_id: int,
        message_id: int,
        emoji: str | Sequence[str] | None,
        *,
        user_id: int | None = None,
    ) -> None:
        """A user sets their reaction(s) on a message; None removes them.

        As on Telegram, the bot receives it only if it asked for ``message_reaction`` in
        ``allowed_updates`` (e.g. ``Update.ALL_TYPES``).
        """
        self.skip_output()
        self._users.react(chat_id, message_id, emoji, user_id=user_id)

    # -- faults ------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        timeout: bool = False,
        delivered: bool = False,
        hold: float = 30.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail.

        ``status`` defaults to 429 when ``retry_after`` is given (which then also defaults to
        1), else 504 with ``timeout``, else 500; ``description`` defaults to Telegram's text
        for that status. ``timeout=True`` holds the request open until the client gives up
        (or ``hold`` seconds pass, or the server stops); with ``delivered=True`` the call takes
        effect first, as when Telegram delivers a message whose response is lost.
        """
        name = self._api.canonical_name(method)
        if name is None:
            raise ValueError(f"the fake does not implement {method!r}")
        self._server.faults.append(
            make_fault(
                name,
                status=status,
                description=description,
                retry_after=retry_after,
                times=times,
                chat_id=chat_id,
                timeout=timeout,
                delivered=delivered,
                hold=hold,
            )
        )

    def clear_faults(self) -> None:
        """Disarm every fault armed with ``fail_next``."""
        self._server.faults.clear()

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: every call to the chat gets 403 until they write again."""
        self._world.chat(chat_id).blocked = True

    def unblock_chat(self, chat_id: int) -> None:
        """Undo ``block_chat``."""
        self._world.chat(chat_id).blocked = False

    def chat_not_found(self, chat_id: int) -> None:
        """Every call to the chat gets 400 ``chat not found`` (e.g. a deleted account)."""
        self._world.chat(chat_id).missing = True
