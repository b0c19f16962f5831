"""Restoring a backup: after a crash that left a -wal behind, refused while the bot runs."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main, run
from storage.backups import lock_path
from storage.db import Database, backup_database, bundled_migrations, integrity_check
from tests.conftest import SettingsFactory

CRASHING_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA wal_autocheckpoint=0")
for n in range(4, 101):
    conn.execute("INSERT INTO notes (n) VALUES (?)", (n,))
print("written", flush=True)
time.sleep(60)
"""

LOCK_HOLDER = """
import fcntl, os, sys, time
handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def make_database(path: Path, rows: range) -> None:
    """Create a migrated database with a notes table holding these numbers."""
    asyncio.run(_fill(path, rows))


async def _fill(path: Path, rows: range) -> None:
    """Migrate the database at path and add the notes table."""
    db = await Database.open(path)
    try:
        await db.execute("CREATE TABLE notes (n INTEGER NOT NULL)")
        for n in rows:
            await db.execute("INSERT INTO notes (n) VALUES (?)", (n,))
    finally:
        await db.close()


def notes(path: Path) -> list[int]:
    """Return the numbers in the notes table of the database at path."""
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT n FROM notes ORDER BY n")]
    finally:
        conn.close()


def crash_after_writing(database: Path) -> None:
    """Write rows 4..100 in WAL mode from a process killed with SIGKILL before a checkpoint."""
    writer = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WRITER, str(database)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "written"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)


def use(monkeypatch: pytest.MonkeyPatch, database: Path) -> list[str]:
    """Point the command line at this database; return the arguments before the command."""
    monkeypatch.setenv("DATABASE_PATH", str(database))
    return ["--env-file", str(database.with_name("absent.env"))]


def test_restore_after_a_crash_holds_exactly_the_backups_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database, backup = tmp_path / "feedback.db", tmp_path / "backups" / "copy.db"
    make_database(database, range(1, 4))
    backup_database(database, backup)
    crash_after_writing(database)
    assert (tmp_path / "feedback.db-wal").stat().st_size > 0

    assert main([*use(monkeypatch, database), "restore", str(backup)]) == 0

    assert notes(database) == [1, 2, 3]
    assert integrity_check(database) == "ok"
    assert not (tmp_path / "feedback.db-wal").exists()
    kept = sorted(p.name.split(".replaced-")[0] for p in tmp_path.glob("feedback.db*.replaced-*"))
    assert kept == [
        "feedback.db",
        "feedback.db-shm",
        "feedback.db-wal",
    ]
    said = capsys.readouterr().out
    assert f"Restored {backup} into {database}" in said
    assert f"Migration level {len(bundled_migrations())}; integrity: ok" in said
    assert said.count("Set aside ") == 3
    # Nothing was lost: the set-aside database and its -wal still hold the crashed writes.
    old = tmp_path / "old.db"
    shutil.copyfile(next(tmp_path.glob("feedback.db.replaced-*")), old)
    shutil.copyfile(next(tmp_path.glob("feedback.db-wal.replaced-*")), tmp_path / "old.db-wal")
    assert notes(old) == list(range(1, 101))


def test_restore_is_refused_while_another_process_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database, backup = tmp_path / "feedback.db", tmp_path / "copy.db"
    make_database(database, range(1, 4))
    backup_database(database, backup)
    make_database(tmp_path / "other.db", range(1, 2))
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(lock_path(database))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        before = sorted(p.name for p in tmp_path.iterdir())

        assert main([*use(monkeypatch, database), "restore", str(backup)]) == 1

        assert "Restore refused" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir()) == before
        assert notes(database) == [1, 2, 3]
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_the_bot_does_not_start_while_the_lock_is_held(
    tmp_path: Path, make_settings: SettingsFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings()
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(lock_path(settings.database_path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        assert run(settings) == 1
        assert "Not started" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_backup_newer_than_the_code_is_refused_and_nothing_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database, backup = tmp_path / "feedback.db", tmp_path / "future.db"
    make_database(database, range(1, 4))
    make_database(backup, range(1, 2))
    conn = sqlite3.connect(backup)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'from_the_future', 'x')")
    conn.commit()
    conn.close()

    assert main([*use(monkeypatch, database), "restore", str(backup)]) == 1

    assert "newer than this version's" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.replaced-*"))
    assert notes(database) == [1, 2, 3]


def test_a_damaged_backup_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database, backup = tmp_path / "feedback.db", tmp_path / "damaged.db"
    make_database(database, range(1, 4))
    backup.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)

    assert main([*use(monkeypatch, database), "restore", str(backup)]) == 1

    assert "failed its integrity check" in capsys.readouterr().err
    assert notes(database) == [1, 2, 3]
