"""Service levels per urgency: how soon a report must be acknowledged and resolved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.durations import format_duration, parse_duration
from bot.core.taxonomy import URGENCIES

DEFAULT_SERVICE_LEVELS = "high=1d/5d, normal=1d/10d, low=2d/20d"


@dataclass(frozen=True)
class ServiceLevel:
    """Targets for one urgency; whole days count working days (Monday to Friday, not holidays)."""

    acknowledge: timedelta
    resolve: timedelta
    holidays: frozenset[date] = frozenset()  # local dates that are not working days


def with_holidays(
    levels: dict[str, ServiceLevel], holidays: frozenset[date]
) -> dict[str, ServiceLevel]:
    """Return the levels counting these dates (e.g. from HOLIDAYS) as non-working days."""
    return {urgency: replace(level, holidays=holidays) for urgency, level in levels.items()}


def is_working_day(day: date, holidays: frozenset[date] = frozenset()) -> bool:
    """Tell whether a local date is a working day: Monday to Friday and not a holiday."""
    return day.weekday() < 5 and day not in holidays


def parse_service_levels(text: str) -> dict[str, ServiceLevel]:
    """Parse "high=4h/2d, normal=1d/10d, low=2d/20d" (acknowledge/resolve per urgency)."""
    levels: dict[str, ServiceLevel] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        urgency, _, targets = part.partition("=")
        urgency = urgency.strip().lower()
        ack, slash, resolve = targets.partition("/")
        if urgency not in URGENCIES or not slash:
            raise ValueError(
                f"{part!r}: expected urgency=ACK/RESOLVE with urgency high, normal or low, "
                "e.g. normal=1d/10d"
            )
        levels[urgency] = ServiceLevel(parse_duration(ack), parse_duration(resolve))
    missing = [u for u in URGENCIES if u not in levels]
    if missing:
        raise ValueError(f"no service level for urgency {', '.join(missing)}")
    return levels


def due_at(
    start: datetime, allowed: timedelta, zone: ZoneInfo, holidays: frozenset[date] = frozenset()
) -> datetime:
    """Return when a target of `allowed` after `start` falls due.

    Whole days are working days in `zone` (a day that starts on a Saturday, a Sunday or one of
    `holidays` is skipped);
    the remainder under a day is plain elapsed time, so short test targets like 30s stay exact.
    """
    days, rest = allowed.days, allowed - timedelta(days=allowed.days)
    moment = start.astimezone(zone)
    while days > 0:
        moment = moment + timedelta(days=1)
        if is_working_day(moment.date(), holidays):
            days -= 1
    return (moment + rest).astimezone(start.tzinfo)


def started_by(
    now: datetime, allowed: timedelta, zone: ZoneInfo, holidays: frozenset[date] = frozenset()
) -> datetime:
    """Return the latest start whose target of `allowed` falls due at or before `now`."""
    days, rest = allowed.days, allowed - timedelta(days=allowed.days)
    moment = (now - rest).astimezone(zone)
    while days > 0:
        if is_working_day(moment.date(), holidays):
            days -= 1
        moment = moment - timedelta(days=1)
    return moment.astimezone(now.tzinfo)


def late_before(
    now: datetime, levels: dict[str, ServiceLevel], zone: ZoneInfo
) -> dict[str, datetime]:
    """Return, per urgency, the filing time before which an open report is past its time to
    resolve at `now`."""
    return {
        u: started_by(now, levels[u].resolve, zone, levels[u].holidays)
        for u in URGENCIES
        if u in levels
    }


def describe_levels(levels: dict[str, ServiceLevel]) -> str:
    """Write the levels back as in settings: "high 1d/5d · normal 1d/10d · low 2d/20d"."""
    return " · ".join(
        f"{u} {format_duration(levels[u].acknowledge)}/{format_duration(levels[u].resolve)}"
        for u in URGENCIES
        if u in levels
    )
