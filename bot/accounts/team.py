"""Customs staff: invite links that make officers and admins, the team list, revoking roles."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot.accounts import roles as team
from bot.accounts.roles import Invite, InviteFailure, Role, TeamMember
from bot.core.access import AccessControl, AuditStore, UserDirectory
from bot.core.audit import Action, Actor, AuditEntry, Detail
from bot.core.clock import Clock, utc_now
from bot.core.errors import UserError
from bot.core.users import Access, User, display_name

log = logging.getLogger(__name__)


class TeamStore(Protocol):
    """What the team needs from storage."""

    async def add_invite(self, invite: Invite, audit: AuditEntry) -> Invite: ...
    async def invite(self, token: str) -> Invite | None: ...
    async def redeem(
        self, token: str, user_id: int, at: datetime, audit: AuditEntry
    ) -> Invite | InviteFailure: ...
    async def revoke(self, user_id: int, audit: AuditEntry) -> tuple[Role, int] | None: ...
    async def outstanding(self, now: datetime) -> list[Invite]: ...
    async def cancel(self, invite_id: int, by: int | None, audit: AuditEntry) -> Invite | None: ...


class TeamService:
    """Use cases of admins managing staff, and of invitees joining."""

    def __init__(
        self,
        store: TeamStore,
        users: UserDirectory,
        audit: AuditStore,
        access: AccessControl,
        *,
        invite_ttl: timedelta = timedelta(hours=72),
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._users = users
        self._audit = audit
        self.access = access
        self.invite_ttl = invite_ttl
        self._clock = clock

    async def create_invite(
        self, actor_id: int, role: Role, ttl: timedelta | None = None
    ) -> Invite:
        """Make a one-time invite link for an officer or admin (admins only)."""
        await self.access.require(actor_id, Access.ADMIN, "create_invite")
        now = self._clock()
        invite = Invite(
            token=team.new_token(),
            role=role,
            created_by=actor_id,
            created_at=now,
            expires_at=now + (ttl or self.invite_ttl),
        )
        detail: Detail = {"role": role.value, "expires_at": invite.expires_at.isoformat()}
        audit = self._entry(actor_id, Action.INVITE_CREATED, detail, now)
        stored = await self._store.add_invite(invite, audit)
        log.info("invite created", extra={"role": role.value, "user_id": actor_id})
        return stored

    async def redeem(self, token: str, user_id: int) -> Invite | InviteFailure:
        """Use an invite: once, before it expires, while its maker may still invite; return
        the invite used (its role, its maker) or why not.

        The user must be registered (LookupError otherwise, and the invite stays unused).
        """
        now = self._clock()
        known = await self._store.invite(token)
        if known is None:
            return await self._refused(user_id, InviteFailure.UNKNOWN, now)
        if known.id is not None and not await self._maker_may_invite(known):
            cancelled = self._entry(
                known.created_by, Action.INVITE_CANCELLED, {"why": "maker"}, now, Actor.SYSTEM
            )
            await self._store.cancel(known.id, None, cancelled)
            return await self._refused(user_id, InviteFailure.CANCELLED, now)
        detail: Detail = {"role": known.role.value, "invite": known.id, "by": known.created_by}
        audit = self._entry(user_id, Action.ROLE_GRANTED, detail, now, Actor.USER)
        result = await self._store.redeem(token, user_id, now, audit)
        if isinstance(result, InviteFailure):
            return await self._refused(user_id, result, now)
        log.info("role granted", extra={"role": result.role.value, "user_id": user_id})
        return result

    async def outstanding(self, actor_id: int) -> list[Invite]:
        """Return the invites that could still be used, oldest first (admins only)."""
        await self.access.require(actor_id, Access.ADMIN, "invites")
        return await self._store.outstanding(self._clock())

    async def cancel_invite(self, actor_id: int, invite_id: int) -> Invite:
        """Cancel an invite nobody used yet (admins only); UserError if it is gone."""
        await self.access.require(actor_id, Access.ADMIN, "cancel_invite")
        audit = self._entry(actor_id, Action.INVITE_CANCELLED, {}, self._clock())
        cancelled = await self._store.cancel(invite_id, actor_id, audit)
        if cancelled is None:
            raise UserError("team.error_invite_gone")
        log.info("invite cancelled", extra={"invite": invite_id, "user_id": actor_id})
        return cancelled

    async def _maker_may_invite(self, invite: Invite) -> bool:
        """Tell whether the invite's maker still has the right to make it (admins may)."""
        return (await self.access.access_of_id(invite.created_by)).includes(Access.ADMIN)

    async def team(self, actor_id: int) -> list[TeamMember]:
        """Return every officer and admin (officers and admins may look)."""
        await self.access.require(actor_id, Access.OFFICER, "team")
        configured = self.access.admin_ids
        members: dict[int, TeamMember] = {}
        for user in await self._users.staff():
            role = Role.ADMIN if user.id in configured else Role(user.staff_role or "")
            members[user.id] = _member(user.id, user, role, user.id in configured)
        for admin_id in configured - members.keys():
            known = await self._users.get(admin_id)
            members[admin_id] = _member(admin_id, known, Role.ADMIN, True)
        order = {Role.ADMIN: 0, Role.OFFICER: 1}
        return sorted(members.values(), key=lambda m: (order[m.role], m.name.lower(), m.user_id))

    async def revoke(self, actor_id: int, user_id: int) -> Role:
        """Take away someone's staff role (admins only); their open reports become unassigned.

        Configured admins (ADMIN_IDS) and oneself cannot be revoked.
        """
        await self.access.require(actor_id, Access.ADMIN, "revoke")
        if user_id in self.access.admin_ids:
            raise UserError("team.error_configured_admin")
        if user_id == actor_id:
            raise UserError("team.error_self")
        audit = self._entry(actor_id, Action.ROLE_REVOKED, {"user": user_id}, self._clock())
        revoked = await self._store.revoke(user_id, audit)
        if revoked is None:
            raise UserError("team.error_not_staff")
        log.info("role revoked", extra={"user_id": user_id, "by": actor_id})
        return revoked[0]

    async def _refused(self, user_id: int, why: InviteFailure, at: datetime) -> InviteFailure:
        await self._audit.add(
            AuditEntry(
                actor=Actor.USER,
                actor_id=user_id,
                action=Action.INVITE_REFUSED,
                detail={"reason": why.value},
                at=at,
            )
        )
        log.warning("invite refused", extra={"reason": why.value, "user_id": user_id})
        return why

    @staticmethod
    def _entry(
        actor_id: int, action: Action, detail: Detail, at: datetime, actor: Actor = Actor.STAFF
    ) -> AuditEntry:
        return AuditEntry(actor=actor, actor_id=actor_id, action=action, detail=detail, at=at)


def _member(user_id: int, user: User | None, role: Role, configured: bool) -> TeamMember:
    name = display_name(user.first_name, user.last_name, user.username) if user else "—"
    return TeamMember(user_id=user_id, role=role, name=name, configured=configured)
