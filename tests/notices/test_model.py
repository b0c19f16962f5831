"""Notice rules: quiet hours, audiences, text limits, local times, reminders, periods."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.notices.model import (
    CAPTION_TEXT_LIMIT,
    TEXT_LIMIT,
    Audience,
    ComposeStep,
    QuietHours,
    check_text,
    parse_local_time,
    parse_periods,
    plain_text,
    reminder_time,
    sentiment_band,
    telegram_length,
)

MADRID = ZoneInfo("Europe/Madrid")


def test_quiet_hours_parse_and_refuse_nonsense() -> None:
    hours = QuietHours.parse("21:00-08:00")
    assert hours is not None and (hours.start, hours.end) == (time(21), time(8))
    assert str(hours) == "21:00-08:00"
    assert QuietHours.parse("  ") is None
    for bad in ("21-08", "25:00-08:00", "08:00-08:00", "8:00 to 9:00"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)


def test_quiet_hours_across_midnight_and_within_a_day() -> None:
    night = QuietHours.parse("21:00-08:00")
    assert night is not None
    assert night.contains(time(23, 30)) and night.contains(time(3)) and night.contains(time(21))
    assert not night.contains(time(8)) and not night.contains(time(12))
    lunch = QuietHours.parse("13:00-14:00")
    assert lunch is not None
    assert (
        lunch.contains(time(13, 30))
        and not lunch.contains(time(14))
        and not lunch.contains(time(12, 59))
    )


def test_next_allowed_waits_for_the_end_of_quiet_hours_in_the_zone() -> None:
    night = QuietHours.parse("21:00-08:00")
    assert night is not None
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=MADRID)
    assert night.next_allowed(noon, MADRID) == noon
    late = datetime(2026, 3, 2, 22, 15, tzinfo=MADRID)
    assert night.next_allowed(late, MADRID) == datetime(2026, 3, 3, 8, 0, tzinfo=MADRID)
    early = datetime(2026, 3, 3, 6, 0, tzinfo=MADRID).astimezone(UTC)  # given in UTC
    assert night.next_allowed(early, MADRID) == datetime(2026, 3, 3, 8, 0, tzinfo=MADRID)


def test_audience_toggles_within_a_dimension() -> None:
    audience = Audience()
    assert audience.everyone
    traders = audience.toggled("roles", "trader").toggled("roles", "broker")
    assert traders.roles == ("broker", "trader") and not traders.everyone
    assert traders.toggled("roles", "trader").roles == ("broker",)
    with pytest.raises(UserError):
        audience.toggled("moods", "happy")


def test_texts_are_counted_as_telegram_counts_them() -> None:
    assert telegram_length("👍") == 2  # one emoji, two UTF-16 code units
    check_text("x" * TEXT_LIMIT, with_document=False)
    with pytest.raises(UserError) as problem:
        check_text("x" * (TEXT_LIMIT + 1), with_document=False)
    assert problem.value.reason == "broadcast.error_too_long"
    with pytest.raises(UserError) as problem:
        check_text("x" * (CAPTION_TEXT_LIMIT + 1), with_document=True)
    assert problem.value.reason == "broadcast.error_caption_long"
    assert problem.value.params == {"limit": CAPTION_TEXT_LIMIT, "length": CAPTION_TEXT_LIMIT + 1}
    with pytest.raises(UserError):
        check_text("   ", with_document=False)


def test_plain_text_of_telegram_html() -> None:
    assert plain_text("<b>Duty</b> &amp; <a href='x'>form</a> &lt;C-2&gt;") == "Duty & form <C-2>"


def test_local_times_are_read_in_the_configured_zone() -> None:
    moment = parse_local_time("2026-12-01 9:05", MADRID)
    assert moment == datetime(2026, 12, 1, 9, 5, tzinfo=MADRID)
    for bad in ("tomorrow", "2026-13-01 09:00", "2026-12-01"):
        with pytest.raises(UserError):
            parse_local_time(bad, MADRID)


def test_the_reminder_goes_before_the_deadline_but_not_in_the_first_half() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    assert reminder_time(start, timedelta(days=14), timedelta(days=2)) == start + timedelta(days=12)
    assert reminder_time(start, timedelta(seconds=20), timedelta(days=2)) == start + timedelta(
        seconds=10
    )


def test_periods_and_sentiment_bands() -> None:
    assert parse_periods("7d, 14d") == (timedelta(days=7), timedelta(days=14))
    assert parse_periods("") == ()
    with pytest.raises(ValueError):
        parse_periods("1d,2d,3d,4d,5d,6d,7d")
    with pytest.raises(ValueError):
        parse_periods("soon")
    assert [sentiment_band(s) for s in (-0.8, -0.1, None, 0.2, 0.5)] == [
        "negative", "neutral", "neutral", "neutral", "positive",
    ]  # fmt: skip


def test_typed_steps() -> None:
    assert ComposeStep.TEXT.typed and ComposeStep.TIME.typed
    assert not ComposeStep.AUDIENCE.typed and not ComposeStep.CONFIRM.typed
