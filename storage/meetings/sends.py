"""MeetingJobRepository: due sends, recipients claimed before sending, outcomes, agenda data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.meetings.sends import PRIORITY, Job, JobKind, JobState, Outcome
from storage.db import Database
from storage.meetings.repository import AUDIENCE_SQL, iso

JOB_COLUMNS = "id, meeting_id, action_id, kind, lead, due_at, state, detail"
ANSWERED = """
SELECT r.user_id AS id FROM meeting_rsvps r JOIN users u ON u.id = r.user_id
WHERE r.meeting_id = :meeting AND u.blocked_bot = 0 AND r.answer IN ({answers})
"""
CANDIDATES = {
    JobKind.INVITE: f"""
SELECT u.id FROM users u JOIN meetings m ON m.id = :meeting
WHERE u.privacy_accepted_at IS NOT NULL AND u.onboarding_step IS NULL
  AND u.blocked_bot = 0 AND u.notices_enabled = 1
  AND {AUDIENCE_SQL}
  AND NOT EXISTS (SELECT 1 FROM meeting_jobs j JOIN meeting_deliveries d ON d.job_id = j.id
                  WHERE j.meeting_id = :meeting AND j.kind = 'invite' AND d.user_id = u.id)
""",  # noqa: S608 - constants; one invitation each, whichever invite job sends it
    JobKind.REMINDER: ANSWERED.format(answers="'attend', 'maybe'"),
    JobKind.CHANGE: ANSWERED.format(answers="'attend', 'maybe', 'cannot'"),
    JobKind.CANCEL: ANSWERED.format(answers="'attend', 'maybe', 'cannot'"),
    JobKind.AGENDA: """
SELECT id FROM users WHERE blocked_bot = 0
  AND (staff_role IS NOT NULL OR id IN (SELECT value FROM json_each(:admins)))
""",
    JobKind.ACTION_DUE: """
SELECT u.id FROM action_items a JOIN users u ON u.id = a.owner_id WHERE a.id = :action
""",
    JobKind.ACTION_OVERDUE: """
SELECT u.id FROM action_items a JOIN users u ON u.id IN (a.owner_id, a.recorded_by)
WHERE a.id = :action
""",
    JobKind.OUTCOME: """
