"""Report references: the deployment's prefix for new reports, earlier ones still found."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.followup.service import find_tracked
from bot.reporting.model import check_prefix, format_reference, parse_reference
from storage.db import Database
from storage.followup.repository import FollowUpRepository
from storage.reporting import ReportRepository
from tests.records import new_report, register_users


def test_a_prefix_round_trips() -> None:
    assert format_reference(2026, 42, "GT") == "GT-2026-00042"
    assert parse_reference(" gt-2026-00042 ") == (2026, 42, "GT")
    assert format_reference(*parse_reference("gt - 2026 - 00042") or (0, 0)) == "GT-2026-00042"
    assert parse_reference("ABCDE-2026-00042") is None
    assert parse_reference("G7-2026-00042") is None


@pytest.mark.parametrize("bad", ["", "ABCDE", "G7", "É", "R-"])
def test_a_prefix_is_one_to_four_letters(bad: str) -> None:
    with pytest.raises(ValueError, match="1 to 4 letters"):
        check_prefix(bad)
    assert check_prefix(" gt ") == "GT"


async def test_new_reports_take_the_new_prefix_and_old_references_still_work(
    fresh_db: Database,
) -> None:
    await register_users(fresh_db, 1)
    before, _ = await ReportRepository(fresh_db).create(new_report(1, "k1"))
    after, _ = await ReportRepository(fresh_db, prefix="GT").create(new_report(1, "k2"))
    year = datetime.now(UTC).year
    assert before.reference == f"R-{year}-00001"
    assert after.reference == f"GT-{year}-00002"  # one count per year, whatever the prefix
    store = FollowUpRepository(fresh_db)
    assert (await find_tracked(store, f"r-{year}-00001")).report.id == before.id
    assert (await find_tracked(store, f" GT-{year}-00002")).report.id == after.id
