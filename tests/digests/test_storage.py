"""DigestRepository: aggregates, streamed report rows, backlog, deliveries; bulk-load indexes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.model import Backlog
from storage.db import Database
from storage.digests.demo_data import DemoDataWriter
from storage.digests.queries import DigestRepository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
START, END = "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"


async def _report(
    db: Database, number: int, created: str, status: str = "new", **values: object
) -> None:
    columns = {
        "reporter_id": values.get("reporter"),
        "kind": values.get("kind", "issue"),
        "description": values.get("text", f"text {number}"),
        "topic": values.get("topic", "inspections"),
        "office": values.get("office", "PORT-MAIN"),
        "anonymous": int(bool(values.get("anonymous", False))),
        "sentiment": values.get("sentiment", -0.5),
    }
    await db.execute(
        "INSERT INTO reports (id, reference, draft_key, language, status, created_at, updated_at,"
        f" {', '.join(columns)}) VALUES (?, ?, ?, 'en', ?, ?, ?, {', '.join('?' * len(columns))})",
        (number, f"R-2026-{number:05d}", f"k{number}", status, created, created, *columns.values()),
    )


@pytest.fixture
async def repo(fresh_db: Database) -> DigestRepository:
    await fresh_db.execute(
        "INSERT INTO users (id, first_name, last_name, username, organisation, business_size,"
        " women_led, created_at, updated_at) VALUES"
        " (1, 'Ana', 'López', 'ana_l', 'Andina SRL', 'micro', 'yes', 'x', 'x'),"
        " (2, 'Boris', '', NULL, NULL, NULL, NULL, 'x', 'x')"
    )
    same = "2026-11-10T09:00:00+00:00"  # several reports in the same second
    await _report(fresh_db, 1, "2026-10-31T23:59:59+00:00", reporter=1)  # before the period
    await _report(fresh_db, 2, same, "resolved", reporter=1, text="Port is slow, says Ana")
    await _report(fresh_db, 3, same, "acknowledged", reporter=2, anonymous=True)
    await _report(fresh_db, 4, same, "in_progress", reporter=None, sentiment=None)
    await _report(fresh_db, 5, "2026-11-20T10:30:00+00:00", "new", reporter=2, topic="other")
    await _report(fresh_db, 6, "2026-12-01T00:00:00+00:00", "new")  # after the period
    for report, status, at in (
        (2, "acknowledged", "2026-11-10T10:00:00+00:00"),
        (2, "resolved", "2026-11-12T09:00:00+00:00"),
        (3, "acknowledged", "2026-11-11T09:00:00+00:00"),
        (4, "in_progress", "2026-11-10T09:30:00+00:00"),
    ):
        await fresh_db.execute(
            "INSERT INTO report_events (report_id, status, at) VALUES (?, ?, ?)",
            (report, status, at),
        )
    for report, user in ((2, 2), (3, 1), (5, 1)):
        await fresh_db.execute(
            "INSERT INTO report_voices (report_id, user_id, created_at) VALUES (?, ?, 'x')",
            (report, user),
        )
    return DigestRepository(fresh_db)


async def test_cube_counts_the_period_only(repo: DigestRepository) -> None:
    cells = await repo.cube(START, END)
    assert sum(cell.reports for cell in cells) == 4
    by_status = {(cell.topic, cell.status): cell.reports for cell in cells}
    assert by_status == {
        ("inspections", "resolved"): 1,
        ("inspections", "acknowledged"): 1,
        ("inspections", "in_progress"): 1,
        ("other", "new"): 1,
    }
    sentiment = sum(cell.sentiment_sum for cell in cells)
    assert sentiment == pytest.approx(-1.5)
    assert sum(cell.sentiment_count for cell in cells) == 3  # one has none


async def test_buckets_voices_and_history(repo: DigestRepository) -> None:
    assert await repo.buckets(START, END) == [("2026-11-10T09", 3), ("2026-11-20T10", 1)]
    assert await repo.buckets(START, END, minutes=True) == [
        ("2026-11-10T09:00", 3),
        ("2026-11-20T10:30", 1),
    ]
    assert await repo.voices(START, END) == {
        ("inspections", "PORT-MAIN"): 2,
        ("other", "PORT-MAIN"): 1,
    }
    assert await repo.history_available()
    assert await repo.cube("2027-01-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00") == []
    assert await repo.voices("2027-01-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00") == {}


async def test_timings_join_profiles_and_first_events(repo: DigestRepository) -> None:
    rows = sorted(await repo.timings(START, END), key=lambda t: (t.created, t.status))
    assert rows[0].created == int(datetime(2026, 11, 10, 9, tzinfo=UTC).timestamp())
    seen = [
        (t.business_size, t.women_led, t.status, t.ack_seconds, t.resolve_seconds) for t in rows
    ]
    assert seen == [
        ("unknown", "unknown", "acknowledged", 86400, None),
        ("unknown", "unknown", "in_progress", 1800, None),
        ("micro", "yes", "resolved", 3600, 2 * 86400),
        ("unknown", "unknown", "new", None, None),
    ]


async def test_quotes_skip_anonymous_reports_and_name_the_reporter_to_mask(
    repo: DigestRepository,
) -> None:
    sources = await repo.quote_sources(START, END, "inspections", "PORT-MAIN")
    assert [source.description for source in sources] == ["Port is slow, says Ana", "text 4"]
    assert set(sources[0].names) == {"Ana", "López", "ana_l", "Andina SRL"}
    assert sources[1].names == ()


async def test_backlog_counts_open_reports_and_their_age(repo: DigestRepository) -> None:
    cut = {"high": NOW, "normal": NOW - timedelta(days=20), "low": NOW}
    backlog = await repo.backlog(NOW, cut)
    open_created = sorted(
        datetime.fromisoformat(moment)
        for moment in (
            "2026-10-31T23:59:59+00:00",
            "2026-11-10T09:00:00+00:00",
            "2026-11-10T09:00:00+00:00",
            "2026-11-20T10:30:00+00:00",
            "2026-12-01T00:00:00+00:00",
        )
    )
    ages = [(NOW - moment).total_seconds() / 86400 for moment in open_created]
    assert backlog.open == 5
    assert backlog.median_age_days == pytest.approx(ages[2])
    assert backlog.oldest_age_days == pytest.approx(ages[0])
    assert backlog.over_service_level == 1  # only the one of 31 October is over 20 days
    # reports without an urgency are held to the normal level, not the high or low one
    later = await repo.backlog(NOW, {**cut, "normal": datetime(2026, 11, 15, tzinfo=UTC)})
    assert later.over_service_level == 3


async def test_an_empty_backlog(fresh_db: Database) -> None:
    assert await DigestRepository(fresh_db).backlog(
        NOW, dict.fromkeys(("high", "normal", "low"), NOW)
    ) == Backlog(0, None, None, 0)
    assert not await DigestRepository(fresh_db).history_available()


async def test_report_rows_stream_in_order_across_batches(repo: DigestRepository) -> None:
    rows = [row async for row in repo.report_rows(START, END, batch=2)]
    assert [row.id for row in rows] == [2, 3, 4, 5]  # same second: by id; keyset resumes right
    assert [row.voices for row in rows] == [1, 1, 0, 1]
    assert rows[1].anonymous and not rows[0].anonymous
    assert not hasattr(rows[0], "reporter_id") and not hasattr(rows[0], "description")
    assert [row.id async for row in repo.report_rows(START, END, batch=4)] == [2, 3, 4, 5]
    later = [row.id async for row in repo.report_rows(END, "2027-01-01T00:00:00+00:00")]
    assert later == [6]


async def test_deliveries_are_recorded_once(repo: DigestRepository) -> None:
    assert await repo.record_delivery("2026-W47", 7)
    assert not await repo.record_delivery("2026-W47", 7)
    assert await repo.record_delivery("2026-W47", 8)
    assert await repo.record_delivery("2026-11", 7)


async def test_read_only_connections_read_in_parallel(fresh_db: Database) -> None:
    await _report(fresh_db, 1, "2026-11-02T10:00:00+00:00")
    repo = await DigestRepository.open(fresh_db, readers=2)
    try:
        assert sum(cell.reports for cell in await repo.cube(START, END)) == 1
        assert await repo.record_delivery("2026-11", 1)  # writes go through the bot's connection
    finally:
        await repo.close()


async def test_bulk_load_sets_indexes_aside_and_builds_them_again(fresh_db: Database) -> None:
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
    before = [tuple(row) for row in await fresh_db.fetch_all(query)]
    writer = DemoDataWriter(fresh_db)
    await writer.begin_bulk()
    during = {row[0] for row in await fresh_db.fetch_all(query)}
    assert "reports_digest" not in during and "reports_status" not in during
    assert "report_events_report" not in during
    await writer.end_bulk()
    assert [tuple(row) for row in await fresh_db.fetch_all(query)] == before


async def test_timings_mark_reports_filed_by_staff(fresh_db: Database) -> None:
    await fresh_db.execute(
        "INSERT INTO users (id, first_name, staff_role, created_at, updated_at) VALUES"
        " (1, 'Trader', NULL, 'x', 'x'), (2, 'Invited', 'officer', 'x', 'x'),"
        " (3, 'Configured', NULL, 'x', 'x')"
    )
    for number, reporter in ((1, 1), (2, 2), (3, 3), (4, None)):
        await _report(fresh_db, number, "2026-11-10T09:00:00+00:00", reporter=reporter)
    repo = DigestRepository(fresh_db, admin_ids=frozenset({3}))
    staff = [timing.staff for timing in await repo.timings(START, END)]
    assert sorted(staff) == [0, 0, 1, 1]  # the invited officer and the admin in ADMIN_IDS
