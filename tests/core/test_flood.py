"""The inbound limit: a user over FLOOD_LIMIT is told once, the rest dropped until it passes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.flood import FloodLimit, InboundLimiter, Verdict
from config.settings import SettingsError, settings_from
from tests.fakes import Clock


def test_a_limit_is_written_count_slash_duration_or_off() -> None:
    assert FloodLimit.parse("20/10s") == FloodLimit(20, timedelta(seconds=10))
    assert FloodLimit.parse(" 5 / 1m ") == FloodLimit(5, timedelta(minutes=1))
    assert FloodLimit.parse("off") is None and FloodLimit.parse("0") is None
    assert str(FloodLimit(20, timedelta(seconds=10))) == "20/10s"
    for wrong in ("20", "ten/10s", "0/10s", "20/0s", "20/10x"):
        with pytest.raises(ValueError, match=r"20/10s|above zero|duration"):
            FloodLimit.parse(wrong)


def test_beyond_the_limit_the_user_is_told_once_and_the_rest_is_dropped() -> None:
    clock = Clock()
    limiter = InboundLimiter(FloodLimit(3, timedelta(seconds=10)), clock)
    verdicts = [limiter.admit(7)[0] for _ in range(6)]
    assert verdicts == [Verdict.HANDLE] * 3 + [Verdict.NOTIFY] + [Verdict.DROP] * 2
    assert limiter.admit(8) == (Verdict.HANDLE, 0)  # another user is not affected
    clock.advance(10)
    assert limiter.admit(7) == (Verdict.HANDLE, 3)  # the flood is over: three were dropped
    assert [limiter.admit(7)[0] for _ in range(3)] == [Verdict.HANDLE] * 2 + [Verdict.NOTIFY]


def test_the_window_slides_with_each_update() -> None:
    clock = Clock()
    limiter = InboundLimiter(FloodLimit(2, timedelta(seconds=10)), clock)
    limiter.admit(7)
    clock.advance(6)
    limiter.admit(7)
    clock.advance(5)  # the first left the window, the second did not
    assert limiter.admit(7)[0] is Verdict.HANDLE
    assert limiter.admit(7)[0] is Verdict.NOTIFY


def test_the_setting_defaults_to_twenty_in_ten_seconds_and_can_be_turned_off() -> None:
    assert settings_from({}).flood_limit == FloodLimit(20, timedelta(seconds=10))
    assert settings_from({"flood_limit": "off"}).flood_limit is None
    with pytest.raises(SettingsError, match=r"(?i)flood_limit"):
        settings_from({"flood_limit": "many"})
