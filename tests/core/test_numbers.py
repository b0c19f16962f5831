"""Numbers typed by users: ASCII digits of bounded length, anything else is not a number."""

from __future__ import annotations

import pytest

from bot.core.numbers import ID_DIGITS, read_number


def test_reads_ascii_digits_around_spaces() -> None:
    assert read_number(" 42 ") == 42
    assert read_number("0") == 0
    assert read_number("9" * ID_DIGITS) == int("9" * ID_DIGITS)


@pytest.mark.parametrize(
    "text",
    ["", " ", "-1", "+1", "1.5", "1e3", "٤٢", "４２", "²", "1 000", "9" * (ID_DIGITS + 1), "x"],
)
def test_anything_else_is_not_a_number(text: str) -> None:
    assert read_number(text) is None


def test_the_digit_limit_can_be_tightened() -> None:
    assert read_number("2026", 4) == 2026
    assert read_number("20260", 4) is None
