"""The one aiosqlite connection: WAL, foreign keys, secure delete, migrations, backup."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
ERASED = "[erased]"  # what stands in for a text whose author erased their data


@dataclass
class Rider:
    """A statement to run in the next write committed in this task (and those it starts)."""

    sql: str
    params: tuple[Any, ...]
    done: bool = False


_RIDER: ContextVar[Rider | None] = ContextVar("rider", default=None)


def current_rider() -> Rider | None:
    """Return the statement set to ride the current task's next commit, if any."""
    return _RIDER.get()


def ride_next_commit(sql: str, params: tuple[Any, ...]) -> Rider:
    """Have the next write committed by the current task carry a statement, atomically with it
    (e.g. "this update is handled" in the same transaction as what its handler changed)."""
    rider = Rider(sql, params)
    _RIDER.set(rider)
    return rider


@dataclass(frozen=True)
class Migration:
    """One numbered SQL script from storage/migrations."""

    number: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """Return the migrations shipped in storage/migrations, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda item: item.number)
    numbers = [item.number for item in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


def utcnow() -> str:
    """Return the current UTC time as stored in the database (ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """The application's single SQLite connection, with serialised write transactions."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._conn = connection
        self.path = path
        self._write_lock = asyncio.Lock()  # one multi-statement transaction at a time
        self._no_transaction = asyncio.Event()  # set while no transaction is open
        self._no_transaction.set()

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating if needed) the database at path and apply pending migrations."""
        target = Path(path)
        if str(target) != ":memory:":
            target.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(target), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA secure_delete=ON")  # deleted text is zeroed, not left in pages
        db = cls(conn, target)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        """Close the connection, checkpointing the WAL."""
        await self._conn.close()

    async def applied_migrations(self) -> list[int]:
        """Return the numbers of the migrations already applied."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        rows = await self._conn.execute_fetchall("SELECT number FROM schema_migrations")
        return sorted(row[0] for row in rows)

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> list[Migration]:
        """Apply pending migrations, each with its record in one transaction."""
        done = set(await self.applied_migrations())
        applied = []
        for migration in migrations if migrations is not None else bundled_migrations():
            if migration.number in done:
                continue
            # executescript takes no parameters; number and name are checked by MIGRATION_NAME.
            record = (
                "INSERT INTO schema_migrations (number, name, applied_at) VALUES "  # noqa: S608
                f"({migration.number}, '{migration.name}', '{utcnow()}');"
            )
            async with self._write_lock:
                try:
                    await self._conn.executescript(f"BEGIN;\n{migration.sql}\n;{record}\nCOMMIT;")
                except sqlite3.Error:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
            log.info(
                "migration applied", extra={"migration": f"{migration.number:04d}_{migration.name}"}
            )
            applied.append(migration)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run statements in one write transaction, committed on exit, rolled back on error."""
        async with self._write_lock:
            self._no_transaction.clear()
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    rider = _RIDER.get()
                    if rider is not None and not rider.done:
                        await self._conn.execute(rider.sql, rider.params)
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
                if rider is not None:
                    rider.done = True
            finally:
                self._no_transaction.set()

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a read query and return its first row (one trip to the database thread)."""
        rows = list(await self._conn.execute_fetchall(sql, tuple(params)))
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read query and return all rows."""
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one write statement, committed on return; return the rows changed.

        In autocommit mode a single statement is its own transaction: one trip to the
        database thread, queued behind earlier ones, so concurrent writers pipeline. It waits
        while another coroutine has a transaction open, so it never joins (or is rolled back
        with) someone else's transaction: the database thread runs requests in order.
        """
        rider = _RIDER.get()
        if rider is not None and not rider.done:
            async with self.transaction() as conn:  # the rider commits with this statement
                cursor = await conn.execute(sql, tuple(params))
                changed = cursor.rowcount
                await cursor.close()
            return changed
        while not self._no_transaction.is_set():
            await self._no_transaction.wait()
        cursor = await self._conn.execute(sql, tuple(params))
        changed = cursor.rowcount
        await cursor.close()
        return changed


def backup_database(source: Path, target: Path) -> None:
    """Copy a live database to target with SQLite's online backup (consistent while in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst, pages=256)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def integrity_check(path: Path) -> str:
    """Return SQLite's integrity_check verdict for the database at path ('ok' if sound)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
