"""The few cheap queries health checks and metrics make: a rolled-back write, backlogs, counts."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database

URGENCIES = ("high", "low", "normal")  # in the order of OVERDUE_SQL's placeholders
# Same rule as the agenda pack's overdue reports: open and filed before its urgency's cutoff.
OVERDUE_SQL = (
    "SELECT COUNT(*) FROM reports WHERE status IN ('new', 'acknowledged', 'in_progress')"
    " AND created_at < CASE urgency WHEN 'high' THEN ? WHEN 'low' THEN ? ELSE ? END"
)


class RolledBack(Exception):
    """Raised inside the probe's transaction so that its write is undone."""


def _queue_time(moment: datetime) -> str:
    """Return a time as the notice queue stores it (UTC ISO 8601 to the millisecond)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _iso(moment: datetime) -> str:
    """Return a time as reports and meeting sends store it (UTC ISO 8601 to the second)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class HealthQueries:
    """Ask the database whether it takes writes, what is due, and how many reports are where."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def check_writable(self) -> None:
        """Write a row in a transaction and roll it back; raise if the database refuses."""
        try:
            async with self._db.transaction() as conn:
                await conn.execute(
                    "UPDATE schema_migrations SET name = name"
                    " WHERE number = (SELECT MAX(number) FROM schema_migrations)"
                )
                raise RolledBack
        except RolledBack:
            return

    async def notice_copies_due(self, now: datetime) -> int:
        """Return how many notice copies wait to be sent now."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM notice_deliveries WHERE state = 'pending' AND next_try_at <= ?",
            (_queue_time(now),),
        )
        return int(row[0]) if row else 0

    async def notice_copies_pending(self) -> int:
        """Return how many notice copies are queued (due or later)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM notice_deliveries WHERE state = 'pending'"
        )
        return int(row[0]) if row else 0

    async def meeting_sends_due(self, now: datetime) -> int:
        """Return how many meeting sends (invitations, reminders...) are due and not done."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM meeting_jobs WHERE state = 'pending' AND due_at <= ?",
            (_iso(now),),
        )
        return int(row[0]) if row else 0

    async def reports_by_status(self) -> dict[str, int]:
        """Return how many reports are in each status."""
        rows = await self._db.fetch_all("SELECT status, COUNT(*) FROM reports GROUP BY status")
        return {str(row[0]): int(row[1]) for row in rows}

    async def overdue_reports(self, late_before: dict[str, datetime]) -> int:
        """Return how many open reports are past their time (cutoffs by urgency)."""
        cutoffs = tuple(_iso(late_before[u]) if u in late_before else "" for u in URGENCIES)
        row = await self._db.fetch_one(OVERDUE_SQL, cutoffs)
        return int(row[0]) if row else 0
