"""AuditRepository: the audit log, written alongside the change it records."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aiosqlite

from bot.core.audit import AuditEntry
from storage.db import Database

_INSERT = (
    "INSERT INTO audit_log (report_id, actor, actor_id, action, detail, at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def stamp(moment: datetime) -> str:
    """Return a moment as stored (ISO 8601 UTC, whole seconds)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def write_audit(conn: aiosqlite.Connection, entry: AuditEntry) -> None:
    """Insert an audit entry inside the caller's transaction."""
    await conn.execute(_INSERT, _values(entry))


class AuditRepository:
    """Store and read audit entries."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, entry: AuditEntry) -> None:
        """Store an entry on its own (refusals, and changes stored elsewhere)."""
        await self._db.execute(_INSERT, _values(entry))

    async def for_report(self, report_id: int) -> list[AuditEntry]:
        """Return a report's audit entries, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM audit_log WHERE report_id = ? ORDER BY id", (report_id,)
        )
        return [_entry(row) for row in rows]

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        """Return the latest entries of any kind, newest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_entry(row) for row in rows]


def _values(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.report_id,
        entry.actor.value,
        entry.actor_id,
        entry.action.value,
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
        stamp(entry.at),
    )


def _entry(row: aiosqlite.Row) -> AuditEntry:
    data = dict(row)
    data["detail"] = json.loads(data["detail"])
    return AuditEntry.model_validate(data)
