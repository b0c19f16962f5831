"""Repeating meetings: the offered repeats, their RRULEs, and next dates across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.meetings.recurrence import Repeat, next_start, options, parse_rule, repeat_of, rule_for

MADRID = ZoneInfo("Europe/Madrid")  # CET/CEST: clocks go forward 2026-03-29, back 2026-10-25
SANTIAGO = ZoneInfo("America/Santiago")  # southern hemisphere: forward 2026-09-06


def test_weekly_keeps_the_wall_clock_time_across_spring_forward() -> None:
    first = datetime(2026, 3, 24, 10, 0, tzinfo=MADRID)  # a Tuesday, CET (UTC+1)
    rule = rule_for(Repeat.WEEKLY, first)
    assert rule == "FREQ=WEEKLY;BYDAY=TU"
    following = next_start(rule, first, MADRID)
    assert following == datetime(2026, 3, 31, 10, 0, tzinfo=MADRID)
    assert first.astimezone(UTC).hour == 9
    assert following.astimezone(UTC) == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # CEST


def test_monthly_first_tuesday_across_spring_forward_and_fall_back() -> None:
    first = datetime(2026, 3, 3, 10, 0, tzinfo=MADRID)  # first Tuesday of March
    rule = rule_for(Repeat.MONTHLY, first)
    assert rule == "FREQ=MONTHLY;BYDAY=1TU"
    april = next_start(rule, first, MADRID)
    assert april == datetime(2026, 4, 7, 10, 0, tzinfo=MADRID)
    assert april.astimezone(UTC) == datetime(2026, 4, 7, 8, 0, tzinfo=UTC)
    october = datetime(2026, 10, 6, 10, 0, tzinfo=MADRID)
    november = next_start(rule, october, MADRID)
    assert november == datetime(2026, 11, 3, 10, 0, tzinfo=MADRID)
    assert october.astimezone(UTC).hour == 8 and november.astimezone(UTC).hour == 9


def test_the_next_date_is_found_from_a_utc_moment() -> None:
    first = datetime(2026, 3, 3, 10, 0, tzinfo=MADRID).astimezone(UTC)  # as stored
    rule = "FREQ=MONTHLY;BYDAY=1TU"
    assert next_start(rule, first, MADRID).astimezone(UTC) == datetime(2026, 4, 7, 8, tzinfo=UTC)


def test_southern_hemisphere_change() -> None:
    first = datetime(2026, 9, 1, 9, 30, tzinfo=SANTIAGO)  # a Tuesday, UTC-4
    following = next_start(rule_for(Repeat.WEEKLY, first) or "", first, SANTIAGO)
    assert following == datetime(2026, 9, 8, 9, 30, tzinfo=SANTIAGO)
    assert first.astimezone(UTC).hour == 13 and following.astimezone(UTC).hour == 12


def test_last_weekday_of_the_month() -> None:
    first = datetime(2026, 1, 27, 15, 0, tzinfo=MADRID)  # the last Tuesday of January
    assert options(first) == [Repeat.NONE, Repeat.WEEKLY, Repeat.MONTHLY, Repeat.MONTHLY_LAST]
    rule = rule_for(Repeat.MONTHLY_LAST, first)
    assert rule == "FREQ=MONTHLY;BYDAY=-1TU"
    assert next_start(rule, first, MADRID) == datetime(2026, 2, 24, 15, 0, tzinfo=MADRID)
    assert next_start(rule, datetime(2026, 3, 31, 15, tzinfo=MADRID), MADRID) == datetime(
        2026, 4, 28, 15, 0, tzinfo=MADRID
    )


def test_a_fifth_weekday_repeats_only_as_the_last() -> None:
    fifth = datetime(2026, 3, 31, 10, 0, tzinfo=MADRID)  # the fifth Tuesday of March
    assert Repeat.MONTHLY not in options(fifth) and Repeat.MONTHLY_LAST in options(fifth)
    with pytest.raises(ValueError, match="fifth"):
        rule_for(Repeat.MONTHLY, fifth)
    with pytest.raises(ValueError, match="not the last"):
        rule_for(Repeat.MONTHLY_LAST, datetime(2026, 3, 3, 10, tzinfo=MADRID))


def test_rules_read_back() -> None:
    assert repeat_of(None) is Repeat.NONE
    assert repeat_of("FREQ=WEEKLY;BYDAY=FR") is Repeat.WEEKLY
    assert repeat_of("FREQ=MONTHLY;BYDAY=2WE") is Repeat.MONTHLY
    assert repeat_of("FREQ=MONTHLY;BYDAY=-1MO") is Repeat.MONTHLY_LAST
    assert parse_rule("FREQ=MONTHLY;BYDAY=3TH").nth == 3
    for bad in ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=TU", "x"):
        with pytest.raises(ValueError):
            parse_rule(bad)
