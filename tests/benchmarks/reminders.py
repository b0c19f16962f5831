"""Benchmark: rebuilding the meeting reminders at start, 10,000 registrants x 3 reminders.

The bot keeps its schedule in the database and one timer in memory: at start it plans any
reminder the configured offsets add, counts sends a crash interrupted, and sets the timer to
the earliest pending job. The baseline, measured in the same run on the same database, is the
obvious design: read every (registrant, reminder) and give each its own JobQueue run_once job
(30,000 APScheduler jobs). Two shapes: one meeting with 10,000 registrants (3 job rows), and
10,000 meetings with one registrant each (30,000 job rows, the worst case for our design).
Target: the rebuild under 2 s. Time is the median of ROUNDS runs; memory is the tracemalloc
peak of Python allocations during one run (SQLite's own page cache is not in it: the job rows
are on disk either way, and the baseline holds them all again as APScheduler jobs).

    python tests/benchmarks/reminders.py [--registrants 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram.ext import Application, ApplicationBuilder

from bot.core.service_levels import parse_service_levels
from bot.meetings.model import Meeting
from bot.meetings.scheduling import MeetingJobs
from bot.meetings.sends import plan_meeting
from bot.meetings.service import MeetingService
from storage.db import Database
from storage.meetings.repository import MeetingRepository, insert_jobs, iso
from storage.meetings.sends import MeetingJobRepository

ROUNDS = 5
OFFSETS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
AGENDA = timedelta(days=2)
TARGET_S = 2.0
NAIVE_SQL = """
SELECT r.meeting_id, r.user_id, m.starts_at FROM meeting_rsvps r
JOIN meetings m ON m.id = r.meeting_id
WHERE m.status = 'scheduled' AND m.starts_at > ? AND r.answer IN ('attend', 'maybe')
"""


async def _fill(db: Database, registrants: int, meetings: int, now: datetime) -> None:
    """Register users, schedule meetings (with their planned jobs) and record the answers."""
    stamp = iso(now)
    await db.execute("DELETE FROM meetings")
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT OR IGNORE INTO users (id, first_name, language, business_role,"
            " privacy_accepted_at, created_at, updated_at)"
            " VALUES (?, 'U', 'en', 'trader', ?, ?, ?)",
            [(1_000_000 + n, stamp, stamp, stamp) for n in range(registrants)],
        )
        for number in range(meetings):
            start = now + timedelta(days=10, minutes=number)
            cursor = await conn.execute(
                "INSERT INTO meetings (title, starts_at, ends_at, zone, created_by, created_at,"
                " updated_at) VALUES ('Consultation', ?, ?, 'UTC', 1, ?, ?)",
                (iso(start), iso(start + timedelta(hours=1)), stamp, stamp),
            )
            meeting_id = cursor.lastrowid
            assert meeting_id is not None
            probe = Meeting(
                id=meeting_id, title="Consultation", starts_at=start,
                ends_at=start + timedelta(hours=1), zone="UTC", created_by=1, created_at=now,
            )  # fmt: skip
            await insert_jobs(conn, meeting_id, plan_meeting(probe, OFFSETS, AGENDA, now))
        await conn.execute(
            "INSERT INTO meeting_rsvps (meeting_id, user_id, answer, updated_at)"
            " SELECT (u.id - 1000000) % ? + (SELECT MIN(id) FROM meetings), u.id, 'attend', ?"
            " FROM users u WHERE u.id >= 1000000",
            (meetings, stamp),
        )


async def _noop(_: Any) -> None:
    """A job callback that does nothing (the jobs never fire here)."""


def _application() -> Application[Any, Any, Any, Any, Any, Any]:
    return ApplicationBuilder().token("123:abc").build()


async def ours(db: Database, app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Rebuild as the bot does at start: sync the offsets, count interrupted sends, one timer."""
    store = MeetingRepository(db)
    meetings = MeetingService(
        store, ZoneInfo("UTC"), reminders=OFFSETS, agenda_lead=AGENDA, action_lead=timedelta(days=1)
    )
    jobs = MeetingJobs(
        MeetingJobRepository(db), store, meetings, grace=timedelta(hours=1),
        levels=parse_service_levels("high=1d/5d, normal=1d/10d, low=2d/20d"),
        window=timedelta(days=30), default_language="en",
    )  # fmt: skip
    rebuilt = await jobs.rebuild()
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name("meetings:timer"):
        job.schedule_removal()
    if rebuilt.next_due is not None:
        app.job_queue.run_once(_noop, when=rebuilt.next_due, name="meetings:timer")
    return 1


