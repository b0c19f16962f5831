"""AuditRepository: the audit log, written alongside the change it records."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aiosqlite

from bot.core.audit import AuditEntry
from storage.db import ERASED, Database

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


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Pseudonymise the user's id everywhere in the log; erase excerpts of what they wrote.

    One pseudonym per erasure: officers still see that the same person did each thing.
    """
    await conn.execute("UPDATE audit_log SET actor_id = ? WHERE actor_id = ?", (pseudonym, user_id))
    async with conn.execute(
        "SELECT id, detail, 1 FROM audit_log WHERE actor = 'reporter'"
        " AND report_id IN (SELECT id FROM reports WHERE reporter_id = ?)"
        " UNION ALL SELECT id, detail, 0 FROM audit_log WHERE detail LIKE ?",
        (user_id, f"%{user_id}%"),
    ) as cursor:
        rows = list(await cursor.fetchall())
    for entry_id, stored, theirs in rows:
        detail = _pseudonymised(json.loads(stored), user_id, pseudonym)
        if theirs and "excerpt" in detail:
            detail["excerpt"] = ERASED
        await conn.execute(
            "UPDATE audit_log SET detail = ? WHERE id = ?",
            (json.dumps(detail, ensure_ascii=False, sort_keys=True), entry_id),
        )


def _pseudonymised(detail: dict[str, object], user_id: int, pseudonym: int) -> dict[str, object]:
    """Return the detail with every value equal to the user's id replaced by the pseudonym."""
    return {
        key: pseudonym if value == user_id and not isinstance(value, bool) else value
        for key, value in detail.items()
    }
