"""Drafting, reviewing and publishing a month's bulletin on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.bulletins.model import Headline, ItemKind, Month, Status
from bot.bulletins.service import COPY, BulletinService
from bot.core.access import AccessControl, NotAllowed
from bot.core.errors import UserError
from bot.core.i18n import Translator
from config.reference_data import load_taxonomy
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.bulletins import BulletinRepository
from storage.db import Database, bundled_migrations
from tests.fakes import Clock

ADMIN, TOM, LUCIA, DMITRI, PIA = 1, 11, 12, 13, 14
NOVEMBER = Month.parse("2026-11")
IN_NOVEMBER = "2026-11-20T10:00:00+00:00"


async def _user(db: Database, user_id: int, name: str, language: str = "en") -> None:
    await db.execute(
        "INSERT INTO users (id, first_name, username, language, organisation,"
        " privacy_accepted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user_id,
            name,
            name.lower() + "_u",
            language,
            f"{name} Trading",
            IN_NOVEMBER,
            IN_NOVEMBER,
            IN_NOVEMBER,
        ),
    )


async def _report(
    db: Database,
    reference: str,
    reporter: int,
    topic: str,
    office: str,
    *,
    status: str = "resolved",
    resolved_at: str = IN_NOVEMBER,
    answer: str | None = None,
    voices: tuple[int, ...] = (),
) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO reports (reference, reporter_id, draft_key, kind, description, topic,"
            " office, language, status, created_at, updated_at)"
            " VALUES (?, ?, ?, 'issue', 'typed by a trader at the port', ?, ?, 'en', ?, ?, ?)",
            (reference, reporter, reference, topic, office, status, IN_NOVEMBER, IN_NOVEMBER),
        )
        report_id = cursor.lastrowid
        assert report_id is not None
        await conn.execute(
            "INSERT INTO report_events (report_id, status, at) VALUES (?, ?, ?)",
            (report_id, status, resolved_at),
        )
        if answer:
            await conn.execute(
                "INSERT INTO report_messages (report_id, author, author_id, body, created_at)"
                " VALUES (?, 'officer', ?, ?, ?)",
                (report_id, ADMIN, answer, resolved_at),
            )
        for voice in voices:
            await conn.execute(
                "INSERT INTO report_voices (report_id, user_id, created_at) VALUES (?, ?, ?)",
                (report_id, voice, resolved_at),
            )
    return report_id


def _today(clock: Clock) -> date:
    return clock.now.date()


def _service(db: Database, clock: Clock, figures: Headline | None = None) -> BulletinService:
    async def headline(first: date, last: date) -> Headline:
        assert (first, last) == (NOVEMBER.first, NOVEMBER.last)
        return figures or Headline(reports=12)

    access = AccessControl(UserRepository(db), AuditRepository(db), frozenset({ADMIN}), clock)
    return BulletinService(
        BulletinRepository(db),
        headline,
        Translator.from_directory(),
        load_taxonomy(),
        admin_ids=frozenset({ADMIN}),
        channel_id=-1003000000001,
        zone_today=partial(_today, clock),
        gate=access,
        clock=clock,
    )


@pytest.fixture
async def db(fresh_db: Database) -> Database:
    for user_id, name, language in (
        (ADMIN, "Sam", "en"),
        (TOM, "Tom", "en"),
        (LUCIA, "Lucia", "es"),
        (DMITRI, "Dmitri", "ru"),
        (PIA, "Pia", "en"),
    ):
        await _user(fresh_db, user_id, name, language)
    return fresh_db


async def test_a_draft_has_the_months_recurring_resolved_issues_actions_and_notices(
    db: Database,
) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    port = await _report(
        db,
        "R-2026-00001",
        TOM,
        "release_delays",
        "PORT-MAIN",
        answer="Officer's reply",
        voices=(LUCIA, DMITRI),
    )
    await _report(db, "R-2026-00002", LUCIA, "release_delays", "PORT-MAIN")
    await _report(db, "R-2026-00003", PIA, "documentation", "HQ")  # one trader: not recurring
    await _report(db, "R-2026-00004", TOM, "it_systems", "HQ", status="in_progress", voices=(PIA,))
    await _report(
        db,
        "R-2026-00005",
        TOM,
        "fees_payments",
        "HQ",
        voices=(PIA,),
        resolved_at="2026-10-30T10:00:00+00:00",
    )
    async with db.transaction() as conn:
        meeting = await conn.execute(
            "INSERT INTO meetings (title, starts_at, ends_at, zone, created_by, created_at,"
            " updated_at) VALUES ('Port', ?, ?, 'UTC', 1, ?, ?)",
            (IN_NOVEMBER,) * 4,
        )
        action = await conn.execute(
            "INSERT INTO action_items (meeting_id, what, owner_id, due_on, recorded_by,"
            " created_at, done_at, outcome) VALUES (?, 'Open a second lane', 1, '2026-11-25',"
            " 1, ?, ?, 'Lane 2 opens at 06:00')",
            (meeting.lastrowid, IN_NOVEMBER, IN_NOVEMBER),
        )
        await conn.execute(
            "INSERT INTO action_item_reports (action_id, report_id) VALUES (?, ?)",
            (action.lastrowid, port),
        )
        await conn.execute(
            "INSERT INTO notices (author_id, status, texts, started_at, created_at, updated_at)"
            " VALUES (1, 'sent', ?, ?, ?, ?)",
            (
                '{"en": "<b>Transit rules</b>\\nfrom January", "es": "Reglas de tránsito"}',
                IN_NOVEMBER,
                IN_NOVEMBER,
                IN_NOVEMBER,
            ),
        )
    service = _service(db, clock)
    bulletin, drafted = await service.draft(NOVEMBER)
    assert drafted and bulletin.status is Status.DRAFT and bulletin.figures.reports == 12
    issue, action_done, notice = bulletin.items
    assert (issue.kind, issue.topic, issue.office, issue.traders) == (
        ItemKind.ISSUE,
        "release_delays",
        "PORT-MAIN",
        3,
    )
    assert issue.outcome == "Lane 2 opens at 06:00"  # the action item's public outcome first
    assert action_done.kind is ItemKind.ACTION and "Open a second lane" in action_done.outcome
    assert notice.text_in("en") == "Transit rules" and notice.text_in("es") == "Reglas de tránsito"
    again, drafted = await service.draft(NOVEMBER)
    assert not drafted and again == bulletin  # one draft a month, however often it runs


async def test_only_an_admin_reviews_and_nothing_naming_anyone_is_published(db: Database) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    await _report(
        db,
        "R-2026-00001",
        TOM,
        "release_delays",
        "PORT-MAIN",
        answer="Done for Tom Trading",
        voices=(LUCIA,),
    )
    await _report(db, "R-2026-00002", DMITRI, "it_systems", "HQ", answer="Fixed", voices=(PIA,))
    service = _service(db, clock)
    with pytest.raises(NotAllowed):
        await service.draft_for(TOM, "")
    with pytest.raises(UserError):
        await service.draft_for(ADMIN, "2026-12")  # this month is not over
    bulletin = await service.draft_for(ADMIN, "")
    assert bulletin.month == NOVEMBER
    portal, port = bulletin.items  # as many traders each: by topic code
    assert (portal.topic, port.topic) == ("it_systems", "release_delays")
    with pytest.raises(NotAllowed):
        await service.drop(TOM, bulletin.id, port.id)
    with pytest.raises(UserError, match=r"bulletin\.error_identifying"):
        await service.publish(ADMIN, bulletin.id)  # the reply names Tom's organisation
    await service.edit(ADMIN, bulletin.id, port.id, "As typed by a trader at the port: done")
    with pytest.raises(UserError, match=r"bulletin\.error_identifying"):
        await service.publish(ADMIN, bulletin.id)  # it quotes what the reporter typed
    await service.edit(ADMIN, bulletin.id, port.id, "Lane 2 opens at 06:00.")
    await service.drop(ADMIN, bulletin.id, portal.id)
    published = await service.publish(ADMIN, bulletin.id)
    assert published.status is Status.PUBLISHED and [i.id for i in published.published] == [port.id]
    with pytest.raises(UserError, match=r"bulletin\.already_published"):
        await service.publish(ADMIN, bulletin.id)
    with pytest.raises(UserError, match=r"bulletin\.already_published"):
        await service.edit(ADMIN, bulletin.id, port.id, "Too late")
    # Told: the reporter and supporter of the published item, not those of the dropped one.
    assert sorted(await service.mentions(published)) == [
        (TOM, "en", "R-2026-00001"),
        (LUCIA, "es", "R-2026-00001"),
    ]
    assert await service.recently_published(timedelta(hours=1)) == [published]


async def test_the_switch_and_claims(db: Database) -> None:
    clock = Clock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    service = _service(db, clock)
    everyone = [user for user, _ in await service.audience()]
    assert everyone == [ADMIN, TOM, LUCIA, DMITRI, PIA]  # on by default
    assert await service.toggle(PIA) is False
    assert PIA not in [user for user, _ in await service.audience()]
    assert await service.toggle(PIA) is True and await service.subscribed(PIA)
    assert await service.claim(COPY, "1", TOM) and not await service.claim(COPY, "1", TOM)
    assert await service.admins() == [(ADMIN, "en")]


async def test_the_upgrade_to_bulletins_keeps_users(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db", migrate=False)
    try:
        await db.migrate([m for m in bundled_migrations() if m.number < 15])
        await _user(db, TOM, "Tom")
        assert [m.number for m in await db.migrate()] == [15]
        service = _service(db, Clock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
        assert await service.subscribed(TOM) and await service.archive() == []
        assert await service.toggle(TOM) is False
        await db.execute("DELETE FROM users WHERE id = ?", (TOM,))  # erased: the switch goes too
        assert await db.fetch_all("SELECT * FROM bulletin_optouts") == []
    finally:
        await db.close()
