"""SatisfactionRepository: "Is it fixed?" surveys, their answers, reminders and reopening."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.audit import AuditEntry
from bot.followup.model import Survey
from bot.reporting.model import Status
from storage.audit import stamp, write_audit
from storage.db import Database
from storage.followup.repository import record_status


def _survey(row: aiosqlite.Row) -> Survey:
    data = dict(row)
    data["fixed"] = None if data["fixed"] is None else bool(data["fixed"])
    return Survey.model_validate(data)


class SatisfactionRepository:
    """Store and read satisfaction surveys."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def latest(self, report_id: int) -> Survey | None:
        """Return the survey of a report's latest resolution, if it was asked."""
        row = await self._db.fetch_one(
            "SELECT * FROM satisfaction WHERE report_id = ? ORDER BY id DESC LIMIT 1", (report_id,)
        )
        return _survey(row) if row else None

    async def unanswered_since(self, asked_before: datetime) -> list[Survey]:
        """Return surveys asked before a moment, unanswered and not asked again, of reports
        still resolved and with a reporter to ask; the latest survey of each report only.
        """
        rows = await self._db.fetch_all(
            "SELECT s.* FROM satisfaction s JOIN reports r ON r.id = s.report_id"
            " WHERE s.answered_at IS NULL AND s.reasked_at IS NULL AND s.asked_at <= ?"
            " AND r.status = 'resolved' AND r.reporter_id IS NOT NULL"
            " AND s.id = (SELECT MAX(id) FROM satisfaction l WHERE l.report_id = s.report_id)"
            " ORDER BY s.asked_at, s.id",
            (stamp(asked_before),),
        )
        return [_survey(row) for row in rows]

    async def first_unanswered(self) -> datetime | None:
        """Return when the oldest survey that unanswered_since may return was asked."""
        row = await self._db.fetch_one(
            "SELECT MIN(s.asked_at) FROM satisfaction s JOIN reports r ON r.id = s.report_id"
            " WHERE s.answered_at IS NULL AND s.reasked_at IS NULL"
            " AND r.status = 'resolved' AND r.reporter_id IS NOT NULL"
            " AND s.id = (SELECT MAX(id) FROM satisfaction l WHERE l.report_id = s.report_id)"
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def claim_reask(self, survey_id: int, at: datetime) -> bool:
        """Mark a survey as asked again, once; False if it was already (or was answered)."""
        changed = await self._db.execute(
            "UPDATE satisfaction SET reasked_at = ?"
            " WHERE id = ? AND reasked_at IS NULL AND answered_at IS NULL",
            (stamp(at), survey_id),
        )
        return changed == 1

    async def answer(
        self,
        survey: Survey,
        rating: int,
        fixed: bool,
        audit: AuditEntry,
        reopen: AuditEntry | None = None,
    ) -> tuple[bool, bool]:
        """Store the answer once; with `reopen`, a still-resolved report goes back to
        in progress in the same transaction. Return (answered, reopened).
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE satisfaction SET rating = ?, fixed = ?, answered_at = ?"
                " WHERE id = ? AND answered_at IS NULL",
                (rating, int(fixed), stamp(audit.at), survey.id),
            )
            if cursor.rowcount != 1:
                return False, False
            await write_audit(conn, audit)
            if reopen is None:
                return True, False
            cursor = await conn.execute(
                "UPDATE reports SET status = 'in_progress', updated_at = ?"
                " WHERE id = ? AND status = 'resolved'",
                (stamp(reopen.at), survey.report_id),
            )
            if cursor.rowcount != 1:
                return True, False
            await record_status(conn, survey.report_id, Status.IN_PROGRESS, reopen)
        return True, True

    async def add_comment(self, survey: Survey, text: str, audit: AuditEntry) -> bool:
        """Store the comment of an answered survey, once; False if there already is one."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE satisfaction SET comment = ?"
                " WHERE id = ? AND answered_at IS NOT NULL AND comment IS NULL",
                (text, survey.id),
            )
            if cursor.rowcount != 1:
                return False
            await write_audit(conn, audit)
        return True
