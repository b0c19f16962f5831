"""The DueTimer: armed to the next due row, not at all when nothing is due, woken by changes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from handlers.kit.context import BotApplication
from handlers.kit.due import DueTimer


@dataclass
class Job:
    """A one-off job the fake queue holds."""

    name: str
    delay: float
    removed: bool = False

    def schedule_removal(self) -> None:
        self.removed = True


@dataclass
class JobQueue:
    """Keeps run_once calls; nothing runs by itself."""

    jobs: list[Job] = field(default_factory=list)

    def get_jobs_by_name(self, name: str) -> list[Job]:
        return [job for job in self.jobs if job.name == name and not job.removed]

    def run_once(self, callback: Any, when: float, name: str) -> None:
        self.jobs.append(Job(name, when))


def fake_app() -> BotApplication:
    """Return an application with a fake job queue and bot_data."""
    return cast(BotApplication, type("App", (), {"job_queue": JobQueue(), "bot_data": {}})())


def delays(app: BotApplication) -> list[float]:
    """Return the delays of the timer's jobs still set."""
    return [job.delay for job in cast(Any, app.job_queue).get_jobs_by_name("t")]


async def test_the_timer_is_armed_to_the_next_due_row_and_not_at_all_when_none_is() -> None:
    app, due = fake_app(), [datetime.now(UTC) + timedelta(minutes=5), None]
    timer = DueTimer("t", lambda _app: asyncio.sleep(0, due.pop(0)))
    await timer.run(app)
    assert [round(d) for d in delays(app)] == [300] and timer.armed(app)
    await timer.run(app)
    assert delays(app) == [] and timer.idle(app)  # nothing pending: no timer, no query


async def test_a_wake_during_a_run_makes_it_go_round_once_more() -> None:
    app, gate = fake_app(), asyncio.Event()
    runs: list[int] = []

    async def work(_app: BotApplication) -> datetime | None:
        runs.append(1)
        await gate.wait()
        return None

    timer = DueTimer("t", work)
    running = asyncio.create_task(timer.run(app))
    await asyncio.sleep(0)
    timer.wake(app)  # a row was added while the run looked at the database
    await timer.run(app)  # a second fire while running does not run twice at once
    gate.set()
    await running
    assert len(runs) == 1 and delays(app) == [0.0]


async def test_a_failing_run_is_tried_again_later() -> None:
    async def broken(_app: BotApplication) -> datetime | None:
        raise RuntimeError("database is locked")

    app = fake_app()
    await DueTimer("t", broken, retry=timedelta(seconds=30)).run(app)
    assert [round(d) for d in delays(app)] == [30]