async def naive(db: Database, app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """The baseline: one JobQueue job per registrant and reminder, read from the answers."""
    assert app.job_queue is not None
    for job in app.job_queue.jobs():
        job.schedule_removal()
    now = datetime.now(UTC)
    count = 0
    for meeting_id, user_id, starts in await db.fetch_all(NAIVE_SQL, (iso(now),)):
        start = datetime.fromisoformat(starts)
        for offset in OFFSETS:
            due = start - offset
            if due > now:
                app.job_queue.run_once(
                    _noop,
                    when=due,
                    data=(meeting_id, user_id, offset),
                    name=f"reminder:{meeting_id}:{int(offset.total_seconds())}:{user_id}",
                )
                count += 1
    return count


Rebuild = Callable[[Database, Application[Any, Any, Any, Any, Any, Any]], Awaitable[int]]


async def measure(db: Database, rebuild: Rebuild) -> tuple[float, float, int]:
    """Return the median seconds, the tracemalloc peak in MB, and how many jobs were made."""
    times, jobs = [], 0
    for _ in range(ROUNDS):
        app = _application()
        assert app.job_queue is not None
        await app.job_queue.start()
        gc.collect()
        began = time.perf_counter()
        jobs = await rebuild(db, app)
        times.append(time.perf_counter() - began)
        await app.job_queue.stop(wait=False)
    app = _application()
    assert app.job_queue is not None
    await app.job_queue.start()
    gc.collect()
    tracemalloc.start()
    await rebuild(db, app)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    await app.job_queue.stop(wait=False)
    return statistics.median(times), peak, jobs


async def run(registrants: int) -> None:
    """Measure both designs on both shapes and print the figures."""
    with tempfile.TemporaryDirectory(prefix="reminders-") as folder:
        db = await Database.open(Path(folder) / "bench.db")
        try:
            now = datetime.now(UTC)
            for label, meetings in (
                (f"1 meeting, {registrants:,} registrants", 1),
                (f"{registrants:,} meetings, 1 registrant each", registrants),
            ):
                await _fill(db, registrants, meetings, now)
                rows = await db.fetch_one(
                    "SELECT COUNT(*) FROM meeting_jobs WHERE state = 'pending'"
                )
                ours_s, ours_mb, _ = await measure(db, ours)
                naive_s, naive_mb, naive_jobs = await measure(db, naive)
                count = rows[0] if rows else 0
                print(f"\n{label} x {len(OFFSETS)} reminders ({count:,} pending job rows):")
                print(
                    f"  ours  (job rows + one timer): {ours_s * 1000:8.1f} ms, "
                    f"{ours_mb:6.2f} MB peak, 1 JobQueue job"
                    f"   {'OK' if ours_s < TARGET_S else 'OVER'} (target < {TARGET_S:.0f} s)"
                )
                print(
                    f"  naive (a job per person):     {naive_s * 1000:8.1f} ms, "
                    f"{naive_mb:6.2f} MB peak, {naive_jobs:,} JobQueue jobs"
                )
                print(
                    f"  ratio ours / naive: time {ours_s / naive_s:.3f}x, "
                    f"memory {ours_mb / naive_mb:.3f}x"
                )
            await _replan(db, now)
        finally:
            await db.close()


async def _replan(db: Database, now: datetime) -> None:
    """Time the rebuild right after the offsets changed: every reminder row is planned anew."""
    await db.execute("DELETE FROM meeting_jobs WHERE kind = 'reminder'")
    app = _application()
    assert app.job_queue is not None
    await app.job_queue.start()
    began = time.perf_counter()
    await ours(db, app)
    took = time.perf_counter() - began
    await app.job_queue.stop(wait=False)
    rows = await db.fetch_one("SELECT COUNT(*) FROM meeting_jobs WHERE kind = 'reminder'")
    print(
        f"\nafter a change of MEETING_REMINDERS, the first rebuild plans "
        f"{rows[0] if rows else 0:,} reminder rows in {took * 1000:.1f} ms"
    )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrants", type=int, default=10_000)
    asyncio.run(run(parser.parse_args().registrants))


if __name__ == "__main__":
    main()
