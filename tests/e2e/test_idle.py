"""An idle bot does nothing: no timer armed for rows that are not due, no query on SQLite."""

from __future__ import annotations

import asyncio

from bot.app import DATABASE_KEY
from handlers.followup.jobs import REASKS
from handlers.kit.context import BotApplication
from handlers.meetings.jobs import TIMER as MEETINGS
from handlers.notices.sending import LAUNCH
from handlers.notices.sending import TIMER as NOTICES

TIMERS = (NOTICES, MEETINGS, REASKS)
WINDOW = 1.5  # seconds watched: three of the old notice loop's polls would fall in it


async def settled(app: BotApplication) -> None:
    """Wait until the start-up jobs (recovery, rebuild, first looks) have run."""
    assert app.job_queue is not None
    calm = 0
    for _ in range(500):
        starting = [j for j in app.job_queue.jobs() if j.name in (LAUNCH, "meetings:rebuild")]
        calm = calm + 1 if not starting and all(t.idle(app) for t in TIMERS) else 0
        if calm == 5:  # five looks in a row: a job that had just been taken off has run
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the start-up jobs did not settle")


async def test_an_idle_bot_arms_no_timer_and_queries_nothing(bot: BotApplication) -> None:
    await settled(bot)  # every timer ran once at start, found nothing due and is not armed
    statements: list[str] = []
    connection = bot.bot_data[DATABASE_KEY]._conn  # the raw connection, to trace every query
    await connection.set_trace_callback(statements.append)
    try:
        await asyncio.sleep(WINDOW)
    finally:
        await connection.set_trace_callback(None)
    assert statements == []
