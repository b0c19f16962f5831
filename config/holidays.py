"""Read HOLIDAYS: a country's public holidays (the `holidays` package) plus extra dates."""

from __future__ import annotations

from datetime import date

FIRST_YEAR, LAST_YEAR = 2020, 2050  # the years a country's holidays are listed for


def parse_holidays(text: str) -> frozenset[date]:
    """Parse "CR,2026-12-24,2026-12-31": an optional country code first, then extra dates."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    days: set[date] = set()
    for position, part in enumerate(parts):
        if part[:1].isdigit():
            try:
                days.add(date.fromisoformat(part))
            except ValueError:
                raise ValueError(
                    f"{part!r}: not a date; write YYYY-MM-DD, e.g. 2026-12-24"
                ) from None
        elif position == 0:
            days.update(country_holidays(part))
        else:
            raise ValueError(f"{part!r}: the country code comes first, e.g. CR,2026-12-24")
    return frozenset(days)


def country_holidays(code: str) -> set[date]:
    """Return the public holidays of a country (ISO 3166 code, e.g. CR) from 2020 to 2050."""
    import holidays

    try:
        found = holidays.country_holidays(code.upper(), years=range(FIRST_YEAR, LAST_YEAR + 1))
    except NotImplementedError:
        raise ValueError(
            f"{code!r}: no holidays known for this country; use an ISO code like CR, ES or RU"
        ) from None
    return set(found)
