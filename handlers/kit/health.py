"""/healthz: is the database writable, does Telegram answer, how much waits to be sent.

The webhook server serves it; in long polling a small listener does when HEALTH_PORT is set.
Healthy (200) means the database took a write (rolled back at once) and, in long polling, a
Telegram call succeeded in the last TELEGRAM_STALE seconds (getUpdates runs all the time).
A webhook bot may rightly call Telegram rarely, so there the age is shown but not judged.
The backlog is shown, not judged: a large broadcast is not an illness.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from telegram.ext import ExtBot

from bot.core.clock import Clock
from bot.core.service_levels import late_before, with_holidays
from config.settings import Settings
from handlers.kit.context import BotApplication
from handlers.kit.metrics import (
    METRICS_PATH,
    DatabaseCollector,
    StoreFigures,
    metrics_endpoint,
    metrics_registry,
)
from handlers.kit.pacing import BudgetLimiter

log = logging.getLogger(__name__)
HEALTH_KEY = "health"
LISTENERS_KEY = "health:listeners"
HEALTH_PATH = "/healthz"
TELEGRAM_STALE = 300.0  # seconds without a successful Telegram call before polling is ill
PROBE_TIMEOUT = 3.0  # seconds the database may take to answer the probe
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HealthProbe(Protocol):
    """The database questions a health check asks (storage.health.HealthQueries answers)."""

    async def check_writable(self) -> None: ...
    async def notice_copies_due(self, now: datetime) -> int: ...
    async def meeting_sends_due(self, now: datetime) -> int: ...


@dataclass(frozen=True)
class Health:
    """One health check's findings."""

    database_writable: bool
    database_error: str | None
    telegram_age: float | None  # seconds since the last successful Telegram call
    telegram_judged: bool  # long polling: a stale Telegram makes the bot unhealthy
    notice_copies_due: int | None
    meeting_sends_due: int | None

    @property
    def telegram_ok(self) -> bool:
        """Return whether Telegram answered recently enough (always, when not judged)."""
        if not self.telegram_judged:
            return True
        return self.telegram_age is not None and self.telegram_age <= TELEGRAM_STALE

    @property
    def healthy(self) -> bool:
        """Return whether the bot is fit to serve."""
        return self.database_writable and self.telegram_ok

    def as_json(self) -> dict[str, Any]:
        """Return what /healthz answers."""
        age = None if self.telegram_age is None else round(self.telegram_age, 3)
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "database": {"writable": self.database_writable, "error": self.database_error},
            "telegram": {
                "last_success_age_seconds": age,
                "stale_after_seconds": TELEGRAM_STALE if self.telegram_judged else None,
                "ok": self.telegram_ok,
            },
            "backlog": {
                "notice_copies_due": self.notice_copies_due,
                "meeting_sends_due": self.meeting_sends_due,
            },
        }


class HealthCheck:
    """Run the checks: a rolled-back write, the backlog, the last Telegram answer's age."""

    def __init__(
        self,
        probe: HealthProbe,
        *,
        telegram_age: Callable[[], float | None],
        clock: Clock,
        polling: bool,
    ) -> None:
        self._probe = probe
        self._telegram_age = telegram_age
        self._clock = clock
        self._polling = polling

    async def run(self) -> Health:
        """Return the findings (the database gets PROBE_TIMEOUT seconds to answer)."""
        writable, error, notices, meetings = False, None, None, None
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                await self._probe.check_writable()
                writable = True
                now = self._clock()
                notices = await self._probe.notice_copies_due(now)
                meetings = await self._probe.meeting_sends_due(now)
        except Exception as problem:
            error = type(problem).__name__ if isinstance(problem, TimeoutError) else str(problem)
            log.warning("health check failed", extra={"error": error})
        return Health(writable, error, self._telegram_age(), self._polling, notices, meetings)


def telegram_age(bot: ExtBot[None]) -> float | None:
    """Return the seconds since the bot's last successful Telegram call (None: none yet)."""
    limiter = bot.rate_limiter
    if not isinstance(limiter, BudgetLimiter) or limiter.answered_at is None:
        return None
    return time.monotonic() - limiter.answered_at


def health_endpoint(app: BotApplication) -> Handler:
    """Return the /healthz handler: 200 and the findings when healthy, 503 when not."""

    async def healthz(request: web.Request) -> web.StreamResponse:
        check = app.bot_data.get(HEALTH_KEY)
        if not isinstance(check, HealthCheck):
            return web.json_response({"status": "starting"}, status=503)
        health = await check.run()
        return web.json_response(health.as_json(), status=200 if health.healthy else 503)

    return healthz


class LocalServer:
    """A small aiohttp listener for GET routes (health, metrics); no access log."""

    def __init__(self, name: str, routes: dict[str, Handler]) -> None:
        self._name = name
        self._routes = routes
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0: any free port); return the port bound."""
        web_app = web.Application()
        for path, handler in self._routes.items():
            web_app.router.add_get(path, handler)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = int(self._runner.addresses[0][1])
        log.info("listener started", extra={"listener": self._name, "listen": host, "port": bound})
        return bound

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class MonitoringStore(HealthProbe, StoreFigures, Protocol):
    """The database questions of health checks and metrics together."""


async def start_monitoring(
    app: BotApplication, settings: Settings, store: MonitoringStore, clock: Clock
) -> None:
    """Set up /healthz and start the health and metrics listeners whose ports are set."""
    app.bot_data[HEALTH_KEY] = HealthCheck(
        store,
        telegram_age=lambda: telegram_age(app.bot),
        clock=clock,
        polling=settings.webhook_url is None,
    )
    listeners: list[LocalServer] = app.bot_data.setdefault(LISTENERS_KEY, [])
    if settings.health_port is not None:
        server = LocalServer("health", {HEALTH_PATH: health_endpoint(app)})
        await server.start(settings.health_host, settings.health_port)
        listeners.append(server)
    if settings.metrics_port is not None:
        levels = with_holidays(settings.service_levels, settings.holidays)
        collector = DatabaseCollector(
            store, lambda now: late_before(now, levels, settings.timezone), clock
        )
        server = LocalServer(
            "metrics", {METRICS_PATH: metrics_endpoint(metrics_registry(collector), collector)}
        )
        await server.start(settings.metrics_host, settings.metrics_port)
        listeners.append(server)


async def stop_monitoring(app: BotApplication) -> None:
    """Stop the health and metrics listeners."""
    app.bot_data.pop(HEALTH_KEY, None)
    for server in app.bot_data.pop(LISTENERS_KEY, []):
        await server.stop()
