"""Prometheus metrics, in a registry of the application's own (not the global one)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    """Every metric the bot exposes on /metrics."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    last_tick_at: float | None = None
    """Wall-clock time of the scheduler's last finished tick (for /healthz)."""

    def __post_init__(self) -> None:
        r = self.registry
        self.updates = Counter(
            "commonplace_updates_total",
            "Updates handled, by command or kind.",
            ["kind"],
            registry=r,
        )
        self.handler_seconds = Histogram(
            "commonplace_handler_seconds",
            "Time from an update's arrival to its handler's end.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.deliveries = Counter(
            "commonplace_deliveries_total",
            "Daily highlights by outcome: sent, failed, unknown, retried.",
            ["outcome"],
            registry=r,
        )
        self.due_backlog = Gauge(
            "commonplace_delivery_backlog", "Daily highlights due and not yet sent.", registry=r
        )
        self.delivery_lag = Gauge(
            "commonplace_delivery_lag_seconds",
            "How late the oldest unsent due highlight is.",
            registry=r,
        )
        self.imports = Counter(
            "commonplace_imports_total", "Imports by outcome.", ["outcome"], registry=r
        )
        self.last_tick = Gauge(
            "commonplace_scheduler_last_tick_timestamp_seconds",
            "When the delivery scheduler last finished a tick.",
            registry=r,
        )

    def tick_done(self, at: float) -> None:
        """Record a finished scheduler tick."""
        self.last_tick_at = at
        self.last_tick.set(at)
