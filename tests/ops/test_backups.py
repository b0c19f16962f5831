"""Automatic backups: checked copies, the oldest pruned, the chain only when configured."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.app import build_application
from bot.container import Services
from bot.core.backups import BackupOutcome
from bot.core.schedules import Schedule
from handlers.kit import backups
from handlers.kit.context import BotContext
from storage.backups import FolderBackups
from storage.db import Database, integrity_check
from tests.conftest import SettingsFactory

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def filled(path: Path) -> Path:
    """Create a migrated database at path and return it."""
    db = await Database.open(path)
    await db.close()
    return path


async def test_each_backup_is_a_checked_copy_and_only_the_newest_are_kept(
    tmp_path: Path,
) -> None:
    database = await filled(tmp_path / "feedback.db")
    keeper = FolderBackups(database, tmp_path / "backups", keep=2)

    outcomes = [await keeper.take(NOON + timedelta(days=day)) for day in range(3)]

    assert all(outcome.ok for outcome in outcomes)
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
        "feedback-20260303T120000Z.db",
        "feedback-20260304T120000Z.db",
    ]
    assert outcomes[2].pruned == (tmp_path / "backups" / "feedback-20260302T120000Z.db",)
    assert integrity_check(outcomes[2].path) == "ok"


async def test_the_chain_is_queued_only_with_a_backup_folder(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    for folder, expected in ((None, 0), (tmp_path / "backups", 1)):
        settings = make_settings(backup_dir=folder, backup_schedule="daily 02:00")
        app = build_application(settings)
        keeper = FolderBackups(settings.database_path, folder, 3) if folder else None
        services = cast(Services, SimpleNamespace(settings=settings, backups=keeper))
        backups.schedule_backups(app, services, NOON)
        assert app.job_queue is not None
        names = [job.name or "" for job in app.job_queue.jobs()]
        assert sum(name.startswith("backup:0:") for name in names) == expected


class FailingBackups:
    """Backups whose disk is full, or whose copy comes out damaged."""

    def __init__(self, outcome: BackupOutcome | None) -> None:
        self.outcome = outcome

    async def take(self, now: datetime) -> BackupOutcome:
        """Fail like a full disk, or return a damaged copy."""
        if self.outcome is None:
            raise sqlite3.OperationalError("database or disk is full")
        return self.outcome


@pytest.mark.parametrize(
    ("keeper", "said"),
    [
        (FailingBackups(None), "backup failed"),
        (FailingBackups(BackupOutcome(Path("x.db.bad"), "page 3 damaged")), "integrity check"),
    ],
)
async def test_a_failed_backup_is_logged_as_an_error_and_the_bot_goes_on(
    keeper: FailingBackups, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    context = cast(BotContext, SimpleNamespace(services=SimpleNamespace(backups=keeper)))
    with caplog.at_level(logging.INFO):
        await backups._scheduled_backup(context, Schedule.parse("daily 02:00"), NOON)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert said in caplog.records[0].getMessage()
