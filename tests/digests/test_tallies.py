"""Digest tallies: a digest read from per-day tallies equals one from a full scan of reports."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import Translator
from bot.digests.model import Digest, Period, Tally
from bot.digests.service import DigestService
from config.reference_data import load_taxonomy
from storage.db import Database, bundled_migrations
from storage.digests.queries import BUCKETS_SQL, DigestRepository, cover

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 8, 25, tzinfo=UTC)
KINDS = ("issue", "suggestion", "question")
TOPICS = ("release_delays", "it_systems", "inspections", None)
OFFICES = ("PORT-MAIN", "AIRPORT", "none", None)
STATUSES = ("new", "acknowledged", "in_progress", "resolved", "rejected", "duplicate")
ZONES = ("UTC", "Europe/Moscow", "America/New_York", "Asia/Kolkata")


class FullScan(DigestRepository):
    """Today's digest queries: every figure counted from the reports themselves."""

    async def tally(self, start: str, end: str) -> Tally:
        return Tally.of(await self.cube(start, end))

    async def buckets(self, start: str, end: str, minutes: bool = False) -> list[tuple[str, int]]:
        rows = await self._db.fetch_all(BUCKETS_SQL, (16 if minutes else 13, start, end))
        return [(str(bucket), int(count)) for bucket, count in rows]


def _random_report(rng: random.Random, number: int) -> tuple[Any, ...]:
    created = FIRST + timedelta(seconds=rng.randrange(110 * 86400))
    stamp = created.isoformat(timespec="seconds")
    sentiment = None if rng.random() < 0.2 else round(rng.uniform(-1, 1), 3)
    return (
        number, f"R-{number:06d}", f"k{number}", rng.choice(KINDS), f"text {number}",
        rng.choice(TOPICS), rng.choice(OFFICES), rng.choice(("en", "es", "ru")),
        rng.choice(("high", "normal", "low", None)), sentiment, rng.choice(STATUSES),
        int(rng.random() < 0.3), stamp, stamp,
    )  # fmt: skip


INSERT = (
    "INSERT INTO reports (id, reference, draft_key, kind, description, topic, office, language,"
    " urgency, sentiment, status, anonymous, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


async def _fill(db: Database, rng: random.Random, reports: int) -> None:
    async with db.transaction() as conn:
        await conn.executemany(INSERT, [_random_report(rng, n) for n in range(1, reports + 1)])


async def _change(db: Database, rng: random.Random, reports: int) -> None:
    """Move statuses, reopen, correct sorting and erase, as officers and traders do."""
    params: tuple[Any, ...]
    for number in rng.sample(range(1, reports + 1), reports // 2):
        action = rng.randrange(5)
        if action == 0:  # a status change
            sql, params = "UPDATE reports SET status = ? WHERE id = ?", (rng.choice(STATUSES),)
        elif action == 1:  # reopened
            sql, params = "UPDATE reports SET status = 'acknowledged' WHERE id = ?", ()
        elif action == 2:  # a correction of how the bot sorted it
            sql = "UPDATE reports SET topic = ?, kind = ?, urgency = ? WHERE id = ?"
            params = (rng.choice(TOPICS), rng.choice(KINDS), rng.choice(("high", None)))
        elif action == 3:  # the office corrected
            sql, params = "UPDATE reports SET office = ? WHERE id = ?", (rng.choice(OFFICES),)
        else:  # erased
            sql, params = "DELETE FROM reports WHERE id = ?", ()
        await db.execute(sql, (*params, number))


def _service(store: DigestRepository, zone: str) -> DigestService:
    return DigestService(
        store, load_taxonomy(), Translator.from_directory(), ZoneInfo(zone), clock=lambda: NOW
    )


def _same(digest: Digest) -> dict[str, Any]:
    """Return the digest as data, sentiment averages rounded (sums in another order)."""
    data = digest.model_dump()
    for row in data["sentiment"]:
        for field in ("current", "previous"):
            row[field] = None if row[field] is None else round(row[field], 9)
    return data


PERIODS = (
    Period(start=date(2026, 11, 1), end=date(2026, 12, 1), kind="month"),
    Period(start=date(2026, 10, 19), end=date(2026, 10, 26), kind="week"),
    Period(start=date(2026, 9, 3), end=date(2026, 9, 4)),
    Period.between(date(2026, 8, 20), date(2026, 12, 19)),
)


async def _assert_same_digests(db: Database) -> None:
    tallied, scanned = DigestRepository(db), FullScan(db)
    for zone in ZONES:
        for period in PERIODS:
            fast = await _service(tallied, zone).build(period)
            full = await _service(scanned, zone).build(period)
            assert _same(fast) == _same(full), (zone, period)


async def test_tallies_give_the_full_scan_digest_after_changes_and_erasure(
    fresh_db: Database,
) -> None:
    rng = random.Random(18)
    await _fill(fresh_db, rng, 1500)
    await _assert_same_digests(fresh_db)
    await _change(fresh_db, rng, 1500)
    await _assert_same_digests(fresh_db)
    digest = await _service(DigestRepository(fresh_db), "UTC").build(PERIODS[-1])
    left = await fresh_db.fetch_one("SELECT COUNT(*) FROM reports")
    assert left is not None and digest.total.current == left[0] < 1500


async def test_upgrade_tallies_the_reports_already_filed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        await db.migrate([m for m in bundled_migrations() if m.number < 14])
        await _fill(db, random.Random(7), 400)
        await db.migrate()
        row = await db.fetch_one("SELECT SUM(reports) FROM digest_days WHERE dimension = 'kind'")
        assert row is not None and row[0] == 400
        await _assert_same_digests(db)
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("start", "end", "days", "hours", "raw"),
    [
        ("2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00", 1, 0, 0),
        ("2026-10-31T21:00:00+00:00", "2026-11-30T21:00:00+00:00", 1, 2, 0),
        ("2026-10-31T18:30:00+00:00", "2026-11-30T18:30:00+00:00", 1, 2, 2),
        ("2026-11-03T10:30:00+00:00", "2026-11-03T10:45:00+00:00", 0, 0, 1),
        ("2026-11-03T10:30:00+00:00", "2026-11-03T20:00:00+00:00", 0, 1, 1),
    ],
)
def test_a_period_is_cut_into_days_hours_and_parts_of_hours(
    start: str, end: str, days: int, hours: int, raw: int
) -> None:
    cut = cover(datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert [len(part) for part in cut] == [days, hours, raw]
    spans = sorted(
        [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in cut[2]]
        + [(_at(a), _at(b)) for a, b in cut[0] + cut[1]]
    )
    assert spans[0][0] == datetime.fromisoformat(start)
    assert spans[-1][1] == datetime.fromisoformat(end)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def _at(span: str) -> datetime:
    return datetime.fromisoformat(span + ("" if "T" in span else "T00") + ":00:00+00:00")


async def test_demo_data_tallies_its_reports_at_the_end(fresh_db: Database) -> None:
    from bot.digests.demo_data import generate
    from storage.digests.demo_data import DemoDataWriter

    await _fill(fresh_db, random.Random(3), 50)  # a real report or two before the demo's
    await generate(DemoDataWriter(fresh_db), load_taxonomy(), 600, 5, NOW)
    triggers = await fresh_db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'reports_tally_*'"
    )
    assert len(triggers) == 3  # put back after the load
    await _assert_same_digests(fresh_db)
