"""ReportRepository: references, erasure of the reporter, voices and corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reporting.model import Correction
from storage.db import Database
from storage.erasure import UserErasure
from storage.reporting import ReportRepository
from tests.records import new_report, register_users


async def test_erasing_the_reporter_keeps_the_report_anonymised(fresh_db: Database) -> None:
    await register_users(fresh_db, 1)
    reports = ReportRepository(fresh_db)
    report, created = await reports.create(new_report(1, "k1"))
    assert created and report.reporter_id == 1
    await UserErasure(fresh_db).erase(1)
    kept = await reports.get(report.id)
    assert kept is not None and kept.reporter_id is None and kept.description == report.description


async def test_same_draft_twice_is_one_report(fresh_db: Database) -> None:
    await register_users(fresh_db, 1)
    reports = ReportRepository(fresh_db)
    first, _ = await reports.create(new_report(1, "same"))
    second, created = await reports.create(new_report(1, "same"))
    assert not created and second.id == first.id
    assert (await reports.for_reporter(1, 0, 10))[1] == 1


async def test_voices_are_counted_once_per_trader(fresh_db: Database) -> None:
    await register_users(fresh_db, 1, 2, 3)
    reports = ReportRepository(fresh_db)
    report, _ = await reports.create(new_report(1, "k"))
    assert await reports.add_voice(report.id, 2, "same here", "en")
    assert not await reports.add_voice(report.id, 2, "again", "en")
    assert await reports.add_voice(report.id, 3, None, "es")
    assert await reports.voices(report.id) == 2
    since = datetime.now(UTC) - timedelta(days=1)
    assert [r.id for r in await reports.open_alike("inspections", "PORT-MAIN", since, 2)] == [
        report.id
    ]
    assert await reports.open_alike("inspections", "PORT-MAIN", since, 1) == []  # not one's own


async def test_relabel_stores_the_correction(fresh_db: Database) -> None:
    await register_users(fresh_db, 1)
    reports = ReportRepository(fresh_db)
    report, _ = await reports.create(new_report(1, "k"))
    correction = Correction(
        report_id=report.id, officer_id=9, text=report.description, language="en", topic="integrity"
    )
    updated = await reports.relabel(report.id, {"topic": "integrity"}, correction)
    assert updated.topic == "integrity" and updated.topic_source == "officer"
    assert [c.topic for c in await reports.corrections()] == ["integrity"]
