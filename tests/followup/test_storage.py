"""FollowUpRepository and SatisfactionRepository on SQLite: ordering, notes apart from the
reporter's thread, status changes with their history, claims that survive a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.audit import Action, Actor, AuditEntry
from bot.core.users import Access
from bot.followup.model import InboxFilter
from bot.reporting.model import Author, Status
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.followup.repository import FollowUpRepository
from storage.followup.satisfaction import SatisfactionRepository
from storage.reporting import ReportRepository
from tests.records import add_report, register_users

NOW = datetime.now(UTC)
OFFICER = 7


def _audit(report_id: int | None, action: Action = Action.STATUS, at: datetime = NOW) -> AuditEntry:
    return AuditEntry(
        report_id=report_id, actor=Actor.STAFF, actor_id=OFFICER, action=action, at=at
    )


async def test_inbox_orders_by_urgency_then_age_and_filters(fresh_db: Database) -> None:
    await register_users(fresh_db, 1, OFFICER)
    low = await add_report(fresh_db, 1, "a", urgency="low")
    unsorted = await add_report(fresh_db, 1, "b", urgency=None, topic="it_systems")
    high = await add_report(fresh_db, 1, "c", urgency="high")
    normal = await add_report(fresh_db, 1, "d", urgency="normal", office="BORDER-NORTH")
    closed = await add_report(fresh_db, 1, "e", urgency="high")
    await fresh_db.execute("UPDATE reports SET status = 'resolved' WHERE id = ?", (closed.id,))
    store = FollowUpRepository(fresh_db)
    items, total = await store.find(InboxFilter(), OFFICER, 10)
    assert [i.id for i in items] == [high.id, unsorted.id, normal.id, low.id] and total == 4
    page, total = await store.find(InboxFilter(), OFFICER, 2, 2)
    assert [i.id for i in page] == [normal.id, low.id] and total == 4
    await store.assign(normal.id, OFFICER, _audit(normal.id, Action.ASSIGN))
    mine, _ = await store.find(InboxFilter(mine=True), OFFICER, 10)
    assert [i.id for i in mine] == [normal.id] and mine[0].assigned_to == OFFICER
    free, count = await store.find(InboxFilter(unassigned=True), OFFICER, 10)
    assert normal.id not in [i.id for i in free] and count == 3
    by_topic, _ = await store.find(InboxFilter(topic="it_systems"), OFFICER, 10)
    assert [i.id for i in by_topic] == [unsorted.id]
    by_office, _ = await store.find(InboxFilter(office="BORDER-NORTH"), OFFICER, 10)
    assert [i.id for i in by_office] == [normal.id]
    resolved, _ = await store.find(InboxFilter(status=Status.RESOLVED), OFFICER, 10)
    assert [i.id for i in resolved] == [closed.id]


async def test_notes_stay_out_of_the_reporters_thread(fresh_db: Database) -> None:
    await register_users(fresh_db, 1, OFFICER)
    report = await add_report(fresh_db, 1, "k")
    store = FollowUpRepository(fresh_db)
    await store.add_message(
        report.id, Author.OFFICER, "We are checking.", _audit(report.id), officer_id=OFFICER
    )
    await store.add_note(report.id, OFFICER, "Probably the scanner again", _audit(report.id))
    await store.add_message(report.id, Author.REPORTER, "Thanks!", _audit(report.id))
    officers = await store.officer_thread(report.id)
    assert [(e.body, e.internal, e.officer_id) for e in officers] == [
        ("We are checking.", False, OFFICER),
        ("Probably the scanner again", True, OFFICER),
        ("Thanks!", False, None),
    ]
    reporters = ReportRepository(fresh_db)
    assert [m.body for m in await reporters.thread(report.id)] == ["We are checking.", "Thanks!"]
    exported = str(await reporters.export_for_reporter(1))
    assert "scanner again" not in exported


async def test_a_status_change_leaves_its_history_in_one_go(fresh_db: Database) -> None:
    await register_users(fresh_db, 1)
    report = await add_report(fresh_db, 1, "k")
    store = FollowUpRepository(fresh_db)
    assert await store.move(report.id, Status.NEW, Status.ACKNOWLEDGED, _audit(report.id))
    assert not await store.move(report.id, Status.NEW, Status.REJECTED, _audit(report.id))
    assert await store.move(
        report.id, Status.ACKNOWLEDGED, Status.RESOLVED, _audit(report.id), ask=True
    )
    events = await fresh_db.fetch_all(
        "SELECT status FROM report_events WHERE report_id = ? ORDER BY id", (report.id,)
    )
    assert [e[0] for e in events] == ["acknowledged", "resolved"]
    assert len(await AuditRepository(fresh_db).for_report(report.id)) == 2
    survey = await SatisfactionRepository(fresh_db).latest(report.id)
    assert survey is not None and survey.answered_at is None


async def test_a_reply_acknowledges_a_new_report_once(fresh_db: Database) -> None:
    await register_users(fresh_db, 1)
    report = await add_report(fresh_db, 1, "k")
    store = FollowUpRepository(fresh_db)
    first = await store.add_message(
        report.id, Author.OFFICER, "Hello", _audit(report.id), acknowledge=_audit(report.id)
    )
    second = await store.add_message(
        report.id, Author.OFFICER, "Again", _audit(report.id), acknowledge=_audit(report.id)
    )
    assert first and not second
    tracked = await store.tracked(report.id)
    assert tracked is not None and tracked.report.status is Status.ACKNOWLEDGED
    events = await fresh_db.fetch_all("SELECT status FROM report_events")
    assert [e[0] for e in events] == ["acknowledged"]


async def test_duplicates_point_to_the_original_and_voices_count(fresh_db: Database) -> None:
    await register_users(fresh_db, 1, 2, 3)
    original = await add_report(fresh_db, 1, "o")
    copy = await add_report(fresh_db, 2, "c")
    reports = ReportRepository(fresh_db)
    await reports.add_voice(original.id, 3, "same here", "en")
    store = FollowUpRepository(fresh_db)
    await store.move(
        copy.id, Status.NEW, Status.DUPLICATE, _audit(copy.id), duplicate_of=original.id
    )
    tracked = await store.tracked_by_reference(copy.reference)
    assert tracked is not None and tracked.duplicate_of == original.reference
    first = await store.tracked(original.id)
    assert first is not None and first.group_size == 2


async def test_claims_hold_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    db = await Database.open(path)
    store = FollowUpRepository(db)
    results = await asyncio.gather(
        *(store.claim("overdue_summary", "2026-11-30", 5, NOW) for _ in range(5))
    )
    assert sorted(results) == [False, False, False, False, True]
    assert await store.claim("overdue_summary", "2026-11-30", 6, NOW)
    await db.close()
    again = await Database.open(path)
    try:
        store = FollowUpRepository(again)
        assert not await store.claim("overdue_summary", "2026-11-30", 5, NOW)
        assert await store.claim("overdue_summary", "2026-12-01", 5, NOW)
    finally:
        await again.close()


async def test_surveys_are_answered_once_and_asked_again_once(fresh_db: Database) -> None:
    await register_users(fresh_db, 1, 2)
    first = await add_report(fresh_db, 1, "a")
    second = await add_report(fresh_db, 2, "b")
    store, surveys = FollowUpRepository(fresh_db), SatisfactionRepository(fresh_db)
    asked = NOW - timedelta(days=4)
    for report in (first, second):
        await store.move(
            report.id, Status.NEW, Status.RESOLVED, _audit(report.id, at=asked), ask=True
        )
    due = await surveys.unanswered_since(NOW - timedelta(days=3))
    assert [s.report_id for s in due] == [first.id, second.id]
    assert not await surveys.unanswered_since(NOW - timedelta(days=5))
    one = due[0]
    assert await surveys.claim_reask(one.id, NOW) and not await surveys.claim_reask(one.id, NOW)
    rating = AuditEntry(report_id=second.id, actor=Actor.REPORTER, action=Action.RATING, at=NOW)
    reopen = rating.model_copy(update={"action": Action.STATUS})
    assert await surveys.answer(due[1], 2, False, rating, reopen) == (True, True)
    assert await surveys.answer(due[1], 5, True, rating) == (False, False)
    assert await surveys.unanswered_since(NOW) == []
    tracked = await store.tracked(second.id)
    assert tracked is not None and tracked.report.status is Status.IN_PROGRESS
    events = await fresh_db.fetch_all(
        "SELECT status FROM report_events WHERE report_id = ? ORDER BY id", (second.id,)
    )
    assert [e[0] for e in events] == ["resolved", "in_progress"]
    latest = await surveys.latest(second.id)
    assert latest is not None and latest.rating == 2 and latest.fixed is False
    assert await surveys.add_comment(latest, "Still stuck", rating)
    assert not await surveys.add_comment(latest, "Again", rating)


async def test_staff_role_values_read_back_as_access(fresh_db: Database) -> None:
    await register_users(fresh_db, OFFICER)
    user = await UserRepository(fresh_db).update(OFFICER, {"staff_role": "officer"})
    assert user.staff_role is Access.OFFICER
