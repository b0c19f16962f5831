"""Erasing a user leaves none of their personal values or texts in any table or database file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.core.audit import Action, Actor, AuditEntry
from storage.audit import AuditRepository, write_audit
from storage.db import ERASED, Database
from storage.erasure import UserErasure
from storage.reporting import ReportRepository
from tests.erasure_scan import found_in_files, found_in_tables
from tests.meetings.helpers import add_report, add_user

TRADER = 987_654_321
OFFICER = 876_543_219
OTHER = 5
NAME, USERNAME, ORGANISATION = "Zephyrine", "zephy_trades", "Quillfeather Logistics"
TYPED = (
    "thread reply about the marigold pallets",
    "same here with the turquoise scanner",
    "satisfaction comment on the obsidian gate",
    "notice comment on the saffron tariff",
    "officer note about the vermilion seal",
)
STAMP = "2026-11-20T10:00:00+00:00"


def personal_values(user_id: int) -> list[str]:
    """Return what must be gone once the user with this id is erased."""
    return [NAME, USERNAME, ORGANISATION, str(user_id), *TYPED]


async def fill(db: Database) -> int:
    """Store a trader and an officer who did everything a user can; return the report's id."""
    await add_user(db, TRADER, organisation=ORGANISATION, username=USERNAME)
    await add_user(db, OFFICER, staff="officer", username="officer_on_duty")
    await add_user(db, OTHER, organisation="Kedr LLC")
    await db.execute("UPDATE users SET first_name = ? WHERE id = ?", (NAME, TRADER))
    report = await add_report(db, TRADER, "k1", anonymous=False)
    other = await add_report(db, OTHER, "k2")
    reply = AuditEntry(
        report_id=report.id,
        actor=Actor.REPORTER,
        action=Action.REPORTER_REPLY,
        detail={"excerpt": TYPED[0]},
        at=datetime.now(UTC),
    )
    assign = AuditEntry(
        report_id=report.id,
        actor=Actor.STAFF,
        actor_id=OFFICER,
        action=Action.ASSIGN,
        detail={"from": None, "to": OFFICER},
        at=datetime.now(UTC),
    )
    note = assign.model_copy(update={"action": Action.NOTE, "detail": {"excerpt": TYPED[4]}})
    refused = AuditEntry(
        actor=Actor.USER,
        actor_id=TRADER,
        action=Action.REFUSED,
        detail={"attempted": "assign", "needed": "officer"},
        at=datetime.now(UTC),
    )
    async with db.transaction() as conn:
        for entry in (reply, assign, note, refused):
            await write_audit(conn, entry)
    for sql, params in (
        ("INSERT INTO report_messages (report_id, author, body, attachment, created_at)"
         " VALUES (?, 'reporter', ?, '{\"file_name\": \"x.pdf\"}', ?)",
         (report.id, TYPED[0], STAMP)),
        ("UPDATE reports SET assigned_to = ? WHERE id = ?", (OFFICER, report.id)),
        ("INSERT INTO report_notes (report_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
         (report.id, OFFICER, TYPED[4], STAMP)),
        ("INSERT INTO report_voices (report_id, user_id, comment, language, created_at)"
         " VALUES (?, ?, ?, 'en', ?)", (other.id, TRADER, TYPED[1], STAMP)),
        ("INSERT INTO satisfaction (report_id, asked_at, rating, fixed, comment, answered_at)"
         " VALUES (?, ?, 4, 1, ?, ?)", (report.id, STAMP, TYPED[2], STAMP)),
        ("INSERT INTO notices (id, author_id, status, chat_id, created_at, updated_at)"
         " VALUES (1, ?, 'sent', ?, ?, ?)", (OFFICER, OFFICER, STAMP, STAMP)),
        ("INSERT INTO notice_comments (notice_id, user_id, body, language, business_role,"
         " organisation, created_at) VALUES (1, ?, ?, 'en', 'trader', ?, ?)",
         (TRADER, TYPED[3], ORGANISATION, STAMP)),
        ("INSERT INTO meetings (id, title, starts_at, ends_at, zone, created_by, organisations,"
         " created_at, updated_at) VALUES (1, 'Consultation', ?, ?, 'UTC', ?, ?, ?, ?)",
         (STAMP, STAMP, OFFICER, json.dumps([ORGANISATION, "Kedr LLC"]), STAMP, STAMP)),
        ("INSERT INTO meeting_rsvps VALUES (1, ?, 'attend', ?)", (TRADER, STAMP)),
        ("INSERT INTO notice_subscriptions VALUES (?, 'topic', 'it_systems')", (TRADER,)),
        ("INSERT INTO conversations VALUES (?, 'report', ?, ?)",
         (TRADER, json.dumps({"text": TYPED[0]}), STAMP)),
        ("INSERT INTO invites (token, role, created_by, created_at, expires_at, used_by)"
         " VALUES ('tok', 'officer', 1, ?, ?, ?)", (STAMP, STAMP, OFFICER)),
        ("INSERT INTO claims VALUES ('overdue_summary', '2026-11-30', ?, ?)",
         (OFFICER, STAMP)),
        ("INSERT INTO claims VALUES ('digest', '2026-W47', ?, ?)", (OFFICER, STAMP)),
    ):  # fmt: skip
        await db.execute(sql, params)
    return report.id


