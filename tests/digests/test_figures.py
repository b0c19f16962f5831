"""Digest figures: staff are not traders, so their reports stay out of the inclusion figures."""

from __future__ import annotations

from bot.digests.figures import inclusion
from bot.digests.model import Timing


def test_reports_filed_by_staff_are_not_in_the_inclusion_figures() -> None:
    traders = [Timing("micro", "yes", "resolved", "normal", 0, 60, 120) for _ in range(5)]
    staff = [Timing("unknown", "unknown", "new", "normal", 0, None, None, staff=1)] * 6
    rows = {(row.dimension, row.group): row.reports for row in inclusion(traders + staff, True)}
    assert rows[("business_size", "micro")] == 5
    assert rows[("women_led", "yes")] == 5
    without = {(row.dimension, row.group): row.reports for row in inclusion(traders, True)}
    assert rows == without  # six staff reports would have shown as "unknown"
