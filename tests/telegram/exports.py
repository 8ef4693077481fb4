"""Getting a file out of /export the way a reader does: the command, then a format's button."""

from __future__ import annotations

from bot.fake_telegram import Message
from tests.telegram.harness import BotHarness, data_of


async def exported(bot: BotHarness, chat_id: int, label_start: str) -> Message:
    """Send /export, tap the button whose label starts with ``label_start``, return the file."""
    menu = await bot.send(chat_id, "/export")
    answer = await bot.press(chat_id, menu.message_id, data_of(menu, label_start))
    assert answer.text is None and not answer.show_alert
    document = await bot.next(chat_id)
    assert document.document is not None, document.body
    return document
