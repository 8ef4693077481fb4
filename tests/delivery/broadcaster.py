"""One delivery tick in a process of its own: the crash-and-restart test kills it mid-way.

python -m tests.delivery.broadcaster DATABASE_URL API_URL TOKEN NOW_ISO
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from telegram import Bot

from bot import db
from bot.delivery.engine import DeliveryEngine
from bot.delivery.pacer import Pacer
from bot.telegram.sending import TelegramSender


async def main(database_url: str, api_url: str, token: str, now: str) -> None:
    engine = db.create_db_engine(database_url)
    moment = datetime.fromisoformat(now)
    delivery = DeliveryEngine(
        sessions=db.session_factory(engine),
        default_timezone="UTC",
        clock=lambda: moment,
        pacer=Pacer(per_second=100),
        concurrency=16,
    )
    try:
        async with Bot(token, base_url=f"{api_url}/bot") as bot:
            report = await delivery.tick(TelegramSender(bot))
    finally:
        engine.dispose()
    sys.stdout.write(f"sent={report.sent} unknown_recovered={len(report.recovered)}\n")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
