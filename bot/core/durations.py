"""Durations written like "30s", "15m", "2h", "3d" or "1h30m", as used in settings."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)\s*([smhdw])", re.ASCII)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """Parse "30s", "15m", "2h", "1d", "1w" or a sum such as "1h30m" into a timedelta."""
    spec = text.strip().lower().replace(" ", "")
    parts = _PART.findall(spec)
    if not spec or "".join(n + u for n, u in parts) != spec:
        raise ValueError(f"{text!r}: expected a duration such as 30s, 15m, 2h, 1d or 1h30m")
    total = timedelta()
    try:
        for number, unit in parts:
            total += timedelta(**{_UNITS[unit]: float(number)})
    except OverflowError:
        raise ValueError(f"{text!r}: too long a duration") from None
    return total


def format_duration(value: timedelta) -> str:
    """Write a timedelta back in the same short form ("1d2h", "90s" stays "1m30s")."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)
