"""How many updates one user may send in a while (FLOOD_LIMIT), and what happens beyond it.

Each user's updates of the last window are counted as they arrive. Beyond the limit the user
is told once (the first update over it) and the rest are dropped until the count falls back
under the limit; the drops of that flood are then reported as one count.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.durations import parse_duration

_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\S+)\s*$")
USER_MEMORY = 10_000  # users remembered before those quiet for a window are forgotten


@dataclass(frozen=True)
class FloodLimit:
    """At most `count` updates from one user within `window`."""

    count: int
    window: timedelta

    @classmethod
    def parse(cls, text: str) -> FloodLimit | None:
        """Parse "20/10s" (20 updates in 10 seconds); "off" or "0" means no limit."""
        if text.strip().lower() in {"", "0", "off"}:
            return None
        match = _LIMIT.match(text)
        if match is None:
            raise ValueError(f"{text!r}: expected updates/duration such as 20/10s, or off")
        count, window = int(match[1]), parse_duration(match[2])
        if count < 1 or window <= timedelta():
            raise ValueError(f"{text!r}: the count and the duration must be above zero")
        return cls(count, window)

    def __str__(self) -> str:
        """Write the limit back as it is set, e.g. "20/10s"."""
        return f"{self.count}/{int(self.window.total_seconds())}s"


class Verdict(enum.Enum):
    """What to do with one update."""

    HANDLE = "handle"
    NOTIFY = "notify"  # the first one over the limit: tell the user, drop the update
    DROP = "drop"


@dataclass
class _Flow:
    """One user's recent updates and the flood under way, if any."""

    arrivals: deque[datetime]
    dropped: int = 0


class InboundLimiter:
    """Count each user's updates as they arrive and say which to handle."""

    def __init__(self, limit: FloodLimit, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._flows: dict[int, _Flow] = {}

    def admit(self, user_id: int) -> tuple[Verdict, int]:
        """Return the verdict on a new update, and how many a flood just over had dropped."""
        now = self._clock()
        flow = self._flows.get(user_id)
        if flow is None:
            if len(self._flows) >= USER_MEMORY:
                self._forget(now)
            flow = self._flows[user_id] = _Flow(deque(maxlen=self.limit.count))
        arrivals = flow.arrivals
        if len(arrivals) < self.limit.count or arrivals[0] <= now - self.limit.window:
            arrivals.append(now)
            ended, flow.dropped = flow.dropped, 0
            return Verdict.HANDLE, ended
        flow.dropped += 1
        return (Verdict.NOTIFY if flow.dropped == 1 else Verdict.DROP), 0

    def _forget(self, now: datetime) -> None:
        """Drop the users whose last update left the window (their floods are over)."""
        quiet = now - self.limit.window
        self._flows = {
            user: flow
            for user, flow in self._flows.items()
            if flow.arrivals and flow.arrivals[-1] > quiet
        }
