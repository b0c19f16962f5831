"""Every capability checks the caller's role in its service, and audits a refusal."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.core.access import AccessControl, NotAllowed
from bot.core.audit import Action
from bot.core.i18n import Translator
from bot.digests.service import DigestService
from bot.sorting.service import SortingService
from config.reference_data import load_taxonomy
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.digests.queries import DigestRepository
from storage.reporting import ReportRepository
from tests.records import add_report, register_users

ADMIN, TRADER = 1, 2


def gate(db: Database) -> AccessControl:
    """Return the access control the bot builds, with one configured admin."""
    return AccessControl(UserRepository(db), AuditRepository(db), frozenset({ADMIN}))


async def refusals(db: Database) -> list[tuple[int | None, str]]:
    """Return (actor, attempted action) of every refusal in the audit log."""
    entries = await AuditRepository(db).recent()
    return [(e.actor_id, str(e.detail["attempted"])) for e in entries if e.action is Action.REFUSED]


async def test_a_trader_asking_for_a_digest_is_refused_and_audited(fresh_db: Database) -> None:
    await register_users(fresh_db, TRADER)
    service = DigestService(
        await DigestRepository.open(fresh_db),
        load_taxonomy(),
        Translator.from_directory(),
        ZoneInfo("UTC"),
        gate=gate(fresh_db),
    )
    with pytest.raises(NotAllowed):
        await service.period_for(TRADER, "week")
    assert await refusals(fresh_db) == [(TRADER, "digest")]
    period = await service.period_for(ADMIN, "month")
    assert (period.end - period.start).days >= 28
    assert await refusals(fresh_db) == [(TRADER, "digest")]


async def test_a_trader_looking_up_a_reports_sorting_is_refused_and_audited(
    fresh_db: Database,
) -> None:
    await register_users(fresh_db, TRADER)
    report = await add_report(fresh_db, TRADER, "k1")
    service = SortingService(ReportRepository(fresh_db), gate=gate(fresh_db))
    with pytest.raises(NotAllowed):
        await service.report_for(TRADER, report.reference)
    assert await refusals(fresh_db) == [(TRADER, "correct")]
    found = await service.report_for(ADMIN, report.reference)
    assert found is not None and found.id == report.id
