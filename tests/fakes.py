"""Hand-written fakes the tests share."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

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
