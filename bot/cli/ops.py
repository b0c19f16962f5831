"""Operators' commands: check-db (a read-only quick_check) and restore BACKUP_FILE."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from storage.backups import DatabaseInUse, RestoreRefused, quick_check, restore_backup


def check_db(database: Path) -> int:
    """Open the database read-only and run PRAGMA quick_check; exit 0 if sound, 1 if not."""
    verdict = quick_check(database)
    if verdict == "ok":
        print(f"{database}: ok")
        return 0
    print(f"{database}: {verdict}", file=sys.stderr)
    return 1


def restore(backup: Path, database: Path) -> int:
    """Restore a backup into the database (refused while the bot runs); say what was done."""
    try:
        report = restore_backup(backup, database, datetime.now(UTC))
    except (RestoreRefused, DatabaseInUse) as refusal:
        print(f"Restore refused: {refusal}", file=sys.stderr)
        if isinstance(refusal, DatabaseInUse):
            print("Stop the bot first (e.g. systemctl stop feedback-bot).", file=sys.stderr)
        return 1
    for aside in report.set_aside:
        print(f"Set aside {aside}")
    print(f"Restored {report.backup} into {report.database}")
    print(f"Migration level {report.migration_level}; integrity: {report.verdict}")
    if report.verdict != "ok":
        return 1
    print("Start the bot: pending migrations, if any, are applied at start.")
    return 0
