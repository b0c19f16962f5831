"""Repeating meetings: weekly, or monthly like "the first Tuesday", as RFC 5545 rules.

Occurrences keep their wall-clock time in the meeting's zone, so a 10:00 meeting stays at
10:00 across a DST change (its UTC start moves by the hour).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RULE = re.compile(r"^FREQ=(WEEKLY|MONTHLY);BYDAY=(-1|[1-4])?(MO|TU|WE|TH|FR|SA|SU)$")


class Repeat(StrEnum):
    """How a meeting repeats, as offered for its first date."""

    NONE = "none"
    WEEKLY = "weekly"  # the same weekday every week
    MONTHLY = "monthly"  # the n-th weekday of the month (first to fourth)
    MONTHLY_LAST = "monthly_last"  # the last such weekday of the month


@dataclass(frozen=True)
class Rule:
    """A repeat rule read back: weekly, or monthly on the n-th (-1 = last) weekday."""

    weekly: bool
    weekday: int  # 0 = Monday
    nth: int = 0  # 1..4, or -1 for the last; 0 for weekly


def week_of_month(day: int) -> int:
    """Return which of its weekday a day of the month is (days 1-7: the first, ...)."""
    return (day - 1) // 7 + 1


def is_last_of_month(start: datetime) -> bool:
    """Tell whether no later day of the month has the same weekday."""
    return start.day + 7 > calendar.monthrange(start.year, start.month)[1]


def options(start: datetime) -> list[Repeat]:
    """Return the repeats that fit a first date (a fifth weekday can only be the last)."""
    found = [Repeat.NONE, Repeat.WEEKLY]
    if week_of_month(start.day) <= 4:
        found.append(Repeat.MONTHLY)
    if is_last_of_month(start):
        found.append(Repeat.MONTHLY_LAST)
    return found


def rule_for(repeat: Repeat, start: datetime) -> str | None:
    """Return the RRULE for a repeat starting on a local date (None: no repeat)."""
    day = DAY_CODES[start.weekday()]
    if repeat is Repeat.NONE:
        return None
    if repeat is Repeat.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={day}"
    if repeat is Repeat.MONTHLY_LAST:
        if not is_last_of_month(start):
            raise ValueError(f"{start.date()} is not the last {day} of its month")
        return f"FREQ=MONTHLY;BYDAY=-1{day}"
    nth = week_of_month(start.day)
    if nth > 4:
        raise ValueError(f"{start.date()} is a fifth {day}; repeat it as the last one")
    return f"FREQ=MONTHLY;BYDAY={nth}{day}"


def repeat_of(rule: str | None) -> Repeat:
    """Return which repeat a stored rule is."""
    if rule is None:
        return Repeat.NONE
    parsed = parse_rule(rule)
    if parsed.weekly:
        return Repeat.WEEKLY
    return Repeat.MONTHLY_LAST if parsed.nth == -1 else Repeat.MONTHLY


def parse_rule(rule: str) -> Rule:
    """Read back a rule written by rule_for; raise ValueError for any other."""
    match = _RULE.match(rule)
    if match is None:
        raise ValueError(f"{rule!r}: not a weekly or monthly weekday rule")
    weekly = match[1] == "WEEKLY"
    if weekly == bool(match[2]):
        raise ValueError(f"{rule!r}: weekly rules take a plain day, monthly ones an ordinal")
    return Rule(weekly, DAY_CODES.index(match[3]), 0 if weekly else int(match[2]))


def next_start(rule: str, previous: datetime, zone: ZoneInfo) -> datetime:
    """Return the occurrence after `previous` (aware), at the same wall-clock time in zone."""
    parse_rule(rule)
    local = previous.astimezone(zone).replace(tzinfo=None)
    following = rrulestr(rule, dtstart=local).after(local)
    if following is None:  # an unbounded rule always has a next date
        raise AssertionError(f"{rule!r} has no date after {local}")
    return following.replace(tzinfo=zone)
