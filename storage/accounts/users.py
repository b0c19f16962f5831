"""UserRepository: users as stored, returned as domain models."""

from __future__ import annotations

from typing import Any

import aiosqlite

from bot.core.users import Language, TelegramProfile, User
from storage.db import Database, utcnow

UPDATABLE = frozenset(
    {
        "first_name",
        "last_name",
        "username",
        "language",
        "business_role",
        "organisation",
        "business_size",
        "women_led",
        "staff_role",
        "onboarding_step",
        "privacy_accepted_at",
        "notices_enabled",
        "blocked_bot",
    }
)


PARTICIPATION = {  # what else a user did, for /mydata; their reports are exported with threads
    "voices_added": "SELECT report_id, comment, language, anonymous, created_at FROM report_voices"
    " WHERE user_id = ? ORDER BY id",
    "satisfaction_answers": "SELECT s.report_id, s.rating, s.fixed, s.comment, s.asked_at,"
    " s.answered_at FROM satisfaction s JOIN reports r ON r.id = s.report_id"
    " WHERE r.reporter_id = ? ORDER BY s.id",
    "meeting_answers": "SELECT meeting_id, answer, updated_at FROM meeting_rsvps"
    " WHERE user_id = ? ORDER BY meeting_id",
    "action_items_owned": "SELECT id, meeting_id, what, due_on, done_at, outcome"
    " FROM action_items WHERE owner_id = ? ORDER BY id",
    "notice_subscriptions": "SELECT kind, code FROM notice_subscriptions WHERE user_id = ?"
    " ORDER BY kind, code",
    "notices_received": "SELECT notice_id, kind, state, acknowledged_at FROM notice_deliveries"
    " WHERE user_id = ? ORDER BY notice_id, kind",
    "notice_comments": "SELECT notice_id, body, language, created_at FROM notice_comments"
    " WHERE user_id = ? ORDER BY id",
}


def _user(row: aiosqlite.Row) -> User:
    return User.model_validate(dict(row))


class UserRepository:
    """Store and read users."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> User | None:
        """Return the user with this Telegram id, if registered."""
        row = await self._db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def register(
        self, profile: TelegramProfile, language: Language, first_step: str
    ) -> tuple[User, bool]:
        """Insert the user if new (else refresh their names); return (user, created)."""
        now = utcnow()
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT 1 FROM users WHERE id = ?", (profile.id,)) as cursor:
                created = await cursor.fetchone() is None
            if created:
                await conn.execute(
                    "INSERT INTO users (id, first_name, last_name, username, language,"
                    " onboarding_step, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        profile.id,
                        profile.first_name,
                        profile.last_name,
                        profile.username,
                        language.value,
                        first_step,
                        now,
                        now,
                    ),
                )
            else:
                await conn.execute(
                    "UPDATE users SET first_name = ?, last_name = ?, username = ?,"
                    " blocked_bot = 0, updated_at = ? WHERE id = ?",
                    (profile.first_name, profile.last_name, profile.username, now, profile.id),
                )
        user = await self.get(profile.id)
        assert user is not None
        return user, created

    async def update(self, user_id: int, changes: dict[str, Any]) -> User:
        """Change some of a user's fields in one transaction and return the user."""
        unknown = set(changes) - UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        columns = ", ".join(f"{name} = ?" for name in changes)
        values = [_stored(value) for value in changes.values()]
        await self._db.execute(
            f"UPDATE users SET {columns}, updated_at = ? WHERE id = ?",  # noqa: S608 - names whitelisted
            (*values, utcnow(), user_id),
        )
        user = await self.get(user_id)
        if user is None:
            raise LookupError(f"no user {user_id}")
        return user

    async def export(self, user_id: int) -> dict[str, Any]:
        """Return everything stored about the user as plain data (their reports apart)."""
        row = await self._db.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
        data: dict[str, Any] = {"user": dict(row) if row else None}
        for name, sql in PARTICIPATION.items():
            data[name] = [dict(found) for found in await self._db.fetch_all(sql, (user_id,))]
        return data

    async def staff(self) -> list[User]:
        """Return the users with a staff role (officers and promoted admins)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM users WHERE staff_role IS NOT NULL ORDER BY id"
        )
        return [_user(row) for row in rows]

    async def count(self) -> int:
        """Return how many users are registered."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM users")
        return int(row[0]) if row else 0


def _stored(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="seconds")
    return value


async def erase_user(conn: aiosqlite.Connection, user_id: int) -> bool:
    """Delete the user's row (last: rows that reference it cascade or lose the reference)."""
    cursor = await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
    erased = cursor.rowcount == 1
    await cursor.close()
    return erased
