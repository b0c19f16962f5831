"""The clock every service reads, injectable so tests move time instead of waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current moment in UTC (the real clock)."""
    return datetime.now(UTC)
