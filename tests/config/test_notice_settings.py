"""Notice settings: the broadcast rate, quiet hours, comment periods and the reminder."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings, settings_from


def test_notice_defaults(tmp_path: Path) -> None:
    settings = settings_from({"database_path": tmp_path / "x.db"})
    assert settings.notice_rate == 25 and settings.quiet_hours is None
    assert settings.comment_periods == (
        timedelta(days=7),
        timedelta(days=14),
        timedelta(days=30),
    )
    assert settings.comment_reminder == timedelta(days=2)


def test_quiet_hours_and_periods_parse(tmp_path: Path) -> None:
    settings = settings_from(
        {"database_path": tmp_path / "x.db", "quiet_hours": "21:30-07:00",
         "comment_periods": "20s", "comment_reminder": "10s"}
    )  # fmt: skip
    assert settings.quiet_hours is not None and settings.quiet_hours.start == time(21, 30)
    assert settings.comment_periods == (timedelta(seconds=20),)
    assert settings.comment_reminder == timedelta(seconds=10)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"notice_rate": "0"}, "NOTICE_RATE"),
        ({"quiet_hours": "night"}, "QUIET_HOURS"),
        ({"quiet_hours": "08:00-08:00"}, "QUIET_HOURS"),
        ({"comment_periods": "7d, soon"}, "COMMENT_PERIODS"),
        ({"comment_reminder": "0s"}, "COMMENT_REMINDER"),
    ],
)
def test_invalid_notice_settings_name_the_key(
    tmp_path: Path, values: dict[str, str], key: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"database_path": tmp_path / "x.db", **values})
    assert caught.value.lines[0].startswith(f"Invalid setting {key}:")


def test_the_old_consultation_names_are_still_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("CONSULTATION_PERIODS=3d, 10d\nCONSULTATION_REMINDER=1d\n")
    settings = load_settings(env)
    assert settings.comment_periods == (timedelta(days=3), timedelta(days=10))
    assert settings.comment_reminder == timedelta(days=1)