SELECT r.reporter_id AS id FROM action_item_reports x JOIN reports r ON r.id = x.report_id
JOIN users u ON u.id = r.reporter_id WHERE x.action_id = :action AND u.blocked_bot = 0
UNION SELECT v.user_id FROM action_item_reports x JOIN report_voices v ON v.report_id = x.report_id
JOIN users u ON u.id = v.user_id WHERE x.action_id = :action AND u.blocked_bot = 0
""",  # reporters and the traders who added their voice; never shown to anyone
}
CLAIM_SQL = """
INSERT INTO meeting_deliveries (job_id, user_id, outcome, at)
SELECT :job, c.id, :outcome, :now FROM ({candidates}) c
WHERE c.id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM meeting_deliveries d WHERE d.job_id = :job AND d.user_id = c.id)
ORDER BY c.id LIMIT :limit RETURNING user_id
"""
RECURRING_SQL = """
SELECT topic, office, COUNT(*) FROM reports WHERE created_at >= ? AND created_at < ?
GROUP BY 1, 2
"""
RECURRING_VOICES_SQL = """
SELECT r.topic, r.office, COUNT(*) FROM report_voices v JOIN reports r ON r.id = v.report_id
WHERE r.created_at >= ? AND r.created_at < ? GROUP BY 1, 2
"""
OVERDUE_WHERE = """
FROM reports WHERE status IN ('new', 'acknowledged', 'in_progress')
AND created_at < CASE urgency WHEN 'high' THEN ? WHEN 'low' THEN ? ELSE ? END
"""


def _job(row: Any) -> Job:
    return Job.model_validate(dict(zip(JOB_COLUMNS.split(", "), row, strict=True)))


class MeetingJobRepository:
    """Read due jobs, claim their recipients, and record what happened."""

    def __init__(self, db: Database, admin_ids: frozenset[int] = frozenset()) -> None:
        self._db = db
        self._admins = json.dumps(sorted(admin_ids))

    async def next_due(self) -> datetime | None:
        """Return when the earliest pending job is due."""
        row = await self._db.fetch_one(
            "SELECT MIN(due_at) FROM meeting_jobs WHERE state = 'pending'"
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def due(self, now: datetime) -> Job | None:
        """Return the due job to take first: reminders before notices, then the earliest."""
        row = await self._db.fetch_one(
            f"SELECT {JOB_COLUMNS} FROM meeting_jobs WHERE state = 'pending'"  # noqa: S608
            " AND due_at <= ? ORDER BY priority, due_at, id LIMIT 1",
            (iso(now),),
        )
        return _job(row) if row else None

    async def get(self, job_id: int) -> Job | None:
        """Return a job by id."""
        row = await self._db.fetch_one(
            f"SELECT {JOB_COLUMNS} FROM meeting_jobs WHERE id = ?",  # noqa: S608 - constant
            (job_id,),
        )
        return _job(row) if row else None

    async def jobs_of(self, meeting_id: int) -> list[Job]:
        """Return every job of a meeting, in due order."""
        rows = await self._db.fetch_all(
            f"SELECT {JOB_COLUMNS} FROM meeting_jobs WHERE meeting_id = ?"  # noqa: S608
            " ORDER BY due_at, id",
            (meeting_id,),
        )
        return [_job(row) for row in rows]

    def _params(self, job: Job) -> dict[str, Any]:
        return {
            "job": job.id,
            "meeting": job.meeting_id,
            "action": job.action_id,
            "admins": self._admins,
        }

    async def claim(self, job: Job, limit: int, now: datetime) -> list[tuple[int, str | None]]:
        """Claim up to `limit` recipients not yet claimed; return (user id, language or None)."""
        sql = CLAIM_SQL.format(candidates=CANDIDATES[job.kind])
        params = {**self._params(job), "outcome": Outcome.CLAIMED.value, "now": iso(now)}
        params["limit"] = limit
        async with self._db.transaction() as conn:
            claimed = sorted(int(row[0]) for row in await conn.execute_fetchall(sql, params))
            if not claimed:
                return []
            rows = await conn.execute_fetchall(
                "SELECT id, language FROM users WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(claimed),),
            )
        languages = {int(row[0]): str(row[1]) for row in rows}
        return [(user_id, languages.get(user_id)) for user_id in claimed]

    async def record(self, job_id: int, outcomes: list[tuple[int, Outcome]]) -> None:
        """Store what happened to each claimed recipient; users who blocked the bot are marked."""
        now = iso(datetime.now(UTC))
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE meeting_deliveries SET outcome = ?, at = ?"
                " WHERE job_id = ? AND user_id = ?",
                [(outcome.value, now, job_id, user_id) for user_id, outcome in outcomes],
            )
            await conn.executemany(
                "UPDATE users SET blocked_bot = 1, updated_at = ? WHERE id = ?",
                [(now, user_id) for user_id, o in outcomes if o is Outcome.BLOCKED],
            )

    async def finish(self, job_id: int, state: JobState, now: datetime) -> None:
        """Close a job as done or skipped."""
        await self._db.execute(
            "UPDATE meeting_jobs SET state = ?, finished_at = ? WHERE id = ? AND state = 'pending'",
            (state.value, iso(now), job_id),
        )

    async def miss(self, job: Job, now: datetime) -> int:
        """Record a job as missed, with a 'missed' row for everyone it would have reached."""
        sql = CLAIM_SQL.format(candidates=CANDIDATES[job.kind])
        params = {**self._params(job), "outcome": Outcome.MISSED.value, "now": iso(now)}
        params["limit"] = -1
        async with self._db.transaction() as conn:
            missed = len(list(await conn.execute_fetchall(sql, params)))
            await conn.execute(
                "UPDATE meeting_jobs SET state = 'missed', finished_at = ? WHERE id = ?",
                (iso(now), job.id),
            )
        return missed

    async def outcomes(self, job_id: int) -> dict[int, Outcome]:
        """Return what happened to each recipient of a job."""
        rows = await self._db.fetch_all(
            "SELECT user_id, outcome FROM meeting_deliveries WHERE job_id = ?", (job_id,)
        )
        return {int(row[0]): Outcome(row[1]) for row in rows}

    async def interrupted(self) -> int:
        """Return how many recipients were claimed but never recorded (the bot died mid-send)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM meeting_deliveries WHERE outcome = 'claimed'"
        )
        return int(row[0]) if row else 0

    async def sync_leads(
        self, kind: JobKind, leads: tuple[timedelta, ...], now: datetime
    ) -> tuple[int, int]:
        """Plan missing jobs of a kind for upcoming meetings at the configured leads.

        Pending ones at leads no longer configured are skipped. Return (added, skipped).
        """
        seconds = [int(lead.total_seconds()) for lead in leads]
        stamp = iso(now)
        async with self._db.transaction() as conn:
            skipped = await conn.execute(
                "UPDATE meeting_jobs SET state = 'skipped', finished_at = ? WHERE kind = ?"
                " AND state = 'pending' AND lead NOT IN (SELECT value FROM json_each(?))",
                (stamp, kind.value, json.dumps(seconds)),
            )
            added = 0
            for lead in seconds:
                cursor = await conn.execute(
                    "INSERT OR IGNORE INTO meeting_jobs"
                    " (meeting_id, kind, lead, priority, due_at)"
                    " SELECT id, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%S+00:00', starts_at, ?)"
                    " FROM meetings WHERE status = 'scheduled' AND starts_at > ?"
                    " AND strftime('%Y-%m-%dT%H:%M:%S+00:00', starts_at, ?) > ?",
                    (kind.value, lead, PRIORITY[kind], f"-{lead} seconds", stamp,
                     f"-{lead} seconds", stamp),
                )  # fmt: skip
                added += max(cursor.rowcount, 0)
        return added, max(skipped.rowcount, 0)

    async def recurring(
        self, start: datetime, end: datetime
    ) -> list[tuple[str | None, str | None, int, int]]:
        """Return (topic, office, reports, voices) for reports filed in [start, end)."""
        bounds = (iso(start), iso(end))
        reports = await self._db.fetch_all(RECURRING_SQL, bounds)
        voices = {
            (row[0], row[1]): int(row[2])
            for row in await self._db.fetch_all(RECURRING_VOICES_SQL, bounds)
        }
        return [(row[0], row[1], int(row[2]), voices.get((row[0], row[1]), 0)) for row in reports]

    async def overdue_reports(
        self, late_before: dict[str, datetime], limit: int = 10
    ) -> tuple[int, list[tuple[str, str | None, str | None, datetime]]]:
        """Return how many open reports are past their time, and the oldest few.

        `late_before` gives, per urgency, the filing time before which a report is late.
        """
        cutoffs = tuple(iso(late_before[u]) for u in ("high", "low", "normal"))
        count = await self._db.fetch_one(f"SELECT COUNT(*) {OVERDUE_WHERE}", cutoffs)
        rows = await self._db.fetch_all(
            f"SELECT reference, topic, office, created_at {OVERDUE_WHERE}"
            " ORDER BY created_at LIMIT ?",
            (*cutoffs, limit),
        )
        oldest = [(str(r[0]), r[1], r[2], datetime.fromisoformat(r[3])) for r in rows]
        return (int(count[0]) if count else 0), oldest
