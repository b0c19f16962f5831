"""Notice settings: the broadcast rate, quiet hours, comment periods and the reminder."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from config.settings import SettingsError, settings_from


def test_notice_defaults(tmp_path: Path) -> None:
    settings = settings_from({"database_path": tmp_path / "x.db"})
    assert settings.notice_rate == 25 and settings.quiet_hours is None
    assert settings.consultation_periods == (
        timedelta(days=7),
        timedelta(days=14),
        timedelta(days=30),
    )
    assert settings.consultation_reminder == timedelta(days=2)


def test_quiet_hours_and_periods_parse(tmp_path: Path) -> None:
    settings = settings_from(
        {"database_path": tmp_path / "x.db", "quiet_hours": "21:30-07:00",
         "consultation_periods": "20s", "consultation_reminder": "10s"}
    )  # fmt: skip
    assert settings.quiet_hours is not None and settings.quiet_hours.start == time(21, 30)
    assert settings.consultation_periods == (timedelta(seconds=20),)
    assert settings.consultation_reminder == timedelta(seconds=10)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"notice_rate": "0"}, "NOTICE_RATE"),
        ({"quiet_hours": "night"}, "QUIET_HOURS"),
        ({"quiet_hours": "08:00-08:00"}, "QUIET_HOURS"),
        ({"consultation_periods": "7d, soon"}, "CONSULTATION_PERIODS"),
        ({"consultation_reminder": "0s"}, "CONSULTATION_REMINDER"),
    ],
)
def test_invalid_notice_settings_name_the_key(
    tmp_path: Path, values: dict[str, str], key: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"database_path": tmp_path / "x.db", **values})
    assert caught.value.lines[0].startswith(f"Invalid setting {key}:")
