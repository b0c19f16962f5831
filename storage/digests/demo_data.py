"""Bulk writes for the demo-data generator: users, reports, voices, history and surveys."""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Database

USER_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "username",
    "language",
    "business_role",
    "organisation",
    "business_size",
    "women_led",
    "privacy_accepted_at",
    "created_at",
    "updated_at",
)
REPORT_COLUMNS = (
    "id",
    "reference",
    "reporter_id",
    "draft_key",
    "kind",
    "description",
    "topic",
    "topic_source",
    "office",
    "language",
    "anonymous",
    "status",
    "urgency",
    "sentiment",
    "auto_kind",
    "auto_topic",
    "confidence",
    "text_language",
    "keywords",
    "created_at",
    "updated_at",
)
VOICE_COLUMNS = ("report_id", "user_id", "comment", "language", "created_at")
EVENT_COLUMNS = ("report_id", "status", "at")
SURVEY_COLUMNS = ("report_id", "asked_at", "reasked_at", "rating", "fixed", "answered_at")

Row = Sequence[object]


def _insert(table: str, columns: tuple[str, ...], verb: str = "INSERT") -> str:
    marks = ", ".join("?" for _ in columns)
    return f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({marks})"


class DemoDataWriter:
    """Write synthetic data in large batches, one transaction per batch."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._set_aside: list[str] = []

    async def real_reports(self) -> int:
        """Return how many reports were not made by the generator (a real database's)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reports WHERE draft_key NOT GLOB 'demo:*'"
        )
        return int(row[0]) if row else 0

    async def next_report_id(self) -> int:
        """Return the id the next report will get."""
        row = await self._db.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 FROM reports")
        return int(row[0]) if row else 1

    async def reference_counters(self) -> dict[int, int]:
        """Return the last reference number used in each year."""
        rows = await self._db.fetch_all("SELECT year, last FROM reference_counters")
        return {int(row[0]): int(row[1]) for row in rows}

    async def begin_bulk(self) -> None:
        """Prepare a bulk load: a 256 MB page cache, and the secondary indexes set aside.

        Building an index once at the end is faster than updating it row by row; end_bulk
        builds them again (an interrupted load must still call it, see generate's finally).
        """
        await self._db.execute("PRAGMA cache_size = -262144")
        rows = await self._db.fetch_all(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('reports', 'report_events', 'report_voices')"
            " AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
        async with self._db.transaction() as conn:
            for name, sql in rows:
                await conn.execute(f'DROP INDEX "{name}"')
                self._set_aside.append(sql)

    async def end_bulk(self) -> None:
        """Build the indexes set aside again and refresh the query planner's statistics."""
        async with self._db.transaction() as conn:
            for sql in self._set_aside:
                await conn.execute(sql)
        self._set_aside.clear()
        await self._db.execute("ANALYZE")

    async def add_users(self, rows: Sequence[Row]) -> None:
        """Insert users (columns as USER_COLUMNS); ids already present are kept as they are."""
        async with self._db.transaction() as conn:
            await conn.executemany(_insert("users", USER_COLUMNS, "INSERT OR IGNORE"), rows)

    async def add_batch(
        self,
        reports: Sequence[Row],
        voices: Sequence[Row],
        events: Sequence[Row],
        counters: dict[int, int],
        surveys: Sequence[Row] = (),
    ) -> None:
        """Insert reports with their voices, status events and surveys; advance the counters."""
        async with self._db.transaction() as conn:
            await conn.executemany(_insert("reports", REPORT_COLUMNS), reports)
            await conn.executemany(_insert("report_voices", VOICE_COLUMNS), voices)
            await conn.executemany(_insert("report_events", EVENT_COLUMNS), events)
            await conn.executemany(_insert("satisfaction", SURVEY_COLUMNS), surveys)
            await conn.executemany(
                "INSERT INTO reference_counters (year, last) VALUES (?, ?)"
                " ON CONFLICT(year) DO UPDATE SET last = MAX(last, excluded.last)",
                sorted(counters.items()),
            )
