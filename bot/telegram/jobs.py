"""Jobs the bot runs on a timer."""

from __future__ import annotations

from bot.telegram.context import Context


async def deliver_due(context: Context) -> None:
    """Send every daily highlight that is due now."""
    await context.bot_data.delivery.tick(context.bot)
