"""Automatic backups on BACKUP_SCHEDULE: a checked online copy, the oldest pruned."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from bot.container import Services
from bot.core.schedules import Schedule
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.scheduling import schedule_chain

log = logging.getLogger(__name__)
JOB_PREFIX = "backup"


def schedule_backups(app: BotApplication, services: Services, now: datetime) -> None:
    """(Re)create the backup chain when BACKUP_DIR and BACKUP_SCHEDULE are both set."""
    settings = services.settings
    wanted = services.backups is not None and settings.backup_schedule is not None
    schedules = [settings.backup_schedule] if wanted and settings.backup_schedule else []
    schedule_chain(app, JOB_PREFIX, schedules, _scheduled_backup, settings, now)


async def _scheduled_backup(context: BotContext, schedule: Schedule, due: datetime) -> None:
    """Take one backup; log where it went, or why it failed (the bot keeps running)."""
    backups = context.services.backups
    if backups is None:
        return
    try:
        outcome = await backups.take(due)
    except (OSError, sqlite3.Error) as problem:
        log.error("backup failed", extra={"error": f"{type(problem).__name__}: {problem}"})
        return
    if not outcome.ok:
        log.error("backup failed its integrity check", extra={"backup": str(outcome.path)})
        return
    log.info(
        "backup taken",
        extra={"backup": str(outcome.path), "pruned": [str(p) for p in outcome.pruned]},
    )