async def test_erasing_a_trader_leaves_nothing_of_them_in_tables_or_files(
    fresh_db: Database,
) -> None:
    report_id = await fill(fresh_db)
    values = [NAME, USERNAME, ORGANISATION, str(TRADER), *TYPED[:4]]
    assert await found_in_tables(fresh_db, values)  # the scans see them before
    assert found_in_files(fresh_db.path, values)
    assert await UserErasure(fresh_db).erase(TRADER)
    assert await found_in_tables(fresh_db, values) == []
    assert found_in_files(fresh_db.path, values) == []
    kept = await ReportRepository(fresh_db).get(report_id)
    assert kept is not None and kept.reporter_id is None
    assert kept.description == "Containers held at the port scanner for days"
    rows = await fresh_db.fetch_all("SELECT body FROM report_messages")
    assert [row[0] for row in rows] == [ERASED]
    comments = await fresh_db.fetch_all("SELECT body, business_role FROM notice_comments")
    assert [tuple(row) for row in comments] == [(ERASED, "trader")]  # still counted, by role
    meeting = await fresh_db.fetch_one("SELECT organisations FROM meetings")
    assert meeting is not None and json.loads(meeting[0]) == ["Kedr LLC"]


async def test_erasing_an_officer_pseudonymises_them_consistently_in_the_audit_log(
    fresh_db: Database,
) -> None:
    report_id = await fill(fresh_db)
    assert await UserErasure(fresh_db).erase(OFFICER)
    assert await found_in_tables(fresh_db, [str(OFFICER), "officer_on_duty"]) == []
    assert found_in_files(fresh_db.path, [str(OFFICER), "officer_on_duty"]) == []
    entries = await AuditRepository(fresh_db).for_report(report_id)
    staff = [entry for entry in entries if entry.actor is Actor.STAFF]
    pseudonym = staff[0].actor_id
    assert pseudonym is not None and pseudonym < 0  # never a Telegram user id
    assert {entry.actor_id for entry in staff} == {pseudonym}
    assert staff[0].detail["to"] == pseudonym  # "assigned to" the same person who acted
    assert staff[1].detail["excerpt"] == TYPED[4]  # their notes are Customs' record, kept
    report = await ReportRepository(fresh_db).get(report_id)
    assert report is not None and report.reporter_id == TRADER  # the trader is untouched


async def test_two_erasures_get_different_pseudonyms(fresh_db: Database) -> None:
    await fill(fresh_db)
    assert await UserErasure(fresh_db).erase(OFFICER)
    assert await UserErasure(fresh_db).erase(TRADER)
    assert not await UserErasure(fresh_db).erase(TRADER)  # nobody left to erase
    rows = await fresh_db.fetch_all(
        "SELECT actor, actor_id FROM audit_log WHERE actor != 'reporter'"
    )
    pseudonyms = {row[0]: row[1] for row in rows}
    assert len(pseudonyms) == 2 and pseudonyms["staff"] != pseudonyms["user"]
