"""Numbers read from what users type: ASCII digits only, of bounded length."""

from __future__ import annotations

ID_DIGITS = 15  # any id or count the bot stores fits well inside SQLite's 64-bit integers


def read_number(text: str, max_digits: int = ID_DIGITS) -> int | None:
    """Return the whole number text spells in 1 to max_digits ASCII digits, else None."""
    value = text.strip()
    if not 0 < len(value) <= max_digits or not (value.isascii() and value.isdigit()):
        return None
    return int(value)
