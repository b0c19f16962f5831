"""Follow-up over real SQLite: the whole path of an anonymous report, who may do what,
anonymity in every officer-facing output, service levels, alerts and satisfaction."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.access import AccessControl, NotAllowed
from bot.core.audit import Action, Actor
from bot.core.errors import UserError
from bot.core.notifications import Notification
from bot.core.service_levels import parse_service_levels
from bot.core.users import Language, TelegramProfile
from bot.followup.alerts import AlertService
from bot.followup.inbox import InboxService
from bot.followup.model import InboxFilter, InvalidTransition, Overdue
from bot.followup.recipients import Recipients
from bot.followup.satisfaction import SatisfactionService
from bot.followup.service import FollowUpService, ReportNotFound
from bot.reporting.model import Report, Status
from bot.reporting.my_reports import MyReportsService
from bot.reporting.supporters import Supporters
from bot.sorting.service import SortingService
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.followup.repository import FollowUpRepository
from storage.followup.satisfaction import SatisfactionRepository
from storage.reporting import ReportRepository
from tests.fakes import Clock
from tests.records import add_report

ADMIN, OFFICER, OTHER_OFFICER = 1, 2, 3
TRADER, BYSTANDER = 987654321, 5555
SECRETS = ("987654321", "Zelda", "Quux", "zq_secret", "Secret Org")
LEVELS = parse_service_levels("high=30s/2m, normal=1m/5m, low=2m/10m")


@dataclass
class World:
    """Every follow-up service over one database, as bot/app.py would wire them."""

    db: Database
    clock: Clock
    inbox: InboxService
    followup: FollowUpService
    alerts: AlertService
    satisfaction: SatisfactionService
    mine: MyReportsService
    audit: AuditRepository


def build(db: Database, clock: Clock, officers_chat: int | None = None) -> World:
    users, audit, store = UserRepository(db), AuditRepository(db), FollowUpRepository(db)
    access = AccessControl(users, audit, frozenset({ADMIN}), clock)
    followers = Supporters(ReportRepository(db))
    tell = Recipients(access, users, officers_chat, followers=followers)
    zone = ZoneInfo("UTC")
    return World(
        db,
        clock,
        InboxService(store, users, audit, access, levels=LEVELS, zone=zone, clock=clock),
        FollowUpService(store, users, audit, access, tell, clock=clock),
        AlertService(store, tell, levels=LEVELS, zone=zone, clock=clock),
        SatisfactionService(
            SatisfactionRepository(db),
            store,
            access,
            tell,
            reask_after=timedelta(minutes=10),
            clock=clock,
        ),
        MyReportsService(ReportRepository(db), ConversationRepository(db)),
        audit,
    )


async def _people(db: Database) -> None:
    users = UserRepository(db)
    profiles = [
        TelegramProfile(id=ADMIN, first_name="Ada", last_name="Admin"),
        TelegramProfile(id=OFFICER, first_name="Olga", last_name="Officer"),
        TelegramProfile(id=OTHER_OFFICER, first_name="Omar"),
        TelegramProfile(id=TRADER, first_name="Zelda", last_name="Quux", username="zq_secret"),
        TelegramProfile(id=BYSTANDER, first_name="Bob"),
    ]
    for profile in profiles:
        await users.register(profile, Language.EN, "language")
    await users.update(OFFICER, {"staff_role": "officer", "language": "ru"})
    await users.update(OTHER_OFFICER, {"staff_role": "officer"})
    await users.update(TRADER, {"organisation": "Secret Org Ltd", "language": "es"})


@pytest.fixture
async def world(fresh_db: Database) -> AsyncIterator[World]:
    await _people(fresh_db)
    yield build(fresh_db, Clock())


async def _file(world: World, key: str = "k", *, anonymous: bool = True, **extra: Any) -> Report:
    fields: dict[str, Any] = {
        "description": "Our trucks wait three days at the northern border post",
        "topic": "release_delays",
        "office": "BORDER-NORTH",
        "anonymous": anonymous,
        "urgency": "normal",
    }
    return await add_report(world.db, TRADER, key, **{**fields, **extra})


def _to(notifications: Iterable[Notification], chat_id: int) -> list[Notification]:
    return [n for n in notifications if n.chat_id == chat_id]


def _assert_nameless(*outputs: object) -> None:
    for output in outputs:
        shown = repr(output)
        for secret in SECRETS:
            assert secret not in shown, f"{secret!r} shown to officers in {shown[:300]}"


async def test_an_anonymous_report_from_inbox_to_reopened(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    report = await _file(world)
    officer_outputs: list[object] = []

    page = await world.inbox.inbox(OFFICER)
    assert [item.reference for item in page.items] == [report.reference]
    view = await world.inbox.open_report(OFFICER, report.reference.lower())
    assert view.reporter is None and view.description.startswith("Our trucks")
    officer_outputs += [page, view]

    assigned = await world.followup.assign(OFFICER, report.id, OFFICER)
    replied = await world.followup.reply(OFFICER, report.id, "Which lane were you in?")
    assert replied.status is Status.ACKNOWLEDGED  # answering a new report acknowledges it
    [notice] = replied.notifications
    assert (notice.chat_id, notice.key, notice.language) == (TRADER, "followup.notice.reply", "es")
    assert notice.params == {"reference": report.reference, "text": "Which lane were you in?"}

    answered = await world.followup.reporter_reply(report.id, TRADER, "Lane 3, since Monday")
    [to_officer] = answered.notifications
    assert (to_officer.chat_id, to_officer.key) == (OFFICER, "followup.officer.reporter_replied")
    assert to_officer.language == "ru"

    resolved = await world.followup.set_status(OFFICER, report.reference, Status.RESOLVED)
    assert [n.key for n in _to(resolved.notifications, TRADER)] == [
        "followup.notice.status",
        "followup.ask.fixed",
    ]
    rated = await world.satisfaction.rate(report.id, TRADER, 2, fixed=False)
    assert rated.status is Status.IN_PROGRESS
    [told] = rated.notifications
    assert (told.chat_id, told.key, told.params["rating"]) == (
        OFFICER,
        "followup.officer.reopened",
        2,
    )
    commented = await world.satisfaction.comment(report.id, TRADER, "Still waiting at lane 3")

    view = await world.inbox.open_report(OFFICER, report.id)
    assert view.status is Status.IN_PROGRESS and view.assigned_to == OFFICER
    assert [e.body for e in view.thread] == ["Which lane were you in?", "Lane 3, since Monday"]
    history = await world.inbox.history(OFFICER, report.reference)
    assert [(e.action, e.actor) for e in history] == [
        (Action.ASSIGN, Actor.STAFF),
        (Action.REPLY, Actor.STAFF),
        (Action.STATUS, Actor.STAFF),
        (Action.REPORTER_REPLY, Actor.REPORTER),
        (Action.STATUS, Actor.STAFF),
        (Action.RATING, Actor.REPORTER),
        (Action.STATUS, Actor.REPORTER),
        (Action.COMMENT, Actor.REPORTER),
    ]
    events = await world.db.fetch_all(
        "SELECT status FROM report_events WHERE report_id = ? ORDER BY id", (report.id,)
    )
    assert [e[0] for e in events] == ["acknowledged", "resolved", "in_progress"]
    officer_outputs += [view, history, assigned, answered, commented, rated]
    officer_outputs += [
        n for d in (replied, resolved) for n in d.notifications if n.chat_id != TRADER
    ]
    officer_outputs += [await world.inbox.inbox(OFFICER, InboxFilter(mine=True))]
    _assert_nameless(*officer_outputs)
    ours = [r for r in caplog.records if r.name.startswith(("bot.", "storage."))]
    assert ours  # the services do log what officers did
    _assert_nameless(*[(r.getMessage(), r.__dict__) for r in ours])


async def test_a_named_report_shows_name_and_organisation_only(world: World) -> None:
    report = await _file(world, anonymous=False)
    view = await world.inbox.open_report(ADMIN, report.id)
    assert view.reporter is not None
    assert (view.reporter.name, view.reporter.organisation) == ("Zelda Quux", "Secret Org Ltd")
    assert "987654321" not in repr(view) and "zq_secret" not in repr(view)


async def test_officers_are_told_without_identity(fresh_db: Database) -> None:
    await _people(fresh_db)
    world = build(fresh_db, Clock())
    urgent = await _file(world, "u", urgency="high")
    calm = await _file(world, "c")
    told = await world.alerts.urgent(urgent)
    assert sorted(n.chat_id for n in told) == [ADMIN, OFFICER, OTHER_OFFICER]
    assert {n.key for n in told} == {"followup.officer.urgent"}
    assert told[0].params["reference"] == urgent.reference
    _assert_nameless(told)
    assert await world.alerts.urgent(calm) == []
    group = build(fresh_db, Clock(), officers_chat=-100123)
    [to_group] = await group.alerts.urgent(urgent)
    assert to_group.chat_id == -100123 and to_group.language is None
    assert await group.alerts.summary_recipients() == [-100123]


async def test_traders_are_refused_everything_and_it_is_audited(world: World) -> None:
    report = await _file(world)
    attempts = [
        world.inbox.inbox(TRADER),
        world.inbox.inbox(BYSTANDER, InboxFilter(overdue=True)),
        world.inbox.open_report(TRADER, report.id),
        world.inbox.history(BYSTANDER, report.reference),
        world.followup.assign(TRADER, report.id, TRADER),
        world.followup.set_status(BYSTANDER, report.id, Status.REJECTED, reason="spam"),
        world.followup.reply(TRADER, report.id, "I answer myself"),
        world.followup.request_info(BYSTANDER, report.id, "Tell me more"),
        world.followup.note(TRADER, report.id, "hidden"),
        world.followup.correct(BYSTANDER, report.id, urgency="high"),
        world.followup.reporter_reply(report.id, BYSTANDER, "Not my report"),
        world.satisfaction.rate(report.id, BYSTANDER, 5, fixed=True),
        world.satisfaction.comment(report.id, BYSTANDER, "Nice"),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            await attempt
    refusals = [e for e in await world.audit.recent(100) if e.action is Action.REFUSED]
    assert len(refusals) == len(attempts)
    assert all(e.report_id is None for e in refusals)
    assert await world.audit.for_report(report.id) == []
    view = await world.inbox.open_report(OFFICER, report.id)
    assert view.status is Status.NEW and view.thread == () and view.assigned_to is None


async def test_a_revoked_officer_is_refused_at_once(world: World) -> None:
    report = await _file(world)
    await world.followup.assign(OTHER_OFFICER, report.id, OTHER_OFFICER)
    await UserRepository(world.db).update(OTHER_OFFICER, {"staff_role": None})
    with pytest.raises(NotAllowed):
        await world.followup.note(OTHER_OFFICER, report.id, "still here?")
    with pytest.raises(UserError):
        await world.followup.assign(OFFICER, report.id, BYSTANDER)  # not an officer


async def test_reject_needs_a_reason_and_duplicate_an_original(world: World) -> None:
    first = await _file(world, "a")
    second = await _file(world, "b")
    with pytest.raises(UserError):
        await world.followup.set_status(OFFICER, first.id, Status.REJECTED)
    with pytest.raises(UserError):
        await world.followup.set_status(OFFICER, second.id, Status.DUPLICATE, duplicate_of="R-1")
    with pytest.raises(UserError):
        await world.followup.set_status(
            OFFICER, second.id, Status.DUPLICATE, duplicate_of=second.reference
        )
    done = await world.followup.set_status(
        OFFICER, second.id, Status.DUPLICATE, duplicate_of=first.reference.lower()
    )
    [notice] = done.notifications
    assert (
        notice.key == "followup.notice.duplicate" and notice.params["original"] == first.reference
    )
    rejected = await world.followup.set_status(
        OFFICER, first.id, Status.REJECTED, reason="Outside customs' remit"
    )
    assert rejected.notifications[0].params["reason"] == "Outside customs' remit"
    with pytest.raises(InvalidTransition):
        await world.followup.set_status(OFFICER, first.id, Status.RESOLVED)
    view = await world.inbox.open_report(OFFICER, second.id)
    assert view.duplicate_of == first.reference
    with pytest.raises(ReportNotFound):
        await world.inbox.open_report(OFFICER, "R-2099-99999")


async def test_notes_and_info_requests(world: World) -> None:
    report = await _file(world)
    note = await world.followup.note(OFFICER, report.id, "Call the border chief")
    assert note.notifications == ()
    asked = await world.followup.request_info(OFFICER, report.id, "Which truck plate?")
    assert asked.status is Status.NEW  # asking for information leaves the status
    assert [n.key for n in asked.notifications] == ["followup.notice.info_request"]
    _, thread = await world.mine.open_own(TRADER, report.id)
    assert [m.body for m in thread] == ["Which truck plate?"]
    view = await world.inbox.open_report(OFFICER, report.id)
    assert [(e.body, e.internal) for e in view.thread] == [
        ("Call the border chief", True),
        ("Which truck plate?", False),
    ]


async def test_a_status_change_by_someone_else_tells_the_assignee(world: World) -> None:
    report = await _file(world)
    assigned = await world.followup.assign(ADMIN, report.id, OFFICER)
    assert [(n.chat_id, n.key) for n in assigned.notifications] == [
        (OFFICER, "followup.officer.assigned")
    ]
    assert assigned.notifications[0].params["by"] == "Ada Admin"
    done = await world.followup.set_status(ADMIN, report.id, Status.IN_PROGRESS)
    assert [(n.chat_id, n.key) for n in done.notifications] == [
        (TRADER, "followup.notice.status"),
        (OFFICER, "followup.officer.status"),
    ]


async def test_inbox_flags_overdue_reports_and_filters_them(world: World) -> None:
    urgent = await _file(world, "u", urgency="high")
    normal = await _file(world, "n")
    low = await _file(world, "l", urgency="low")
    world.clock.now += timedelta(seconds=90)  # high: past 30s to acknowledge
    page = await world.inbox.inbox(OFFICER)
    flags = {item.id: item.overdue for item in page.items}
    assert flags == {urgent.id: Overdue.ACKNOWLEDGE, normal.id: Overdue.ACKNOWLEDGE, low.id: None}
    await world.followup.set_status(OFFICER, normal.id, Status.ACKNOWLEDGED)
    world.clock.now += timedelta(minutes=2)
    overdue = await world.inbox.inbox(OFFICER, InboxFilter(overdue=True), page_size=1)
    assert overdue.total == 2 and overdue.pages == 2
    assert overdue.items[0].id == urgent.id and overdue.items[0].overdue is Overdue.RESOLVE
    assert [i.id for i in await world.alerts.overdue()] == [urgent.id, low.id]
    beyond = await world.inbox.inbox(OFFICER, page=99, page_size=2)
    assert (beyond.number, beyond.pages, [i.id for i in beyond.items]) == (2, 2, [low.id])
    view = await world.inbox.open_report(OFFICER, normal.id)
    assert view.overdue is None


async def test_the_daily_summary_goes_once_per_recipient(world: World) -> None:
    day = date(2026, 11, 30)
    assert await world.alerts.summary_recipients() == [ADMIN, OFFICER, OTHER_OFFICER]
    assert await world.alerts.claim_summary(day, OFFICER)
    assert not await world.alerts.claim_summary(day, OFFICER)
    assert await world.alerts.claim_summary(day + timedelta(days=1), OFFICER)


async def test_the_reminder_to_rate_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    db = await Database.open(path)
    await _people(db)
    clock = Clock()
    world = build(db, clock)
    report = await _file(world)
    await world.followup.set_status(OFFICER, report.id, Status.RESOLVED)
    clock.now += timedelta(minutes=5)
    assert await world.satisfaction.due_reasks() == []
    await db.close()

    db = await Database.open(path)
    try:
        clock.now += timedelta(minutes=6)
        world = build(db, clock)
        [due] = await world.satisfaction.due_reasks()
        assert (due.chat_id, due.key, due.report_id) == (
            TRADER,
            "followup.ask.fixed_again",
            report.id,
        )
        assert await world.satisfaction.claim_reask(report.id)
        assert not await world.satisfaction.claim_reask(report.id)
        assert await world.satisfaction.due_reasks() == []
        done = await world.satisfaction.rate(report.reference, TRADER, 5, fixed=True)
        assert done.status is Status.RESOLVED and done.notifications == ()
        with pytest.raises(UserError):
            await world.satisfaction.rate(report.id, TRADER, 1, fixed=False)
    finally:
        await db.close()


async def test_rating_needs_a_question_and_a_comment_a_rating(world: World) -> None:
    report = await _file(world)
    with pytest.raises(UserError):
        await world.satisfaction.rate(report.id, TRADER, 4, fixed=True)  # not resolved yet
    await world.followup.set_status(OFFICER, report.id, Status.RESOLVED)
    with pytest.raises(UserError):
        await world.satisfaction.comment(report.id, TRADER, "Great work")
    with pytest.raises(UserError):
        await world.satisfaction.rate(report.id, TRADER, 9, fixed=True)
    with pytest.raises(UserError):
        await world.followup.reporter_reply(report.id, TRADER, "Closed already?")


async def test_not_fixed_without_assignee_tells_every_officer(world: World) -> None:
    report = await _file(world)
    await world.followup.set_status(OFFICER, report.id, Status.RESOLVED)
    done = await world.satisfaction.rate(report.id, TRADER, 1, fixed=False)
    assert sorted(n.chat_id for n in done.notifications) == [ADMIN, OFFICER, OTHER_OFFICER]
    _assert_nameless(done)


async def test_corrections_go_through_sorting_and_are_audited(world: World) -> None:
    sorting = SortingService(ReportRepository(world.db))
    await sorting.load()
    users, audit = UserRepository(world.db), world.audit
    access = AccessControl(users, audit, frozenset({ADMIN}), world.clock)
    service = FollowUpService(
        FollowUpRepository(world.db),
        users,
        audit,
        access,
        Recipients(access, users),
        corrector=sorting,
        clock=world.clock,
    )
    report = await _file(world)
    await service.correct(OFFICER, report.id, urgency="high", topic="it_systems")
    [entry] = await audit.for_report(report.id)
    assert entry.action is Action.CORRECT and entry.actor_id == OFFICER
    assert entry.detail["urgency"] == "high" and entry.detail["urgency_before"] == "normal"
    stored = await ReportRepository(world.db).get(report.id)
    assert stored is not None and stored.topic == "it_systems"
    assert len(await ReportRepository(world.db).corrections()) == 1


async def test_supporters_hear_of_public_steps_in_their_language_and_no_more(
    world: World,
) -> None:
    report = await _file(world)
    await ReportRepository(world.db).add_voice(report.id, BYSTANDER, "Same here", "en")
    await UserRepository(world.db).update(BYSTANDER, {"language": "ru"})
    replied = await world.followup.reply(OFFICER, report.id, "We are on it.")
    (told,) = _to(replied.notifications, BYSTANDER)
    assert (told.key, told.language) == ("followup.supporter.reply", "ru")
    asked = await world.followup.request_info(OFFICER, report.id, "Which truck?")
    assert _to(asked.notifications, BYSTANDER) == []  # a question for the reporter only
    resolved = await world.followup.set_status(OFFICER, report.id, Status.RESOLVED)
    assert [n.key for n in _to(resolved.notifications, BYSTANDER)] == ["followup.supporter.status"]
    assert "followup.ask.fixed" in [n.key for n in _to(resolved.notifications, TRADER)]
    reopened = await world.satisfaction.rate(report.id, TRADER, 2, fixed=False)
    (moved,) = _to(reopened.notifications, BYSTANDER)
    assert moved.params["status"] == Status.IN_PROGRESS.value
