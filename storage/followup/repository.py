"""FollowUpRepository: officers' inbox, assignment, status changes, replies, notes and claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.audit import AuditEntry
from bot.followup.model import InboxFilter, InboxItem, ThreadEntry, TrackedReport
from bot.reporting.model import Attachment, Author, Status, Support
from storage.audit import stamp, write_audit
from storage.claims import Claims
from storage.db import ERASED, Database
from storage.reporting import ReportRepository

OPEN_STATUSES = "('new', 'acknowledged', 'in_progress')"
URGENCY_ORDER = "CASE r.urgency WHEN 'high' THEN 0 WHEN 'low' THEN 2 ELSE 1 END"
_ITEM_COLUMNS = (
    "r.id, r.reference, r.kind, r.topic, r.office, r.status, r.urgency, r.created_at,"
    " r.assigned_to, 1 + (SELECT COUNT(*) FROM report_voices v WHERE v.report_id = r.id)"
    " AS group_size"
)
_THREAD_SQL = """
SELECT author, author_id, body, attachment, created_at, 0 AS internal, id AS position, id
FROM report_messages WHERE report_id = ?
UNION ALL
SELECT 'officer', author_id, body, NULL, created_at, 1, after_message, id
FROM report_notes WHERE report_id = ?
ORDER BY position, internal, id
"""  # a note follows the thread message that was the last one when it was written


async def record_status(
    conn: aiosqlite.Connection, report_id: int, status: Status, audit: AuditEntry
) -> None:
    """Record a status change in the history digests read, and in the audit log."""
    await conn.execute(
        "INSERT INTO report_events (report_id, status, at) VALUES (?, ?, ?)",
        (report_id, status.value, stamp(audit.at)),
    )
    await write_audit(conn, audit)


class FollowUpRepository:
    """Store and read the follow-up of reports."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._reports = ReportRepository(db)

    # --- reading ------------------------------------------------------------------------

    async def tracked(self, report_id: int) -> TrackedReport | None:
        """Return a report with its follow-up state."""
        report = await self._reports.get(report_id)
        if report is None:
            return None
        row = await self._db.fetch_one(
            "SELECT r.assigned_to, r.reason, d.reference AS duplicate_of,"
            " (SELECT COUNT(*) FROM report_voices v WHERE v.report_id = r.id) AS voices"
            " FROM reports r LEFT JOIN reports d ON d.id = r.duplicate_of WHERE r.id = ?",
            (report_id,),
        )
        assert row is not None
        return TrackedReport(report=report, **dict(row))

    async def tracked_by_reference(self, reference: str) -> TrackedReport | None:
        """Return the report with this reference, with its follow-up state."""
        row = await self._db.fetch_one("SELECT id FROM reports WHERE reference = ?", (reference,))
        return await self.tracked(int(row[0])) if row else None

    async def find(
        self, query: InboxFilter, viewer_id: int, limit: int | None, offset: int = 0
    ) -> tuple[list[InboxItem], int]:
        """Return reports matching a filter (overdue aside), by urgency then age, and a count.

        Without a limit every match is returned (to filter overdue ones in the service).
        """
        where, params = _conditions(query, viewer_id)
        paging = " LIMIT ? OFFSET ?" if limit is not None else ""
        rows = await self._db.fetch_all(
            f"SELECT {_ITEM_COLUMNS} FROM reports r WHERE {where}"  # noqa: S608 - fixed fragments
            f" ORDER BY {URGENCY_ORDER}, r.created_at, r.id{paging}",
            (*params, *((limit, offset) if limit is not None else ())),
        )
        total = await self._db.fetch_one(
            f"SELECT COUNT(*) FROM reports r WHERE {where}",  # noqa: S608 - fixed fragments
            params,
        )
        return [InboxItem.model_validate(dict(row)) for row in rows], int(total[0]) if total else 0

    async def officer_thread(self, report_id: int) -> list[ThreadEntry]:
        """Return a report's thread with internal notes, oldest first."""
        rows = await self._db.fetch_all(_THREAD_SQL, (report_id, report_id))
        return [
            ThreadEntry(
                author=Author(row["author"]),
                officer_id=row["author_id"] if row["author"] == Author.OFFICER else None,
                body=row["body"],
                attachment=Attachment.model_validate_json(row["attachment"])
                if row["attachment"]
                else None,
                internal=bool(row["internal"]),
                created_at=datetime.fromisoformat(row["created_at"]),
            )
            for row in rows
        ]

    async def supports(self, report_id: int, user_id: int | None = None) -> list[Support]:
        """Return a report's supports (traders who added their voice), oldest first."""
        return await self._reports.supports(report_id, user_id)

    # --- changing -----------------------------------------------------------------------

    async def assign(self, report_id: int, officer_id: int | None, audit: AuditEntry) -> None:
        """Give a report to an officer (None: to nobody), audited in the same transaction."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE reports SET assigned_to = ?, updated_at = ? WHERE id = ?",
                (officer_id, stamp(audit.at), report_id),
            )
            await write_audit(conn, audit)

    async def move(
        self,
        report_id: int,
        current: Status,
        wanted: Status,
        audit: AuditEntry,
        *,
        reason: str | None = None,
        duplicate_of: int | None = None,
        ask: bool = False,
    ) -> bool:
        """Change a report's status if it is still `current`; False if someone changed it first.

        The change, its status event, its audit entry and (with `ask`) a new "Is it fixed?"
        survey are one transaction.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE reports SET status = ?, reason = ?, duplicate_of = ?, updated_at = ?"
                " WHERE id = ? AND status = ?",
                (wanted.value, reason, duplicate_of, stamp(audit.at), report_id, current.value),
            )
            if cursor.rowcount != 1:
                return False
            await record_status(conn, report_id, wanted, audit)
            if ask:
                await conn.execute(
                    "INSERT INTO satisfaction (report_id, asked_at) VALUES (?, ?)",
                    (report_id, stamp(audit.at)),
                )
        return True

    async def add_message(
        self,
        report_id: int,
        author: Author,
        body: str,
        audit: AuditEntry,
        *,
        officer_id: int | None = None,
        attachment: Attachment | None = None,
        acknowledge: AuditEntry | None = None,
    ) -> bool:
        """Append a public message to the thread; with `acknowledge`, a new report becomes
        acknowledged in the same transaction. Return whether it did.
        """
        at = stamp(audit.at)
        stored = attachment.model_dump_json() if attachment else None
        acknowledged = False
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO report_messages (report_id, author, author_id, body, attachment,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (report_id, author.value, officer_id, body, stored, at),
            )
            await conn.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (at, report_id))
            await write_audit(conn, audit)
            if acknowledge is not None:
                cursor = await conn.execute(
                    "UPDATE reports SET status = 'acknowledged' WHERE id = ? AND status = 'new'",
                    (report_id,),
                )
                if cursor.rowcount == 1:
                    await record_status(conn, report_id, Status.ACKNOWLEDGED, acknowledge)
                    acknowledged = True
        return acknowledged

    async def add_note(self, report_id: int, officer_id: int, body: str, audit: AuditEntry) -> None:
        """Store an internal note (never in the reporter's thread), audited."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO report_notes (report_id, author_id, body, created_at, after_message)"
                " VALUES (?, ?, ?, ?,"
                " (SELECT COALESCE(MAX(id), 0) FROM report_messages WHERE report_id = ?))",
                (report_id, officer_id, body, stamp(audit.at), report_id),
            )
            await write_audit(conn, audit)

    async def claim(self, kind: str, key: str, recipient_id: int, at: datetime) -> bool:
        """Claim one scheduled send before making it; False if it was claimed before."""
        return await Claims(self._db).claim(kind, key, recipient_id, at)


def _conditions(query: InboxFilter, viewer_id: int) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if query.status is None:
        parts.append(f"r.status IN {OPEN_STATUSES}")
    else:
        parts.append("r.status = ?")
        params.append(query.status.value)
    if query.topic:
        parts.append("r.topic = ?")
        params.append(query.topic)
    if query.office:
        parts.append("r.office = ?")
        params.append(query.office)
    if query.mine:
        parts.append("r.assigned_to = ?")
        params.append(viewer_id)
    if query.unassigned:
        parts.append("r.assigned_to IS NULL")
    return " AND ".join(parts), params


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Erase the user's survey comments; pseudonymise their notes; drop their send claims."""
    await conn.execute(
        "UPDATE satisfaction SET comment = ? WHERE comment IS NOT NULL"
        " AND report_id IN (SELECT id FROM reports WHERE reporter_id = ?)",
        (ERASED, user_id),
    )
    await conn.execute(
        "UPDATE report_notes SET author_id = ? WHERE author_id = ?", (pseudonym, user_id)
    )
