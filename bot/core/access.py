"""Who may do what: staff access checked on every call, refusals audited."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.audit import Action, Actor, AuditEntry
from bot.core.clock import Clock, utc_now
from bot.core.users import Access, User

log = logging.getLogger(__name__)


class UserDirectory(Protocol):
    """What follow-up needs to know about users."""

    async def get(self, user_id: int) -> User | None: ...
    async def staff(self) -> list[User]: ...


class AuditStore(Protocol):
    """Where audit entries are kept."""

    async def add(self, entry: AuditEntry) -> None: ...
    async def for_report(self, report_id: int) -> list[AuditEntry]: ...


class Gate(Protocol):
    """What a service asks before it acts for a user: may this actor do this?"""

    async def access_of_id(self, user_id: int) -> Access: ...
    async def require(self, actor_id: int, needed: Access, action: str) -> Access: ...


async def require(gate: Gate | None, actor_id: int, needed: Access, action: str) -> None:
    """Go on only if the gate lets the actor do this (a service without a gate refuses all)."""
    if gate is None:
        raise NotAllowed(action, needed)
    await gate.require(actor_id, needed, action)


class NotAllowed(Exception):
    """The caller may not do this (already audited).

    `needed` is the access it takes, or None when only the report's reporter may.
    """

    def __init__(self, action: str, needed: Access | None) -> None:
        super().__init__(f"{action} needs {needed or 'the reporter'}")
        self.action = action
        self.needed = needed


class AccessControl:
    """Resolve a user's access from the database and configuration, and refuse politely."""

    def __init__(
        self,
        users: UserDirectory,
        audit: AuditStore,
        admin_ids: frozenset[int],
        clock: Clock = utc_now,
    ) -> None:
        self._users = users
        self._audit = audit
        self.admin_ids = admin_ids
        self._clock = clock

    async def access_of_id(self, user_id: int) -> Access:
        """Return what this user may do now (read afresh on every call)."""
        if user_id in self.admin_ids:
            return Access.ADMIN
        user = await self._users.get(user_id)
        return user.access(self.admin_ids) if user else Access.USER

    async def require(self, actor_id: int, needed: Access, action: str) -> Access:
        """Return the actor's access if it includes `needed`; else audit and raise NotAllowed."""
        access = await self.access_of_id(actor_id)
        if not access.includes(needed):
            raise await self.refuse(actor_id, action, needed)
        return access

    async def refuse(self, actor_id: int, action: str, needed: Access | None) -> NotAllowed:
        """Audit a refusal (naming no report) and return the exception to raise."""
        await self._audit.add(
            AuditEntry(
                actor=Actor.USER,
                actor_id=actor_id,
                action=Action.REFUSED,
                detail={"attempted": action, "needed": needed.value if needed else "reporter"},
                at=self._clock(),
            )
        )
        log.warning("refused", extra={"action": action, "user_id": actor_id})
        return NotAllowed(action, needed)

    async def staff_ids(self) -> list[int]:
        """Return every officer and admin, configured or promoted."""
        return sorted(self.admin_ids | {user.id for user in await self._users.staff()})

    async def reachable_staff(self) -> list[tuple[int, str]]:
        """Return every officer and admin who has started the bot, with their language.

        A configured admin who never opened the bot cannot be written to, so is left out.
        """
        found = []
        for staff_id in await self.staff_ids():
            language = await self.language_of(staff_id)
            if language is not None:
                found.append((staff_id, language))
        return found

    async def language_of(self, user_id: int) -> str | None:
        """Return the language a registered user chose, or None."""
        user = await self._users.get(user_id)
        return user.language.value if user else None
