"""Jobs the bot runs on a timer."""

from __future__ import annotations

import time

from bot.delivery.claims import backlog
from bot.telegram.context import Context, transact


async def deliver_due(context: Context) -> None:
    """Send every daily highlight that is due now, and keep the delivery metrics."""
    data = context.bot_data
    report = await data.delivery.tick()
    metrics = data.metrics
    for outcome, count in (
        ("sent", report.sent),
        ("failed", report.refused),
        ("unknown", report.unknown + len(report.recovered)),
        ("retried", report.retried),
    ):
        if count:
            metrics.deliveries.labels(outcome=outcome).inc(count)
    now = data.delivery.now()
    waiting, lag = await transact(context, lambda s: backlog(s, now=now))
    metrics.due_backlog.set(waiting)
    metrics.delivery_lag.set(lag)
    metrics.tick_done(time.time())
