"""A fake Telegram Bot API server for end-to-end tests of the bot.

Real HTTP on 127.0.0.1, spoken to by a real python-telegram-bot ``Application``::

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
"""

from .fake import FakeTelegram, MessageMatch
from .html_entities import EntityParseError, ParsedText, parse_html, utf16_len
from .models import (
    ApiCall,
    BotReaction,
    CallbackAnswer,
    ChatAction,
    Edit,
    Message,
    StoredFile,
    Webhook,
)

__all__ = [
    "ApiCall",
    "BotReaction",
    "CallbackAnswer",
    "ChatAction",
    "Edit",
    "EntityParseError",
    "FakeTelegram",
    "Message",
    "MessageMatch",
    "ParsedText",
    "StoredFile",
    "Webhook",
    "parse_html",
    "utf16_len",
]
