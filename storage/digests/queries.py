"""DigestRepository: the aggregate queries behind digests, report rows for export, deliveries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.digests.model import (
    Backlog,
    CubeCell,
    PartnershipFigures,
    QuoteSource,
    ReportRow,
    Timing,
)
from storage.claims import DIGEST, Claims
from storage.db import Database

CUBE_SQL = """
SELECT kind, topic, office, language, urgency, status, COUNT(*), TOTAL(sentiment), COUNT(sentiment)
FROM reports WHERE created_at >= ? AND created_at < ? GROUP BY 1, 2, 3, 4, 5, 6
"""
BUCKETS_SQL = """
SELECT substr(created_at, 1, ?), COUNT(*) FROM reports
WHERE created_at >= ? AND created_at < ? GROUP BY 1
"""  # substr(created_at, 1, 13) is the UTC hour, 1..16 the UTC minute
ID_RANGE_SQL = "SELECT MIN(id), MAX(id) FROM reports WHERE created_at >= ? AND created_at < ?"
TIMINGS_SQL = """
SELECT COALESCE(u.business_size, 'unknown'), COALESCE(u.women_led, 'unknown'), r.status,
       r.urgency, unixepoch(r.created_at),
       unixepoch(e.acknowledged) - unixepoch(r.created_at),
       unixepoch(e.resolved) - unixepoch(r.created_at),
       s.rating, s.fixed,
       COALESCE(u.staff_role IS NOT NULL OR u.id IN (SELECT value FROM json_each(?)), 0) AS staff
FROM reports r LEFT JOIN users u ON u.id = r.reporter_id
LEFT JOIN (
    SELECT report_id,
           MIN(CASE WHEN status <> 'new' THEN at END) AS acknowledged,
           MIN(CASE WHEN status = 'resolved' THEN at END) AS resolved
    FROM report_events WHERE report_id BETWEEN ? AND ? GROUP BY report_id
) e ON e.report_id = r.id
LEFT JOIN (
    SELECT report_id, MAX(id), rating, fixed FROM satisfaction
    WHERE report_id BETWEEN ? AND ? AND answered_at IS NOT NULL GROUP BY report_id
) s ON s.report_id = r.id
WHERE r.created_at >= ? AND r.created_at < ?
"""  # the first status change acknowledges a report; the first 'resolved' resolves it; the
# latest answered survey (SQLite takes rating and fixed from the row of MAX(id)) rates it
VOICES_SQL = """
SELECT r.topic, r.office, COUNT(*) FROM report_voices v JOIN reports r ON r.id = v.report_id
WHERE v.report_id BETWEEN ? AND ? AND r.created_at >= ? AND r.created_at < ? GROUP BY 1, 2
"""
QUOTES_SQL = """
SELECT r.description, u.first_name, u.last_name, u.username, u.organisation
FROM reports r LEFT JOIN users u ON u.id = r.reporter_id
WHERE r.created_at >= ? AND r.created_at < ? AND r.topic IS ? AND r.office IS ?
  AND r.anonymous = 0
ORDER BY (SELECT COUNT(*) FROM report_voices v WHERE v.report_id = r.id) DESC, r.id DESC LIMIT ?
"""
BACKLOG_SQL = """
SELECT COUNT(*), MIN(created_at),
       TOTAL(created_at < CASE urgency WHEN 'high' THEN ? WHEN 'low' THEN ? ELSE ? END)
FROM reports WHERE status IN ('new', 'acknowledged', 'in_progress')
"""  # the cut-off of each urgency: filed before it, a report is past its time to resolve
BACKLOG_MIDDLE_SQL = """
SELECT created_at FROM reports WHERE status IN ('new', 'acknowledged', 'in_progress')
ORDER BY created_at LIMIT ? OFFSET ?
"""
PARTNERSHIP_SQL = """
SELECT
  (SELECT COUNT(*) FROM meetings WHERE status = 'held' AND starts_at >= ? AND starts_at < ?),
  (SELECT TOTAL(attendance) FROM meetings
   WHERE status = 'held' AND starts_at >= ? AND starts_at < ?),
  (SELECT COUNT(*) FROM action_items WHERE done_at >= ? AND done_at < ?),
  (SELECT COUNT(*) FROM action_items WHERE due_on < ? AND (done_at IS NULL OR done_at >= ?)),
  (SELECT COUNT(*) FROM meeting_deliveries WHERE outcome = 'missed' AND at >= ? AND at < ?),
  (SELECT COUNT(*) FROM notices WHERE started_at >= ? AND started_at < ?),
  (SELECT COUNT(*) FROM notice_deliveries d JOIN notices n ON n.id = d.notice_id
   WHERE n.started_at >= ? AND n.started_at < ? AND d.kind = 'notice' AND d.state = 'sent')
