"""Rows tests put straight into a database: registered users and stored reports."""

from __future__ import annotations

from bot.core.taxonomy import Kind
from bot.core.users import Language, TelegramProfile
from bot.reporting.model import NewReport, Report
from storage.accounts.users import UserRepository
from storage.db import Database
from storage.reporting import ReportRepository


def new_report(reporter: int | None, key: str, **extra: object) -> NewReport:
    """Return a report ready to store: an anonymous problem at the port, unless told otherwise."""
    fields: dict[str, object] = {
        "reporter_id": reporter,
        "draft_key": key,
        "kind": Kind.ISSUE,
        "description": "Containers held at the port scanner for days",
        "topic": "inspections",
        "topic_source": "reporter",
        "office": "PORT-MAIN",
        "office_other": None,
        "incident_date": None,
        "language": "en",
        "anonymous": True,
    }
    fields.update(extra)
    return NewReport.model_validate(fields)


async def add_report(db: Database, reporter: int | None, key: str, **extra: object) -> Report:
    """Store a report (see new_report) and return it."""
    report, _ = await ReportRepository(db).create(new_report(reporter, key, **extra))
    return report


async def register_users(db: Database, *ids: int) -> None:
    """Register users who have just started onboarding."""
    repo = UserRepository(db)
    for uid in ids:
        await repo.register(TelegramProfile(id=uid, first_name="U"), Language.EN, "language")
