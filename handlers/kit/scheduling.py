"""Run a Schedule ("daily 08:30", "weekly mon 08:00") as a chain of one-off jobs.

JobQueue jobs live in memory: at start the chain is rebuilt from settings, a run missed within
the grace window is caught up at once, and each run queues the next. What a run sends must be
claimed in the database first, so a caught-up run never repeats a send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import cast

from bot.core.schedules import Schedule, catch_up
from config.settings import Settings
from handlers.kit.context import BotApplication, BotContext

Run = Callable[[BotContext, Schedule, datetime], Awaitable[None]]


def schedule_chain(  # noqa: PLR0917 - the chain's name, what it runs, from which settings
    app: BotApplication,
    name: str,
    schedules: list[Schedule],
    run: Run,
    settings: Settings,
    now: datetime,
) -> None:
    """(Re)create the jobs named `name:*`: one chain per schedule, with catch-up."""
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        if job.name and job.name.startswith(f"{name}:"):
            job.schedule_removal()
    for index, schedule in enumerate(schedules):
        chain = f"{name}:{index}"
        missed = catch_up(schedule, now, settings.timezone, settings.delivery_grace)
        if missed is not None:
            _queue(app, chain, schedule, run, missed, when=timedelta(0))
        _queue(app, chain, schedule, run, schedule.next(now, settings.timezone))


def _queue(  # noqa: PLR0917 - a chain link: where, what, when
    app: BotApplication,
    chain: str,
    schedule: Schedule,
    run: Run,
    due: datetime,
    when: timedelta | None = None,
) -> None:
    assert app.job_queue is not None
    app.job_queue.run_once(
        _run,
        when=due if when is None else when,
        data=(chain, schedule, run, due),
        name=f"{chain}:{due.isoformat()}",
    )


async def _run(context: BotContext) -> None:
    """Queue the chain's next run (unless already queued), then do this one."""
    assert context.job is not None
    chain, schedule, run, due = cast(tuple[str, Schedule, Run, datetime], context.job.data)
    app = cast(BotApplication, context.application)
    following = schedule.next(due, context.services.settings.timezone)
    assert app.job_queue is not None
    if not app.job_queue.get_jobs_by_name(f"{chain}:{following.isoformat()}"):
        _queue(app, chain, schedule, run, following)
    await run(context, schedule, due)
