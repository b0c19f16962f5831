"""Digest schedules such as "weekly mon 08:00": parsing, and when each is next due."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^(?P<every>daily|weekly|monthly)(?:\s+(?P<on>[a-z]{3}|\d{1,2}))?\s+"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$"
)


class Every(StrEnum):
    """How often a digest is sent, and so which period it covers."""

    DAILY = "daily"  # the day before
    WEEKLY = "weekly"  # the seven days before
    MONTHLY = "monthly"  # the calendar month before


@dataclass(frozen=True)
class Schedule:
    """One recurring digest, in the configured time zone."""

    every: Every
    at: time
    weekday: int = 0  # 0 = Monday, for weekly
    day: int = 1  # day of the month, for monthly (1-28)

    @classmethod
    def parse(cls, spec: str) -> Schedule:
        """Parse "daily 07:30", "weekly mon 08:00" or "monthly 1 08:00"."""
        match = _SPEC.match(spec.strip().lower())
        if match is None:
            raise ValueError(
                f"{spec!r}: expected 'daily HH:MM', 'weekly mon HH:MM' or 'monthly 1 HH:MM'"
            )
        every, on = Every(match["every"]), match["on"]
        at = time(int(match["h"]), int(match["m"]), int(match["s"] or 0))
        if every is Every.DAILY and on is None:
            return cls(every, at)
        if every is Every.WEEKLY and on in DAYS:
            return cls(every, at, weekday=DAYS.index(on))
        if every is Every.MONTHLY and on is not None and on.isdigit() and 1 <= int(on) <= 28:
            return cls(every, at, day=int(on))
        raise ValueError(f"{spec!r}: a weekly digest needs a day (mon..sun), a monthly one 1..28")

    def due_on(self, day: date) -> bool:
        """Tell whether the digest is due on this local date."""
        if self.every is Every.WEEKLY:
            return day.weekday() == self.weekday
        if self.every is Every.MONTHLY:
            return day.day == self.day
        return True

    def latest(self, now: datetime, zone: ZoneInfo) -> datetime:
        """Return the most recent due moment at or before now (aware, in zone)."""
        local = now.astimezone(zone)
        for back in range(0, 62):
            day = local.date() - timedelta(days=back)
            moment = datetime.combine(day, self.at, zone)
            if self.due_on(day) and moment <= local:
                return moment
        raise AssertionError("a schedule is due at least every 31 days")

    def next(self, now: datetime, zone: ZoneInfo) -> datetime:
        """Return the next due moment strictly after now (aware, in zone)."""
        local = now.astimezone(zone)
        for ahead in range(0, 62):
            day = local.date() + timedelta(days=ahead)
            moment = datetime.combine(day, self.at, zone)
            if self.due_on(day) and moment > local:
                return moment
        raise AssertionError("a schedule is due at least every 31 days")


def parse_schedules(text: str) -> list[Schedule]:
    """Parse a ';'-separated list of schedules (empty text: none)."""
    return [Schedule.parse(part) for part in text.split(";") if part.strip()]


def catch_up(
    schedule: Schedule, now: datetime, zone: ZoneInfo, grace: timedelta
) -> datetime | None:
    """Return the latest due moment if it passed no longer than `grace` ago, else None."""
    latest = schedule.latest(now, zone)
    return latest if now - latest <= grace else None
