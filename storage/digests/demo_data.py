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


_TALLIES = {  # dimension: its value and a pair's second value, as the tally triggers write them
    "kind": ("kind", "''"),
    "topic": ("COALESCE(topic, '')", "''"),
    "office": ("COALESCE(office, '')", "''"),
    "language": ("language", "''"),
    "urgency": ("COALESCE(urgency, '')", "''"),
    "topic_status": ("COALESCE(topic, '')", "status"),
    "kind_status": ("kind", "status"),
    "topic_office": ("COALESCE(topic, '')", "COALESCE(office, '')"),
}


def _tally_sql(table: str, length: int) -> str:
    """Return SQL adding the reports from id ? on to a tally table (migration 0014's shape)."""
    parts = [  # constants only: no value from outside reaches this text
        f"SELECT '{name}', substr(created_at, 1, {length}), {a}, {b}, COUNT(*),"  # noqa: S608
        f" {'TOTAL(sentiment), COUNT(sentiment)' if name == 'topic' else '0, 0'}"
        " FROM reports WHERE id >= :first GROUP BY 2, 3, 4"
        for name, (a, b) in _TALLIES.items()
    ]
    return (
        f"INSERT INTO {table} (dimension, span, a, b, reports, sentiment_sum, sentiment_count) "  # noqa: S608
        "SELECT * FROM (" + " UNION ALL ".join(parts) + ") WHERE true "
        "ON CONFLICT (dimension, span, a, b) DO UPDATE SET reports = reports + excluded.reports,"
        " sentiment_sum = sentiment_sum + excluded.sentiment_sum,"
        " sentiment_count = sentiment_count + excluded.sentiment_count"
    )


class DemoDataWriter:
    """Write synthetic data in large batches, one transaction per batch."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._set_aside: list[str] = []
        self._first_new = 0

    async def real_reports(self) -> int:
        """Return how many reports were not made by the generator (a real database's)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM reports WHERE draft_key NOT GLOB 'demo:*'"
        )
        return int(row[0]) if row else 0

    async def demo_reports(self) -> int:
        """Return how many reports the generator made."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM reports WHERE draft_key GLOB 'demo:*'")
        return int(row[0]) if row else 0

    async def demo_traders(self, first_id: int) -> list[tuple[int, str, str | None, str]]:
        """Return the generated traders (id, first name, last name, language), ids from first_id."""
        rows = await self._db.fetch_all(
            "SELECT id, first_name, last_name, language FROM users WHERE id >= ?", (first_id,)
        )
        return [(int(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]

    async def next_report_id(self) -> int:
        """Return the id the next report will get."""
        row = await self._db.fetch_one("SELECT COALESCE(MAX(id), 0) + 1 FROM reports")
        return int(row[0]) if row else 1

    async def reference_counters(self) -> dict[int, int]:
        """Return the last reference number used in each year."""
        rows = await self._db.fetch_all("SELECT year, last FROM reference_counters")
        return {int(row[0]): int(row[1]) for row in rows}

    async def begin_bulk(self) -> None:
        """Prepare a bulk load: a 256 MB page cache, secondary indexes and tally triggers aside.

        Building an index once at the end is faster than updating it row by row, and so is
        tallying the new reports at once; end_bulk does both (an interrupted load must still
        call it, see generate's finally).
        """
        await self._db.execute("PRAGMA cache_size = -262144")
        self._first_new = await self.next_report_id()
        rows = await self._db.fetch_all(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            " AND ((type = 'index' AND tbl_name IN ('reports', 'report_events', 'report_voices')"
            " AND sql NOT LIKE 'CREATE UNIQUE%') OR (type = 'trigger' AND tbl_name = 'reports'"
            " AND name GLOB 'reports_tally_*'))"
        )
        async with self._db.transaction() as conn:
            for kind, name, sql in rows:
                await conn.execute(f'DROP {kind.upper()} "{name}"')
                self._set_aside.append(sql)

    async def end_bulk(self) -> None:
        """Tally the new reports, put the indexes and triggers back, refresh the statistics."""
        async with self._db.transaction() as conn:
            for sql in self._set_aside:  # indexes first: the tallies then read one, not rows
                await conn.execute(sql)
            for table, length in (("digest_days", 10), ("digest_hours", 13)):
                await conn.execute(_tally_sql(table, length), {"first": self._first_new})
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
