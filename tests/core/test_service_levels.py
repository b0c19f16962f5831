from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    ServiceLevel,
    describe_levels,
    due_at,
    parse_service_levels,
    started_by,
)

ZONE = ZoneInfo("America/Bogota")


def test_parses_one_level_per_urgency() -> None:
    levels = parse_service_levels("high=4h/2d, normal=1d/10d, low=2d/20d")
    assert levels["high"] == ServiceLevel(timedelta(hours=4), timedelta(days=2))
    assert levels["low"].resolve == timedelta(days=20)
    assert set(parse_service_levels(DEFAULT_SERVICE_LEVELS)) == {"high", "normal", "low"}


@pytest.mark.parametrize(
    "text", ["high=4h", "urgent=1d/2d, normal=1d/2d, low=1d/2d", "high=1d/2d", "high=x/2d"]
)
def test_refuses_incomplete_or_unknown_levels(text: str) -> None:
    with pytest.raises(ValueError):
        parse_service_levels(text)


def test_whole_days_skip_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=ZONE)
    assert due_at(friday, timedelta(days=1), ZONE) == datetime(2026, 11, 30, 15, 0, tzinfo=ZONE)
    assert due_at(friday, timedelta(days=10), ZONE).date().isoformat() == "2026-12-11"


def test_short_targets_are_plain_elapsed_time() -> None:
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a Saturday
    assert due_at(start, timedelta(seconds=30), ZONE) == start + timedelta(seconds=30)
    assert due_at(start, timedelta(seconds=30), ZONE).tzinfo is UTC


def test_started_by_is_the_latest_start_due_by_now() -> None:
    monday = datetime(2026, 11, 30, 15, 0, tzinfo=ZONE)
    start = started_by(monday, timedelta(days=1), ZONE)
    assert start == datetime(2026, 11, 29, 15, 0, tzinfo=ZONE)  # Sunday: due Monday 15:00
    assert due_at(start, timedelta(days=1), ZONE) <= monday
    assert due_at(start + timedelta(seconds=1), timedelta(days=1), ZONE) > monday


def test_levels_are_described_as_configured() -> None:
    assert describe_levels(parse_service_levels("low=2d/20d,high=4h/2d,normal=1d/10d")) == (
        "high 4h/2d · normal 1d/10d · low 2d/20d"
    )
