"""Demo data: deterministic by seed, consistent histories, and a digest that recounts exactly."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.cli.digest import demo_data_command
from bot.core.i18n import Translator
from bot.digests.demo_data import DemoUser, generate
from bot.digests.model import Period
from bot.digests.service import DigestService
from config.reference_data import load_taxonomy
from storage.db import Database
from storage.digests.demo_data import REPORT_COLUMNS, USER_COLUMNS, DemoDataWriter
from storage.digests.queries import DigestRepository

NOW = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)


async def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "users": "SELECT * FROM users ORDER BY id",
        "reports": "SELECT * FROM reports ORDER BY id",
        "events": "SELECT report_id, status, at FROM report_events ORDER BY id",
        "voices": "SELECT report_id, user_id, created_at FROM report_voices ORDER BY id",
        "counters": "SELECT * FROM reference_counters ORDER BY year",
        "surveys": "SELECT report_id, asked_at, rating, fixed, answered_at FROM satisfaction"
        " ORDER BY id",
    }
    return {name: [tuple(row) for row in await db.fetch_all(sql)] for name, sql in tables.items()}


async def _generated(path: Path, reports: int, seed: int, **options: Any) -> Database:
    db = await Database.open(path)
    await generate(DemoDataWriter(db), load_taxonomy(), reports, seed, NOW, **options)
    return db


def test_row_types_follow_the_storage_columns() -> None:
    assert DemoUser._fields == USER_COLUMNS
    assert len(REPORT_COLUMNS) == 21


async def test_the_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    first = await _generated(tmp_path / "a.db", 300, 7, batch=70)
    second = await _generated(tmp_path / "b.db", 300, 7, batch=120, parallel=True)
    other = await _generated(tmp_path / "c.db", 300, 8)
    try:
        assert await _dump(first) == await _dump(second)  # worker process or not, any batch
        assert (await _dump(first))["reports"] != (await _dump(other))["reports"]
    finally:
        for db in (first, second, other):
            await db.close()


async def test_data_is_plausible(tmp_path: Path) -> None:
    db = await _generated(tmp_path / "demo.db", 800, 3)
    try:
        data = await _dump(db)
    finally:
        await db.close()
    taxonomy = load_taxonomy()
    columns = [
        "id", "reference", "reporter_id", "draft_key", "kind", "description", "topic",
        "topic_source", "office", "office_other", "incident_date", "language", "anonymous",
        "status", "created_at", "updated_at",
    ]  # fmt: skip
    reports = [dict(zip(columns, row, strict=False)) for row in data["reports"]]
    assert len(reports) == 800 and len(data["users"]) == 20
    assert {r["kind"] for r in reports} == {"issue", "suggestion", "question"}
    assert {r["language"] for r in reports} == {"en", "es", "ru"}
    assert {r["topic"] for r in reports} <= {topic.code for topic in taxonomy.topics}
    offices = {office.code for office in taxonomy.offices} | {"none"}
    assert {r["office"] for r in reports} <= offices
    assert 0.05 < sum(r["anonymous"] for r in reports) / 800 < 0.3
    assert len({r["reference"] for r in reports}) == 800
    created = [datetime.fromisoformat(r["created_at"]) for r in reports]
    assert created == sorted(created) and NOW - timedelta(days=366) < created[0]
    assert created[-1] < NOW
    assert dict(data["counters"]) == Counter(moment.year for moment in created)
    history: dict[int, list[tuple[str, str]]] = {}
    for report, status, at in data["events"]:
        history.setdefault(report, []).append((status, at))
    for report in reports:
        steps = history.get(report["id"], [])
        assert [at for _, at in steps] == sorted(at for _, at in steps)
        assert all(report["created_at"] <= at < NOW.isoformat() for _, at in steps)
        assert report["status"] == (steps[-1][0] if steps else "new")
    statuses = Counter(r["status"] for r in reports)
    assert statuses["resolved"] > statuses["new"] > 0
    reporter = {r["id"]: r["reporter_id"] for r in reports}
    assert data["voices"] and all(user != reporter[report] for report, user, _ in data["voices"])
    texts = " ".join(r["description"] for r in reports)
    assert "¿" in texts and re.search("[а-я]", texts) and "[" not in texts and "{" not in texts
    sizes = {row[7] for row in data["users"]} - {None}  # business_size, optional
    assert sizes <= {"micro", "small", "medium", "large", "undisclosed"} and len(sizes) > 2
    assert {row[8] for row in data["users"]} - {None} <= {"yes", "no", "undisclosed"}


async def test_a_digest_of_demo_data_recounts_exactly(tmp_path: Path) -> None:
    db = await _generated(tmp_path / "demo.db", 1500, 11)
    store = await DigestRepository.open(db)
    zone = ZoneInfo("UTC")
    service = DigestService(store, load_taxonomy(), Translator.from_directory(), zone,
                            clock=lambda: NOW)  # fmt: skip
    period = Period.month(date(2026, 11, 28))
    try:
        digest = await service.build(period)
        rows = await db.fetch_all(
            "SELECT id, kind, topic, office, language, urgency, status, sentiment, created_at,"
            " reporter_id FROM reports"
        )
        events = await db.fetch_all("SELECT report_id, status, at FROM report_events")
        surveys = await db.fetch_all(
            "SELECT report_id, rating, fixed FROM satisfaction WHERE rating IS NOT NULL"
        )
        pending = await db.fetch_all(  # what the bot would remind ("Is it really fixed?")
            "SELECT id FROM satisfaction WHERE answered_at IS NULL AND reasked_at IS NULL"
        )
    finally:
        await store.close()
        await db.close()
    start, end = period.iso_bounds(zone)
    now = [dict(row) for row in rows if start <= row["created_at"] < end]
    assert digest.total.current == len(now) > 50
    assert not pending  # a demo trader is never sent a reminder
    for name in ("kind", "topic", "office", "language", "urgency"):
        shown = {row.key: row.current for row in getattr(digest, f"by_{name}")}
        assert shown == Counter(r[name] for r in now)
    first_change: dict[int, str] = {}
    resolved_at: dict[int, str] = {}
    for report, status, at in events:
        if status != "new":
            first_change[report] = min(at, first_change.get(report, at))
        if status == "resolved":
            resolved_at[report] = min(at, resolved_at.get(report, at))

    def hours(report: dict[str, Any], moments: dict[int, str]) -> float | None:
        if report["id"] not in moments:
            return None
        later = datetime.fromisoformat(moments[report["id"]])
        return (later - datetime.fromisoformat(report["created_at"])).total_seconds() / 3600

    acks = [h for r in now if (h := hours(r, first_change)) is not None]
    fixes = [h for r in now if (h := hours(r, resolved_at)) is not None]
    assert digest.follow_up.median_ack_hours == pytest.approx(statistics.median(acks))
    assert digest.follow_up.median_resolve_hours == pytest.approx(statistics.median(fixes))
    for row in digest.sentiment:
        values = [r["sentiment"] for r in now if r["topic"] == row.topic]
        assert row.current == pytest.approx(statistics.mean(values))
    in_period = {r["id"] for r in now}
    rated = [(rating, fixed) for report, rating, fixed in surveys if report in in_period]
    assert len(rated) > 10  # the demo answers about 60% of the surveys of resolved reports
    assert digest.follow_up.satisfaction_average == pytest.approx(
        statistics.fmean(rating for rating, _ in rated)
    )
    assert digest.follow_up.confirmed_fixed is not None
    assert digest.follow_up.confirmed_fixed.part == sum(fixed for _, fixed in rated)


async def test_demo_data_refuses_a_database_with_real_reports(tmp_path: Path) -> None:
    path = tmp_path / "real.db"
    db = await Database.open(path)
    await db.execute(
        "INSERT INTO reports (reference, draft_key, kind, description, language, created_at,"
        " updated_at) VALUES ('R-2026-00001', 'real', 'issue', 'x', 'en', 'x', 'x')"
    )
    await db.close()
    assert await demo_data_command(path, 10, 1) == 2
    assert await demo_data_command(tmp_path / "demo.db", 0, 1) == 2
    assert await demo_data_command(tmp_path / "demo.db", 30, 1) == 0
    assert await demo_data_command(tmp_path / "demo.db", 30, 2) == 0  # adds to demo data
