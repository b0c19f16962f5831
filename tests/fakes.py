"""Hand-written fakes the tests share."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bot.core.access import NotAllowed
from bot.core.users import Access

MONOTONIC_START = 100.0  # what monotonic() shows at the start, like time.monotonic: arbitrary


class Clock:
    """A clock the test moves by hand; a ticking one also follows real time between moves."""

    def __init__(self, now: datetime | None = None, *, ticking: bool = False) -> None:
        self._origin = now or datetime.now(UTC)
        self._moved = MONOTONIC_START  # seconds on the monotonic scale the test moved it to
        self._ticking = ticking
        self._since = time.monotonic()

    @property
    def now(self) -> datetime:
        """Return the moment the clock shows."""
        return self._origin + timedelta(seconds=self.monotonic() - MONOTONIC_START)

    @now.setter
    def now(self, moment: datetime) -> None:
        """Set the clock to a moment."""
        self._moved = MONOTONIC_START + (moment - self._origin).total_seconds()
        self._since = time.monotonic()

    def __call__(self) -> datetime:
        """Return the moment the clock shows (a Clock, as services take it)."""
        return self.now

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move the clock forward and return the new moment."""
        self._moved += seconds + timedelta(**delta).total_seconds()
        return self.now

    def monotonic(self) -> float:
        """Return seconds on a monotonic scale (like time.monotonic), for pacing."""
        ticked = time.monotonic() - self._since if self._ticking else 0.0
        return self._moved + ticked


class Gate:
    """An access gate: the listed users have the given access, everyone else is refused."""

    def __init__(self, allowed: dict[int, Access]) -> None:
        self.allowed = allowed
        self.refused: list[tuple[int, str]] = []  # (actor, action), as the audit log would say

    async def access_of_id(self, user_id: int) -> Access:
        """Return what this user may do."""
        return self.allowed.get(user_id, Access.USER)

    async def require(self, actor_id: int, needed: Access, action: str) -> Access:
        """Return the actor's access if it includes `needed`; else record and refuse."""
        access = await self.access_of_id(actor_id)
        if not access.includes(needed):
            self.refused.append((actor_id, action))
            raise NotAllowed(action, needed)
        return access