"""  # held meetings and attendance, action items done in the period and overdue at its end,
# reminders missed (one per person a reminder due while the bot was down did not reach),
# notices that started going out in the period and the copies of them delivered
HISTORY_SQL = "SELECT EXISTS (SELECT 1 FROM report_events)"
ROWS_FIRST_SQL = """
SELECT r.id, r.reference, r.created_at, r.kind, r.topic, r.office, r.language, r.urgency,
       r.sentiment, r.status, r.anonymous,
       (SELECT COUNT(*) FROM report_voices v WHERE v.report_id = r.id)
FROM reports r WHERE r.created_at >= ? AND r.created_at < ?
ORDER BY r.created_at, r.id LIMIT ?
"""
ROWS_NEXT_SQL = """
SELECT r.id, r.reference, r.created_at, r.kind, r.topic, r.office, r.language, r.urgency,
       r.sentiment, r.status, r.anonymous,
       (SELECT COUNT(*) FROM report_voices v WHERE v.report_id = r.id)
FROM reports r WHERE (r.created_at, r.id) > (?, ?) AND r.created_at < ?
ORDER BY r.created_at, r.id LIMIT ?
"""


def _read_only_uri(path: Path) -> str:
    """Return a read-only SQLite URI for a file (spaces, '?' and '#' escaped)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _seconds(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def _report_row(row: Any) -> ReportRow:
    return ReportRow(
        id=row[0], reference=row[1], created_at=row[2], kind=row[3], topic=row[4], office=row[5],
        language=row[6], urgency=row[7], sentiment=row[8], status=row[9],
        anonymous=bool(row[10]), voices=int(row[11]),
    )  # fmt: skip


class DigestRepository:
    """Read what digests need, on read-only connections of its own.

    WAL lets them read while the bot writes, so a digest never holds up the bot's connection;
    with two of them the digest's queries run in parallel. Writes use the bot's connection.
    """

    def __init__(
        self,
        db: Database,
        readers: list[aiosqlite.Connection] | None = None,
        *,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self._db = db
        self._admins = json.dumps(sorted(admin_ids))  # staff too: not in inclusion figures
        self._readers = readers or []
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in self._readers:
            self._idle.put_nowait(reader)

    @classmethod
    async def open(
        cls, db: Database, readers: int = 2, *, admin_ids: frozenset[int] = frozenset()
    ) -> DigestRepository:
        """Return a repository with `readers` read-only connections (queries run in parallel)."""
        if str(db.path) == ":memory:" or readers < 1:
            return cls(db, admin_ids=admin_ids)
        connections = []
        for _ in range(readers):
            reader = await aiosqlite.connect(_read_only_uri(db.path), uri=True)
            await reader.execute("PRAGMA busy_timeout=5000")
            connections.append(reader)
        return cls(db, connections, admin_ids=admin_ids)

    async def close(self) -> None:
        """Close the read-only connections."""
        for reader in self._readers:
            await reader.close()
        self._readers = []

    async def _all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if not self._readers:
            return list(await self._db.fetch_all(sql, params))
        reader = await self._idle.get()
        try:
            return list(await reader.execute_fetchall(sql, params))
        finally:
            self._idle.put_nowait(reader)

    async def cube(self, start: str, end: str) -> list[CubeCell]:
        """Return counts and sentiment sums by kind, topic, office, language, urgency, status.

        For reports filed in [start, end), bounds as stored (UTC ISO 8601).
        """
        return list(map(CubeCell._make, await self._all(CUBE_SQL, (start, end))))

    async def buckets(self, start: str, end: str, minutes: bool = False) -> list[tuple[str, int]]:
        """Return report counts by UTC hour ('2026-11-28T21'), or minute ('…T21:05')."""
        rows = await self._all(BUCKETS_SQL, (16 if minutes else 13, start, end))
        return [(str(bucket), int(count)) for bucket, count in rows]

    async def _ids(self, start: str, end: str) -> tuple[int, int]:
        rows = await self._all(ID_RANGE_SQL, (start, end))
        if not rows or rows[0][0] is None:
            return 0, -1
        return int(rows[0][0]), int(rows[0][1])

    async def timings(self, start: str, end: str) -> list[Timing]:
        """Return each report's profile, status, filing time and seconds to acknowledge/resolve.

        A report is acknowledged by its first status change and resolved by its first move to
        'resolved' in report_events.
        """
        low, high = await self._ids(start, end)
        rows = await self._all(TIMINGS_SQL, (self._admins, low, high, low, high, start, end))
        return list(map(Timing._make, rows))

    async def partnership(self, start: str, end: str, last_day: str) -> PartnershipFigures:
        """Return the period's meetings held, attendance, action items done and overdue (due
        before `last_day`, a local date, and not done by the period's end), reminders missed,
        notices sent and the copies delivered."""
        bounds = (start, end)
        row = (
            await self._all(
                PARTNERSHIP_SQL,
                (*bounds, *bounds, *bounds, last_day, end, *bounds, *bounds, *bounds),
            )
        )[0]
        return PartnershipFigures(*(int(value) for value in row))

    async def history_available(self) -> bool:
        """Tell whether any status change was ever recorded in report_events."""
        rows = await self._all(HISTORY_SQL, ())
        return bool(rows and rows[0][0])

    async def voices(self, start: str, end: str) -> dict[tuple[str | None, str | None], int]:
        """Return how many voices were added to the period's reports, by topic and office."""
        low, high = await self._ids(start, end)
        rows = await self._all(VOICES_SQL, (low, high, start, end))
        return {(topic, office): int(count) for topic, office, count in rows}

    async def quote_sources(
        self, start: str, end: str, topic: str | None, office: str | None, limit: int = 5
    ) -> list[QuoteSource]:
        """Return non-anonymous texts of a topic at an office, most voiced first, with names.

        The names are the reporter's, for the service to mask in the quote.
        """
        rows = await self._all(QUOTES_SQL, (start, end, topic, office, limit))
        return [QuoteSource(row[0], tuple(str(name) for name in row[1:] if name)) for row in rows]

    async def backlog(self, now: datetime, late_before: dict[str, datetime]) -> Backlog:
        """Return the open reports now: count, median and oldest age, and how many are late.

        `late_before` gives, per urgency (high, normal, low; no urgency counts as normal), the
        filing time before which an open report is past its service level.
        """
        limits = tuple(
            late_before[u].astimezone(UTC).isoformat(timespec="seconds")
            for u in ("high", "low", "normal")
        )
        count, oldest, late = (await self._all(BACKLOG_SQL, limits))[0]
        if not count:
            return Backlog(0, None, None, 0)
        middle = await self._all(BACKLOG_MIDDLE_SQL, (2 - count % 2, (count - 1) // 2))
        median = sum(_seconds(row[0]) for row in middle) / len(middle)
        moment = now.timestamp()
        return Backlog(
            int(count), (moment - median) / 86400, (moment - _seconds(oldest)) / 86400, int(late)
        )

    async def report_rows(
        self, start: str, end: str, batch: int = 2000
    ) -> AsyncIterator[ReportRow]:
        """Yield the reports filed in the period, oldest first, a batch at a time.

        Keyset pagination on (created_at, id): memory stays flat whatever the period.
        """
        rows = await self._all(ROWS_FIRST_SQL, (start, end, batch))
        while rows:
            for row in rows:
                yield _report_row(row)
            if len(rows) < batch:
                return
            rows = await self._all(ROWS_NEXT_SQL, (rows[-1][2], rows[-1][0], end, batch))

    async def record_delivery(self, period_key: str, officer_id: int) -> bool:
        """Record that a period's digest goes to an officer; False if it already had."""
        return await Claims(self._db).claim(DIGEST, period_key, officer_id)
