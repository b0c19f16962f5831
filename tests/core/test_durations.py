from datetime import timedelta

import pytest

from bot.core.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 1.5h ", timedelta(minutes=90)),
    ],
)
def test_parses_the_short_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "10", "ten minutes", "5x", "h2", "1h 30", "٣h", "３d", "9" * 20 + "d", "999999999w"],
)
def test_refuses_what_is_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_formats_back_to_the_same_form() -> None:
    assert format_duration(timedelta(days=1, hours=2)) == "1d2h"
    assert format_duration(timedelta(seconds=90)) == "1m30s"
    assert parse_duration(format_duration(timedelta(hours=49))) == timedelta(hours=49)
