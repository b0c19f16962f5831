"""Prometheus metrics: updates and handler latency by capability, sends by outcome, 429 pauses,
and, read from SQLite when scraped, the notice queue, reports by status and the overdue backlog.

The counters live in this process (every bot of it adds to them); each served registry is the
bot's own CollectorRegistry, never prometheus_client's global one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from telegram.ext import ApplicationHandlerStop

from bot.core.clock import Clock
from bot.core.outbox import Sent
from handlers.kit.context import BotApplication

log = logging.getLogger(__name__)
METRICS_PATH = "/metrics"
SCRAPE_TIMEOUT = 2.0  # seconds the database may take to answer a scrape's queries
Callback = Callable[..., Coroutine[Any, Any, Any]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

UPDATES = Counter(
    "feedback_bot_updates",
    "Updates handled, by the handler's capability and how it ended (ok, error).",
    ["capability", "result"],
    registry=None,
)
HANDLER_SECONDS = Histogram(
    "feedback_bot_handler_seconds",
    "Time a handler took on one update, by capability.",
    ["capability"],
    registry=None,
)
SENDS = Counter(
    "feedback_bot_sends",
    "Messages the bot sent on its own, by outcome (sent, blocked, rejected, retry_after, ...).",
    ["outcome"],
    registry=None,
)
PAUSES = Counter(
    "feedback_bot_rate_limit_pauses",
    "Times Telegram answered 429 and every send paused.",
    registry=None,
)
SHARED = (UPDATES, HANDLER_SECONDS, SENDS, PAUSES)


def count_send(sent: Sent) -> Sent:
    """Count a send's outcome; return it unchanged."""
    SENDS.labels(sent.outcome.value).inc()
    return sent


def count_pause() -> None:
    """Count one 429 pause."""
    PAUSES.inc()


def capability_of(callback: Callable[..., Any]) -> str:
    """Return the capability a handler belongs to, from its module: handlers.meetings.x →
    meetings, handlers.menu → menu, handlers.kit.routing → routing."""
    parts = getattr(callback, "__module__", "").split(".")
    if len(parts) < 2 or parts[0] != "handlers":
        return "other"
    return parts[2] if parts[1] == "kit" and len(parts) > 2 else parts[1]


def timed(capability: str, callback: Callback) -> Callback:
    """Return the callback, counting its runs and their time under `capability`."""

    async def run(update: object, context: Any) -> Any:
        started = time.perf_counter()
        result = "error"
        try:
            answer = await callback(update, context)
            result = "ok"
            return answer
        except ApplicationHandlerStop:
            result = "ok"
            raise
        finally:
            UPDATES.labels(capability, result).inc()
            HANDLER_SECONDS.labels(capability).observe(time.perf_counter() - started)

    return run


def instrument(app: BotApplication) -> None:
    """Time every registered handler's callback (done once, right after registration)."""
    for group in app.handlers.values():
        for handler in group:
            handler.callback = timed(capability_of(handler.callback), handler.callback)


class StoreFigures(Protocol):
    """The counts a scrape reads from the database (storage.health.HealthQueries has them)."""

    async def notice_copies_pending(self) -> int: ...
    async def notice_copies_due(self, now: datetime) -> int: ...
    async def reports_by_status(self) -> dict[str, int]: ...
    async def overdue_reports(self, late_before: dict[str, datetime]) -> int: ...


@dataclass
class Figures:
    """What the database said at the last scrape (up: whether it answered in time)."""

    up: bool = False
    notice_pending: int = 0
    notice_due: int = 0
    reports: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


class DatabaseCollector(Collector):
    """Gauges read from SQLite at scrape time, by cheap counting queries with a timeout."""

    def __init__(
        self,
        store: StoreFigures,
        late_before: Callable[[datetime], dict[str, datetime]],
        clock: Clock,
    ) -> None:
        self._store = store
        self._late_before = late_before
        self._clock = clock
        self.figures = Figures()

    async def refresh(self) -> None:
        """Read the figures (given SCRAPE_TIMEOUT seconds); on failure mark the database down."""
        now = self._clock()
        try:
            async with asyncio.timeout(SCRAPE_TIMEOUT):
                self.figures = Figures(
                    up=True,
                    notice_pending=await self._store.notice_copies_pending(),
                    notice_due=await self._store.notice_copies_due(now),
                    reports=await self._store.reports_by_status(),
                    overdue=await self._store.overdue_reports(self._late_before(now)),
                )
        except Exception as problem:
            log.warning("metrics: database did not answer", extra={"error": str(problem)})
            self.figures = Figures()

    def collect(self) -> Iterator[Metric]:
        """Yield the gauges of the last refresh."""
        seen = self.figures
        yield _gauge("feedback_bot_database_up", "1 if the scrape's queries answered.", seen.up)
        queue = GaugeMetricFamily(
            "feedback_bot_notice_queue", "Notice copies queued, by state.", labels=["state"]
        )
        queue.add_metric(["pending"], seen.notice_pending)
        queue.add_metric(["due"], seen.notice_due)
        yield queue
        reports = GaugeMetricFamily(
            "feedback_bot_reports", "Reports, by status.", labels=["status"]
        )
        for status, count in sorted(seen.reports.items()):
            reports.add_metric([status], count)
        yield reports
        yield _gauge(
            "feedback_bot_reports_overdue", "Open reports past their time to resolve.", seen.overdue
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    """Return a gauge without labels."""
    return GaugeMetricFamily(name, documentation, value=float(value))


def metrics_registry(collector: DatabaseCollector) -> CollectorRegistry:
    """Return a registry of the process's counters and this bot's database gauges."""
    registry = CollectorRegistry(auto_describe=True)
    for metric in SHARED:
        registry.register(metric)
    registry.register(collector)
    return registry


def metrics_endpoint(registry: CollectorRegistry, collector: DatabaseCollector) -> Handler:
    """Return the /metrics handler: refresh the database gauges, then write every metric."""

    async def metrics(request: web.Request) -> web.StreamResponse:
        await collector.refresh()
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics
