"""Meeting settings: reminder offsets, agenda and action-item leads, and their errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config.settings import SettingsError, settings_from


def test_defaults_and_short_test_values() -> None:
    default = settings_from({})
    assert default.meeting_reminders == (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    assert default.agenda_pack_before == timedelta(days=2)
    assert default.action_item_reminder == timedelta(days=1)
    short = settings_from({"meeting_reminders": "30s,60s", "agenda_pack_before": "90s"})
    assert short.meeting_reminders == (timedelta(seconds=60), timedelta(seconds=30))
    assert short.agenda_pack_before == timedelta(seconds=90)
    assert settings_from({"meeting_reminders": ""}).meeting_reminders == ()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("meeting_reminders", "soon"),
        ("meeting_reminders", "1d, 0s"),
        ("agenda_pack_before", "0s"),
        ("action_item_reminder", "tomorrow"),
    ],
)
def test_bad_values_name_the_key(key: str, value: str) -> None:
    with pytest.raises(SettingsError) as problem:
        settings_from({key: value})
    assert key.upper() in str(problem.value)
