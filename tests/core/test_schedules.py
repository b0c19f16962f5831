"""Digest schedules: parsing and the next and latest due moments, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedules import Every, Schedule, catch_up, parse_schedules
from bot.digests.model import Period

MADRID = ZoneInfo("Europe/Madrid")


def test_parse_the_three_forms() -> None:
    assert parse_schedules("weekly mon 08:00; monthly 1 08:00") == [
        Schedule(Every.WEEKLY, time(8, 0), weekday=0),
        Schedule(Every.MONTHLY, time(8, 0), day=1),
    ]
    assert Schedule.parse("daily 07:30:15").at == time(7, 30, 15)
    assert parse_schedules("  ") == []


@pytest.mark.parametrize(
    "spec", ["weekly 08:00", "monthly 31 08:00", "hourly 08:00", "weekly mon 8"]
)
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=r"expected|needs"):
        Schedule.parse(spec)


def test_weekly_next_and_latest() -> None:
    schedule = Schedule.parse("weekly mon 08:00")
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert schedule.next(friday, MADRID) == datetime(2026, 11, 30, 8, 0, tzinfo=MADRID)
    assert schedule.latest(friday, MADRID) == datetime(2026, 11, 23, 8, 0, tzinfo=MADRID)


def test_monthly_across_the_spring_dst_change() -> None:
    schedule = Schedule.parse("monthly 1 08:00")
    march = datetime(2026, 3, 15, tzinfo=UTC)
    due = schedule.next(march, MADRID)
    assert due == datetime(2026, 4, 1, 8, 0, tzinfo=MADRID)
    assert due.utcoffset() == timedelta(hours=2)  # CEST
    assert schedule.latest(march, MADRID).utcoffset() == timedelta(hours=1)  # CET, 1 March


def test_catch_up_only_within_the_grace_window() -> None:
    schedule = Schedule.parse("daily 08:00")
    due = datetime(2026, 11, 28, 8, 0, tzinfo=MADRID)
    assert catch_up(schedule, due + timedelta(minutes=59), MADRID, timedelta(hours=1)) == due
    assert catch_up(schedule, due + timedelta(minutes=61), MADRID, timedelta(hours=1)) is None


@pytest.mark.parametrize(
    ("every", "due", "first", "last", "key"),
    [
        ("daily", "2026-11-28", "2026-11-27", "2026-11-27", "2026-11-27..2026-11-27"),
        ("weekly", "2026-11-30", "2026-11-23", "2026-11-29", "2026-W48"),  # a Monday
        ("weekly", "2026-11-27", "2026-11-20", "2026-11-26", "2026-11-20..2026-11-26"),
        ("monthly", "2026-12-01", "2026-11-01", "2026-11-30", "2026-11"),
    ],
)
def test_a_scheduled_digest_covers_the_time_before_it(
    every: str, due: str, first: str, last: str, key: str
) -> None:
    period = Period.scheduled(every, date.fromisoformat(due))
    assert (period.start.isoformat(), period.last.isoformat(), period.key) == (first, last, key)
