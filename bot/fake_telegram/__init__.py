"""A fake Telegram Bot API: Commonplace's test double, shipped with it for your tests too.

It answers like Telegram, errors and limits included: HTML parsed as Telegram parses it
(``parse_html``), lengths in UTF-16, flood limits, blocked chats, files up to 20 MB, long polls
and webhooks. The tests, the benchmarks and ``commonplace console`` all talk to it.

Over real HTTP on 127.0.0.1, spoken to by a real python-telegram-bot ``Application``::

    async with FakeTelegram(token="123:ABC") as tg:
        app = (
            Application.builder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...
        tg.user_sends(42, "/start")
        reply = await tg.wait_for(42)

In-process, without a socket, as the console uses it: a ``World`` holds the chats, ``BotApi``
answers the Bot API methods on it, ``InProcessRequest`` is the bot's transport to them,
``SimulatedUsers`` act in the chats and ``BotOutput`` reads what the bot did (``FakeTelegram``
is the same pieces behind an HTTP server)::

    world = World({"id": 123, "is_bot": True, "first_name": "Bot", "username": "a_bot"})
    request = InProcessRequest(BotApi(world))
    app = (
        Application.builder()
        .token("123:ABC")
        .request(request)
        .get_updates_request(request)
        .build()
    )
"""

from .fake import FakeTelegram
from .html_entities import EntityParseError, ParsedText, parse_html, utf16_len
from .in_process import InProcessRequest
from .methods import BotApi
from .models import (
    ApiCall,
    BotReaction,
    CallbackAnswer,
    ChatAction,
    Edit,
    InlineAnswer,
    Message,
    StoredFile,
    Webhook,
)
from .output import BotOutput, MessageMatch
from .state import World
from .users import SimulatedUsers

__all__ = [
    "ApiCall",
    "BotApi",
    "BotOutput",
    "BotReaction",
    "CallbackAnswer",
    "ChatAction",
    "Edit",
    "EntityParseError",
    "FakeTelegram",
    "InlineAnswer",
    "InProcessRequest",
    "Message",
    "MessageMatch",
    "ParsedText",
    "SimulatedUsers",
    "StoredFile",
    "Webhook",
    "World",
    "parse_html",
    "utf16_len",
]
