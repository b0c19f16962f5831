"""The database: pragmas, migrations recorded once each, atomic failure, online backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, Migration, backup_database, bundled_migrations, integrity_check


async def test_fresh_database_has_every_migration_and_pragmas(fresh_db: Database) -> None:
    numbers = [m.number for m in bundled_migrations()]
    assert await fresh_db.applied_migrations() == numbers
    journal = await fresh_db.fetch_one("PRAGMA journal_mode")
    keys = await fresh_db.fetch_one("PRAGMA foreign_keys")
    assert journal is not None and journal[0] == "wal"
    assert keys is not None and keys[0] == 1


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await db.close()
    db = await Database.open(tmp_path / "a.db", migrate=False)
    try:
        assert await db.migrate() == []
    finally:
        await db.close()


async def test_failing_migration_leaves_no_trace(fresh_db: Database) -> None:
    broken = Migration(99, "broken", "CREATE TABLE half_done (x INTEGER);\nSELECT * FROM nowhere;")
    with pytest.raises(sqlite3.OperationalError):
        await fresh_db.migrate([broken])
    assert 99 not in await fresh_db.applied_migrations()
    table = await fresh_db.fetch_one("SELECT name FROM sqlite_master WHERE name = 'half_done'")
    assert table is None


async def test_transaction_rolls_back_on_error(fresh_db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with fresh_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, created_at, updated_at) VALUES (1, 'x', 'x')"
            )
            raise RuntimeError("boom")
    assert await fresh_db.fetch_one("SELECT id FROM users WHERE id = 1") is None


async def test_backup_of_open_database_is_sound(fresh_db: Database, tmp_path: Path) -> None:
    await fresh_db.execute("INSERT INTO users (id, created_at, updated_at) VALUES (7, 'x', 'x')")
    copy = tmp_path / "backups" / "copy.db"
    backup_database(fresh_db.path, copy)
    assert integrity_check(copy) == "ok"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT id FROM users").fetchall() == [(7,)]
