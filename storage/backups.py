"""Backups that restore: rotating online copies, the run lock, and restoring a copy in place."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.core.backups import BackupOutcome
from storage.db import backup_database, bundled_migrations, integrity_check

STAMP = "%Y%m%dT%H%M%SZ"
SQLITE_MINIMUM = (3, 38, 0)  # unixepoch() needs 3.38; RETURNING needs 3.35


def sqlite_version_problem(version: tuple[int, int, int] = sqlite3.sqlite_version_info) -> str:
    """Return why this SQLite library is too old for the bot's SQL ('' if it is recent enough)."""
    if version >= SQLITE_MINIMUM:
        return ""
    have = ".".join(map(str, version))
    need = ".".join(map(str, SQLITE_MINIMUM))
    return (
        f"SQLite {have} is too old: the bot needs SQLite {need} or newer (unixepoch, RETURNING). "
        "Use a Python built with a newer SQLite (Debian 12+, Ubuntu 22.04+, python.org builds)."
    )


class DatabaseInUse(Exception):
    """Another process (a running bot, a restore) holds the database's lock."""


def lock_path(database: Path) -> Path:
    """Return the lock file that a running bot holds beside its database."""
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def exclusive_lock(database: Path) -> Iterator[None]:
    """Hold `<database>.lock` exclusively for the block; raise DatabaseInUse if taken."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(f"{database} is in use (lock {path} is held)") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def migration_level(path: Path) -> int:
    """Return the highest migration number recorded in the database at path (0 if none)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if found is None:
            return 0
        row = conn.execute("SELECT MAX(number) FROM schema_migrations").fetchone()
        return int(row[0] or 0)
    finally:
        conn.close()


def quick_check(path: Path) -> str:
    """Return SQLite's quick_check verdict, opening the database read-only ('ok' if sound)."""
    if not path.is_file():
        return f"no database at {path}"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return str(conn.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as problem:
        return f"cannot read {path}: {problem}"


def take_backup(database: Path, folder: Path, keep: int, now: datetime) -> BackupOutcome:
    """Write `<stem>-<UTC time>.db` in folder, check it, keep the newest `keep` good ones."""
    stamp = now.astimezone(UTC).strftime(STAMP)
    target = folder / f"{database.stem}-{stamp}.db"
    partial = target.with_name(target.name + ".partial")
    backup_database(database, partial)
    verdict = integrity_check(partial)
    if verdict != "ok":
        bad = target.with_name(target.name + ".bad")
        partial.replace(bad)
        return BackupOutcome(bad, verdict)
    partial.replace(target)
    kept = sorted(folder.glob(f"{database.stem}-*.db"))
    pruned = tuple(kept[: max(len(kept) - keep, 0)])
    for old in pruned:
        old.unlink()
    return BackupOutcome(target, verdict, pruned)


@dataclass(frozen=True)
class FolderBackups:
    """Backups of one database kept in one folder, the newest `keep` of them."""

    database: Path
    folder: Path
    keep: int

    async def take(self, now: datetime) -> BackupOutcome:
        """Take a checked backup in a worker thread (the online backup never blocks writers)."""
        return await asyncio.to_thread(take_backup, self.database, self.folder, self.keep, now)


class RestoreRefused(Exception):
    """A restore that was not done, and why; nothing was changed."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did: the files set aside, and the restored database's state."""

    database: Path
    backup: Path
    set_aside: tuple[Path, ...]
    migration_level: int
    verdict: str


def restore_backup(backup: Path, database: Path, now: datetime) -> RestoreReport:
    """Put a checked backup in place of the database, setting the current files aside.

    Refuses (RestoreRefused, nothing changed) if the backup is unsound or newer than the code's
    migrations, and (DatabaseInUse) while a bot holds the lock. The database and its -wal and
    -shm files are renamed with a timestamp, never deleted: a -wal left by a crash belongs to
    the old database and must never be replayed onto the restored one.
    """
    if not backup.is_file():
        raise RestoreRefused(f"no backup file at {backup}")
    verdict = quick_check(backup)
    if verdict != "ok":
        raise RestoreRefused(f"{backup} failed its integrity check: {verdict}")
    level, known = migration_level(backup), len(bundled_migrations())
    if level > known:
        raise RestoreRefused(
            f"{backup} is at migration {level}, newer than this version's {known}: "
            "install the version that wrote it"
        )
    with exclusive_lock(database):
        stamp = now.astimezone(UTC).strftime(STAMP)
        set_aside = []
        for name in (database.name, database.name + "-wal", database.name + "-shm"):
            current = database.with_name(name)
            if current.exists():
                aside = current.with_name(f"{name}.replaced-{stamp}")
                current.rename(aside)
                set_aside.append(aside)
        incoming = database.with_name(database.name + ".restoring")
        shutil.copyfile(backup, incoming)
        with incoming.open("rb") as handle:
            os.fsync(handle.fileno())
        incoming.replace(database)
        return RestoreReport(
            database, backup, tuple(set_aside), migration_level(database), integrity_check(database)
        )
