"""TeamRepository: invite links and staff roles, each change audited in its transaction."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.accounts.roles import Invite, InviteFailure, Role
from bot.core.audit import AuditEntry
from storage.audit import stamp, write_audit
from storage.db import Database


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite.model_validate(dict(row))


class TeamRepository:
    """Store invites and staff roles."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_invite(self, invite: Invite, audit: AuditEntry) -> Invite:
        """Store a new invite and its audit entry; return it with its id."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO invites (token, role, created_by, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    invite.token,
                    invite.role.value,
                    invite.created_by,
                    stamp(invite.created_at),
                    stamp(invite.expires_at),
                ),
            )
            invite_id = int(cursor.lastrowid or 0)
            detail = {**audit.detail, "invite": invite_id}
            await write_audit(conn, audit.model_copy(update={"detail": detail}))
        return invite.model_copy(update={"id": invite_id})

    async def invite(self, token: str) -> Invite | None:
        """Return the invite with this token."""
        row = await self._db.fetch_one("SELECT * FROM invites WHERE token = ?", (token,))
        return _invite(row) if row else None

    async def redeem(
        self, token: str, user_id: int, at: datetime, audit: AuditEntry
    ) -> Invite | InviteFailure:
        """Use an invite once, before it expires, and give its role to a registered user.

        Claiming the invite, the role (never lowering an admin) and the audit entry are one
        transaction; LookupError (and nothing stored) if the user is not registered.
        """
        now = stamp(at)
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "UPDATE invites SET used_by = ?, used_at = ? WHERE token = ?"
                    " AND used_by IS NULL AND cancelled_at IS NULL AND expires_at > ? RETURNING *",
                    (user_id, now, token, now),
                )
            )
            if not rows:
                return await self._failure(conn, token)
            invite = _invite(rows[0])
            cursor = await conn.execute(
                "UPDATE users SET staff_role = CASE WHEN staff_role = 'admin' THEN 'admin'"
                " ELSE ? END, updated_at = ? WHERE id = ?",
                (invite.role.value, now, user_id),
            )
            if cursor.rowcount != 1:
                raise LookupError(f"user {user_id} is not registered")
            await write_audit(conn, audit)
        return invite

    async def outstanding(self, now: datetime) -> list[Invite]:
        """Return the invites that could still be used (not used, cancelled nor expired)."""
        rows = await self._db.fetch_all(
            "SELECT * FROM invites WHERE used_by IS NULL AND cancelled_at IS NULL"
            " AND expires_at > ? ORDER BY id",
            (stamp(now),),
        )
        return [_invite(row) for row in rows]

    async def cancel(self, invite_id: int, by: int | None, audit: AuditEntry) -> Invite | None:
        """Cancel an invite not yet used nor cancelled, audited; None if there is none such."""
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "UPDATE invites SET cancelled_at = ?, cancelled_by = ? WHERE id = ?"
                    " AND used_by IS NULL AND cancelled_at IS NULL RETURNING *",
                    (stamp(audit.at), by, invite_id),
                )
            )
            if not rows:
                return None
            invite = _invite(rows[0])
            detail = {**audit.detail, "invite": invite_id, "role": invite.role.value}
            await write_audit(conn, audit.model_copy(update={"detail": detail}))
        return invite

    async def revoke(self, user_id: int, audit: AuditEntry) -> tuple[Role, int] | None:
        """Take away a user's staff role and unassign their open reports, audited; the
        invites they made and nobody used yet are cancelled with it.

        Return (the role they had, how many reports were unassigned), or None if they had none.
        """
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT staff_role FROM users WHERE id = ? AND staff_role IS NOT NULL",
                    (user_id,),
                )
            )
            if not rows:
                return None
            role = Role(rows[0][0])
            await conn.execute(
                "UPDATE users SET staff_role = NULL, updated_at = ? WHERE id = ?",
                (stamp(audit.at), user_id),
            )
            cursor = await conn.execute(
                "UPDATE reports SET assigned_to = NULL"
                " WHERE assigned_to = ? AND status IN ('new', 'acknowledged', 'in_progress')",
                (user_id,),
            )
            unassigned = cursor.rowcount
            cursor = await conn.execute(
                "UPDATE invites SET cancelled_at = ?, cancelled_by = ?"
                " WHERE created_by = ? AND used_by IS NULL AND cancelled_at IS NULL",
                (stamp(audit.at), audit.actor_id, user_id),
            )
            detail = {
                **audit.detail,
                "role": role.value,
                "unassigned": unassigned,
                "invites_cancelled": cursor.rowcount,
            }
            await write_audit(conn, audit.model_copy(update={"detail": detail}))
        return role, unassigned

    @staticmethod
    async def _failure(conn: aiosqlite.Connection, token: str) -> InviteFailure:
        rows = list(
            await conn.execute_fetchall(
                "SELECT used_by, cancelled_at FROM invites WHERE token = ?", (token,)
            )
        )
        if not rows:
            return InviteFailure.UNKNOWN
        if rows[0][0] is not None:
            return InviteFailure.USED
        return InviteFailure.CANCELLED if rows[0][1] is not None else InviteFailure.EXPIRED


async def erase_user(conn: aiosqlite.Connection, user_id: int, pseudonym: int) -> None:
    """Pseudonymise the user's id in the invites they created, used or cancelled."""
    await conn.execute(
        "UPDATE invites SET created_by = ? WHERE created_by = ?", (pseudonym, user_id)
    )
    await conn.execute("UPDATE invites SET used_by = ? WHERE used_by = ?", (pseudonym, user_id))
    await conn.execute(
        "UPDATE invites SET cancelled_by = ? WHERE cancelled_by = ?", (pseudonym, user_id)
    )
