"""Erasing a user: every capability's storage forgets them in one transaction, then the WAL."""

from __future__ import annotations

import secrets

from storage import audit, bulletins, claims
from storage.accounts import team, users
from storage.db import Database
from storage.followup import repository as followup
from storage.meetings import repository as meetings
from storage.notices import repository as notices
from storage.reporting import erase_user as erase_reporting


def new_pseudonym() -> int:
    """Return a random negative id that stands for an erased user (never a Telegram id)."""
    return -(secrets.randbelow(2**62) + 1)


class UserErasure:
    """Erase a user's personal data and texts everywhere; what they reported stays."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def erase(self, user_id: int) -> bool:
        """Erase the user in one transaction and checkpoint the WAL; False if unknown."""
        pseudonym = new_pseudonym()
        async with self._db.transaction() as conn:
            # The reporter's texts are found through reports.reporter_id: before the user goes.
            await erase_reporting(conn, user_id, pseudonym)
            await followup.erase_user(conn, user_id, pseudonym)
            await audit.erase_user(conn, user_id, pseudonym)
            await meetings.erase_user(conn, user_id, pseudonym)
            await notices.erase_user(conn, user_id, pseudonym)
            await team.erase_user(conn, user_id, pseudonym)
            await bulletins.erase_user(conn, user_id, pseudonym)
            await claims.erase_user(conn, user_id)  # digests, summaries, reminders claimed
            erased = await users.erase_user(conn, user_id)
        # Old page images in the WAL still hold the names and texts until a checkpoint.
        await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return erased
