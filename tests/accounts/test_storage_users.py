"""UserRepository: register once, update fields, export, erase."""

from __future__ import annotations

from bot.core.users import BusinessRole, Language, TelegramProfile
from storage.accounts.users import UserRepository
from storage.db import Database
from storage.erasure import UserErasure
from storage.reporting import ReportRepository
from tests.meetings.helpers import add_report, add_user


async def test_register_is_idempotent_and_refreshes_names(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    user, created = await repo.register(
        TelegramProfile(id=5, first_name="Ana"), Language.ES, "language"
    )
    assert created and user.language is Language.ES and user.onboarding_step == "language"
    again, created_again = await repo.register(
        TelegramProfile(id=5, first_name="Ana María"), Language.EN, "language"
    )
    assert not created_again
    assert again.first_name == "Ana María"
    assert again.language is Language.ES  # a returning user keeps their chosen language
    assert await repo.count() == 1


async def test_update_and_export(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    await repo.register(TelegramProfile(id=9, first_name="Ivan"), Language.RU, "language")
    user = await repo.update(9, {"business_role": "broker", "notices_enabled": False})
    assert user.business_role is BusinessRole.BROKER and not user.notices_enabled
    exported = await repo.export(9)
    assert exported["user"]["business_role"] == "broker"


async def test_delete_erases_the_row(fresh_db: Database) -> None:
    repo = UserRepository(fresh_db)
    await repo.register(TelegramProfile(id=3, first_name="Bo"), Language.EN, "language")
    assert await UserErasure(fresh_db).erase(3)
    assert await repo.get(3) is None
    assert (await repo.export(3))["user"] is None


async def test_export_holds_what_the_user_did_elsewhere_and_no_officer_bookkeeping(
    fresh_db: Database,
) -> None:
    await add_user(fresh_db, 7, organisation="Kedr LLC")
    await add_user(fresh_db, 9, staff="officer")
    report = await add_report(fresh_db, 7, "k1")
    other = await add_report(fresh_db, 9, "k2")
    stamp = "2026-11-20T10:00:00+00:00"
    for sql, params in (
        ("UPDATE reports SET assigned_to = 9 WHERE id = ?", (report.id,)),
        ("INSERT INTO report_voices (report_id, user_id, created_at) VALUES (?, 7, ?)",
         (other.id, stamp)),
        ("INSERT INTO satisfaction (report_id, asked_at, rating, fixed, answered_at)"
         " VALUES (?, ?, 4, 1, ?)", (report.id, stamp, stamp)),
        ("INSERT INTO meetings (id, title, starts_at, ends_at, zone, created_by, created_at,"
         " updated_at) VALUES (1, 'Consultation', ?, ?, 'UTC', 9, ?, ?)",
         (stamp, stamp, stamp, stamp)),
        ("INSERT INTO meeting_rsvps VALUES (1, 7, 'attend', ?)", (stamp,)),
        ("INSERT INTO notice_subscriptions VALUES (7, 'topic', 'it_systems')", ()),
    ):  # fmt: skip
        await fresh_db.execute(sql, params)
    data = await UserRepository(fresh_db).export(7)
    assert data["user"]["organisation"] == "Kedr LLC"
    assert [v["report_id"] for v in data["voices_added"]] == [other.id]
    assert [(s["rating"], s["fixed"]) for s in data["satisfaction_answers"]] == [(4, 1)]
    assert data["meeting_answers"] == [{"meeting_id": 1, "answer": "attend", "updated_at": stamp}]
    assert data["notice_subscriptions"] == [{"kind": "topic", "code": "it_systems"}]
    assert data["notice_comments"] == [] and data["action_items_owned"] == []
    (exported,) = await ReportRepository(fresh_db).export_for_reporter(7)
    assert exported["reference"] == report.reference and "assigned_to" not in exported
