"""One scheduling style for rows due in SQLite: a timer armed to the next due row.

A capability gives the timer its work: do what is due now and return when the next row is due
(None: nothing is pending). The timer is one JobQueue job, armed to that moment; whoever adds
or changes a row wakes it, and a wake during a run makes the run go round once more. Between
two due moments nothing runs and the database is not queried: no polling, no periodic sweep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import cast

from handlers.kit.context import BotApplication, BotContext

log = logging.getLogger(__name__)
Work = Callable[[BotApplication], Awaitable[datetime | None]]
RETRY_AFTER_ERROR = timedelta(seconds=30)


@dataclass
class _State:
    """One application's run of one timer: a lock, and whether it was woken meanwhile."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    woken: bool = False


class DueTimer:
    """A JobQueue timer armed to the next due row of one capability, woken by changes."""

    def __init__(self, name: str, work: Work, *, retry: timedelta = RETRY_AFTER_ERROR) -> None:
        self.name = name
        self._work = work
        self._retry = retry

    def start(self, app: BotApplication, after: timedelta = timedelta(0)) -> None:
        """(Re)start the timer with the application: run soon, then as rows fall due."""
        self.arm(app, datetime.now(UTC) + after)

    def wake(self, app: BotApplication) -> None:
        """Run now: a row was added or changed (a running run goes round once more)."""
        state = self._state(app)
        if state.lock.locked():
            state.woken = True
            return
        self.arm(app, datetime.now(UTC))

    def arm(self, app: BotApplication, when: datetime | None) -> None:
        """Set the one timer to a moment (None: nothing is pending, no timer at all)."""
        assert app.job_queue is not None
        for job in app.job_queue.get_jobs_by_name(self.name):
            job.schedule_removal()
        if when is None:
            return
        delay = max((when - datetime.now(UTC)).total_seconds(), 0.0)
        app.job_queue.run_once(self._fire, when=delay, name=self.name)

    def armed(self, app: BotApplication) -> bool:
        """Tell whether the timer is set (for tests and health checks)."""
        assert app.job_queue is not None
        return bool(app.job_queue.get_jobs_by_name(self.name))

    def idle(self, app: BotApplication) -> bool:
        """Tell whether the timer is neither set nor running: nothing of its rows is pending."""
        return not self.armed(app) and not self._state(app).lock.locked()

    async def run(self, app: BotApplication) -> None:
        """Do what is due, then arm the timer to the next due row (or to now if woken)."""
        state = self._state(app)
        if state.lock.locked():
            state.woken = True
            return
        async with state.lock:
            state.woken = False
            try:
                following = await self._work(app)
            except Exception:  # the database is unavailable, or a bug: try again later
                log.exception("due work failed", extra={"timer": self.name})
                following = datetime.now(UTC) + self._retry
            if state.woken:
                following = datetime.now(UTC)
        self.arm(app, following)

    async def _fire(self, context: BotContext) -> None:
        """Run when the JobQueue fires the timer."""
        await self.run(cast(BotApplication, context.application))

    def _state(self, app: BotApplication) -> _State:
        """Return this timer's state in the application (made on first use)."""
        state = app.bot_data.get(f"due:{self.name}")
        if not isinstance(state, _State):
            state = app.bot_data[f"due:{self.name}"] = _State()
        return state
