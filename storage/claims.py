"""Claims: what the bot sends on its own is claimed here, once per recipient, before it goes."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from storage.audit import stamp
from storage.db import Database

DIGEST = "digest"  # key: the period, e.g. 2026-W47
NOTICE_SUMMARY = "notice_summary"  # key: the consultation's notice id


class Claims:
    """The claims table: one row per (kind, key, recipient), never taken twice."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(
        self, kind: str, key: str, recipient_id: int, at: datetime | None = None
    ) -> bool:
        """Claim one send before making it; False if it was claimed before."""
        changed = await self._db.execute(
            "INSERT INTO claims (kind, key, recipient_id, claimed_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (kind, key, recipient_id, stamp(at or datetime.now(UTC))),
        )
        return changed == 1


async def erase_user(conn: aiosqlite.Connection, user_id: int) -> None:
    """Forget what was claimed for the user (sends are bookkeeping, not their data)."""
    await conn.execute("DELETE FROM claims WHERE recipient_id = ?", (user_id,))
