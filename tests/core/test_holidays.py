"""HOLIDAYS: public holidays and extra dates are not working days for service levels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    due_at,
    is_working_day,
    late_before,
    parse_service_levels,
    started_by,
    with_holidays,
)
from bot.digests.figures import Targets
from bot.followup.model import Overdue, deadlines, overdue
from bot.reporting.model import Status
from config.holidays import parse_holidays
from config.settings import SettingsError
from tests.conftest import SettingsFactory

COSTA_RICA = ZoneInfo("America/Costa_Rica")
CHRISTMAS_EVE_AND_DAY = frozenset({date(2026, 12, 24), date(2026, 12, 25)})
WEDNESDAY = datetime(2026, 12, 23, 15, 0, tzinfo=COSTA_RICA)  # the day before Christmas Eve
LEVELS = with_holidays(parse_service_levels(DEFAULT_SERVICE_LEVELS), CHRISTMAS_EVE_AND_DAY)


def test_a_country_code_and_extra_dates() -> None:
    days = parse_holidays("CR, 2026-12-24,2026-12-31")
    assert {date(2026, 12, 25), date(2026, 9, 15), date(2026, 12, 24), date(2026, 12, 31)} <= days
    assert date(2026, 12, 23) not in days
    assert parse_holidays("") == frozenset()
    assert parse_holidays("2026-12-24") == frozenset({date(2026, 12, 24)})
    assert not is_working_day(date(2026, 12, 25), days) and is_working_day(date(2026, 12, 23))


@pytest.mark.parametrize(
    ("text", "problem"),
    [("XX", "no holidays known"), ("CR,ES", "country code comes first"), ("CR,24.12", "YYYY")],
)
def test_a_bad_holidays_setting_names_itself(
    make_settings: SettingsFactory, text: str, problem: str
) -> None:
    with pytest.raises(SettingsError, match=f"Invalid setting HOLIDAYS: .*{problem}"):
        make_settings(holidays=text)
    assert date(2026, 12, 25) in make_settings(holidays="CR").holidays


def test_whole_days_skip_holidays_as_well_as_the_weekend() -> None:
    two_days = timedelta(days=2)
    assert due_at(WEDNESDAY, two_days, COSTA_RICA) == datetime(2026, 12, 25, 15, tzinfo=COSTA_RICA)
    due = due_at(WEDNESDAY, two_days, COSTA_RICA, CHRISTMAS_EVE_AND_DAY)
    assert due == datetime(2026, 12, 29, 15, tzinfo=COSTA_RICA)  # Thu, Fri off; then Mon, Tue
    start = started_by(due, two_days, COSTA_RICA, CHRISTMAS_EVE_AND_DAY)
    assert due_at(start, two_days, COSTA_RICA, CHRISTMAS_EVE_AND_DAY) <= due
    assert due_at(start + timedelta(seconds=1), two_days, COSTA_RICA, CHRISTMAS_EVE_AND_DAY) > due


def test_a_report_filed_before_christmas_is_not_overdue_over_christmas() -> None:
    christmas_afternoon = datetime(2026, 12, 25, 16, tzinfo=COSTA_RICA)
    plain = parse_service_levels(DEFAULT_SERVICE_LEVELS)
    filed = WEDNESDAY.astimezone(UTC)
    late = overdue(
        Status.NEW, filed, "high", levels=plain, zone=COSTA_RICA, now=christmas_afternoon
    )
    assert late is Overdue.ACKNOWLEDGE  # due Thursday 24th without holidays
    assert (
        overdue(Status.NEW, filed, "high", levels=LEVELS, zone=COSTA_RICA, now=christmas_afternoon)
        is None
    )
    acknowledge_by = deadlines(filed, "high", LEVELS, COSTA_RICA).acknowledge_by
    assert acknowledge_by == datetime(2026, 12, 28, 15, tzinfo=COSTA_RICA)


def test_digests_count_late_reports_and_targets_with_holidays() -> None:
    monday = datetime(2026, 12, 28, 15, 30, tzinfo=COSTA_RICA)
    plain = late_before(monday, parse_service_levels(DEFAULT_SERVICE_LEVELS), COSTA_RICA)
    holiday = late_before(monday, LEVELS, COSTA_RICA)
    assert holiday["high"] < plain["high"]  # the backlog counts fewer reports as late
    filed = int(WEDNESDAY.timestamp())
    without = Targets(parse_service_levels(DEFAULT_SERVICE_LEVELS), COSTA_RICA)
    allowed = Targets(LEVELS, COSTA_RICA).allowed("high", filed, resolve=False)
    assert without.allowed("high", filed, resolve=False) == 86_400  # one day: Thursday
    assert allowed == 5 * 86_400  # Christmas Eve, Christmas Day and the weekend skipped
