"""Meeting services on a test database with a moving clock: what each change schedules, who
may answer, which due job is taken, missed or skipped, repeating meetings across DST, the
agenda pack, action items, and the officer's form."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.core.access import AccessControl, NotAllowed
from bot.core.audit import Action
from bot.core.conversations import Flow
from bot.core.errors import UserError
from bot.core.service_levels import parse_service_levels
from bot.core.users import User
from bot.meetings.drafts import Mode, Step
from bot.meetings.flow import MeetingFlow
from bot.meetings.ics import calendar_file
from bot.meetings.model import MeetingRecord, MeetingStatus, NewActionItem, Rsvp
from bot.meetings.scheduling import MeetingJobs
from bot.meetings.sends import JobKind, JobState, Outcome
from bot.meetings.service import MeetingService
from storage.accounts.users import UserRepository
from storage.audit import AuditRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.meetings.repository import MeetingRepository
from storage.meetings.sends import MeetingJobRepository
from tests.fakes import Clock
from tests.meetings.helpers import add_report, add_user, details

MADRID = ZoneInfo("Europe/Madrid")
T0 = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
OFFICER = 900
REMINDERS = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))


@dataclass
class World:
    db: Database
    clock: Clock
    meetings: MeetingService
    jobs: MeetingJobs
    flow: MeetingFlow
    store: MeetingJobRepository


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = await Database.open(tmp_path / "meetings.db")
    clock = Clock(T0)
    store = MeetingRepository(db)
    meetings = MeetingService(
        store,
        MADRID,
        reminders=REMINDERS,
        agenda_lead=timedelta(days=2),
        action_lead=timedelta(days=1),
        clock=clock,
        gate=AccessControl(UserRepository(db), AuditRepository(db), frozenset({OFFICER}), clock),
    )
    job_store = MeetingJobRepository(db, frozenset({OFFICER}))
    jobs = MeetingJobs(
        job_store,
        store,
        meetings,
        grace=timedelta(hours=1),
        levels=parse_service_levels("high=1d/2d, normal=1d/3d, low=1d/5d"),
        window=timedelta(days=30),
        default_language="en",
        clock=clock,
    )
    flow = MeetingFlow(ConversationRepository(db), meetings, ("it_systems", "inspections"), ("HQ",))
    await add_user(db, OFFICER, staff="officer", role=None, username="olga")
    for uid, role, org in ((1, "trader", "Acme"), (2, "broker", "Kedr"), (3, "trader", None)):
        await add_user(db, uid, role=role, organisation=org, language="es")
    try:
        yield World(db, clock, meetings, jobs, flow, job_store)
    finally:
        await db.close()


async def _users(db: Database, user_id: int) -> object:
    return await UserRepository(db).get(user_id)


async def _drain(world: World) -> list[tuple[JobKind, int, list[int]]]:
    """Take every due job as the bot would, all sends succeeding; return what went to whom."""
    sent: list[tuple[JobKind, int, list[int]]] = []
    while (job := await world.jobs.take()) is not None:
        if job.kind is JobKind.NEXT:
            await world.jobs.advance_series(job)
            sent.append((job.kind, job.lead, []))
            continue
        batch = await world.jobs.claim(job, 100)
        if batch:
            await world.jobs.record(job, [(r.user_id, Outcome.SENT) for r in batch])
            sent.append((job.kind, job.lead, [r.user_id for r in batch]))
    return sent


async def test_creating_invites_the_audience_and_plans_reminders(world: World) -> None:
    start = T0 + timedelta(days=10)
    meeting = await world.meetings.create(details(start, audience="role:trader"), OFFICER)
    jobs = await world.store.jobs_of(meeting.id)
    assert [(j.kind, j.due_at) for j in jobs] == [
        (JobKind.INVITE, T0),
        (JobKind.REMINDER, start - timedelta(days=7)),
        (JobKind.AGENDA, start - timedelta(days=2)),
        (JobKind.REMINDER, start - timedelta(days=1)),
        (JobKind.REMINDER, start - timedelta(hours=1)),
    ]
    assert await _drain(world) == [(JobKind.INVITE, 0, [1, 3])]
    assert await _drain(world) == []  # nothing twice


async def test_only_the_invited_may_answer_and_only_before_the_start(world: World) -> None:
    meeting = await world.meetings.create(
        details(T0 + timedelta(days=2), audience="role:trader"), OFFICER
    )
    trader, broker = await _users(world.db, 1), await _users(world.db, 2)
    await world.meetings.answer(meeting.id, trader, Rsvp.ATTEND)  # type: ignore[arg-type]
    with pytest.raises(UserError, match=r"rsvp.not_invited"):
        await world.meetings.answer(meeting.id, broker, Rsvp.ATTEND)  # type: ignore[arg-type]
    with pytest.raises(UserError, match=r"meeting.finish_onboarding"):
        await world.meetings.answer(meeting.id, None, Rsvp.ATTEND)
    world.clock.now = T0 + timedelta(days=3)
    with pytest.raises(UserError, match=r"rsvp.closed"):
        await world.meetings.answer(meeting.id, trader, Rsvp.CANNOT)  # type: ignore[arg-type]


async def test_editing_and_cancelling_tell_those_who_answered(world: World) -> None:
    start = T0 + timedelta(days=10)
    meeting = await world.meetings.create(details(start), OFFICER)
    for uid, answer in ((1, Rsvp.ATTEND), (2, Rsvp.CANNOT)):
        await world.meetings.answer(meeting.id, await _users(world.db, uid), answer)  # type: ignore[arg-type]
    await _drain(world)
    moved = start + timedelta(days=1)
    updated, changed = await world.meetings.update(meeting.id, details(moved, place="Port office"))
    assert changed == ("when", "place") and updated.sequence == 1
    assert await _drain(world) == [(JobKind.CHANGE, 1, [1, 2])]
    change = next(j for j in await world.store.jobs_of(meeting.id) if j.kind is JobKind.CHANGE)
    assert json.loads(change.detail) == {"fields": ["when", "place"], "was": start.isoformat()}
    reminders = [j for j in await world.store.jobs_of(meeting.id) if j.kind is JobKind.REMINDER]
    assert {j.due_at for j in reminders} == {moved - r for r in REMINDERS}
    assert (await world.meetings.update(meeting.id, details(moved, place="Port office")))[1] == ()

    cancelled = await world.meetings.cancel(meeting.id)
    assert cancelled.status is MeetingStatus.CANCELLED and cancelled.sequence == 2
    assert await _drain(world) == [(JobKind.CANCEL, 0, [1, 2])]
    states = {j.kind: j.state for j in await world.store.jobs_of(meeting.id)}
    assert (
        states[JobKind.REMINDER] is JobState.SKIPPED and states[JobKind.AGENDA] is JobState.SKIPPED
    )
    with pytest.raises(UserError, match=r"meeting.error_not_editable"):
        await world.meetings.update(meeting.id, details(moved))
    event = Calendar.from_ical(calendar_file(cancelled)).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED" and int(str(event["sequence"])) == 2


async def test_a_widened_audience_invites_only_the_newcomers(world: World) -> None:
    meeting = await world.meetings.create(
        details(T0 + timedelta(days=5), audience="role:broker"), OFFICER
    )
    assert await _drain(world) == [(JobKind.INVITE, 0, [2])]
    await world.meetings.update(meeting.id, details(T0 + timedelta(days=5), audience="everyone"))
    assert await _drain(world) == [(JobKind.INVITE, 1, [1, 3, OFFICER])]


async def test_late_reminders_within_grace_are_sent_and_later_ones_missed(world: World) -> None:
    start = T0 + timedelta(days=3)
    meeting = await world.meetings.create(details(start), OFFICER)
    await world.meetings.answer(meeting.id, await _users(world.db, 1), Rsvp.MAYBE)  # type: ignore[arg-type]
    await _drain(world)
    world.clock.now = start - timedelta(days=1) + timedelta(minutes=59)  # down; back in time
    assert await _drain(world) == [(JobKind.REMINDER, 86400, [1])]
    world.clock.now = start - timedelta(minutes=59) + timedelta(hours=1)  # started 1 min ago
    assert await _drain(world) == []
    jobs = {(j.kind, j.lead): j for j in await world.store.jobs_of(meeting.id)}
    last = jobs[(JobKind.REMINDER, 3600)]
    assert last.state is JobState.MISSED
    assert await world.store.outcomes(last.id) == {1: Outcome.MISSED}
    assert jobs[(JobKind.AGENDA, 172800)].state is JobState.MISSED  # officers' pack, too late
    assert await world.store.outcomes(jobs[(JobKind.AGENDA, 172800)].id) == {
        OFFICER: Outcome.MISSED
    }


async def test_a_monthly_series_continues_across_the_dst_change(world: World) -> None:
    first = datetime(2026, 3, 3, 10, 0, tzinfo=MADRID)  # the first Tuesday, CET
    world.clock.now = first - timedelta(days=1)
    meeting = await world.meetings.create(
        details(first.astimezone(UTC), recurrence="FREQ=MONTHLY;BYDAY=1TU"), OFFICER
    )
    await _drain(world)
    world.clock.now = first + timedelta(minutes=1)
    sent = await _drain(world)
    assert (JobKind.NEXT, 0, []) in sent
    following = await world.meetings.get(meeting.id + 1)
    assert following.starts_at == datetime(2026, 4, 7, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert following.series_id == meeting.id and following.recurrence == meeting.recurrence
    assert following.ends_at - following.starts_at == timedelta(hours=1)
    assert (JobKind.INVITE, 0, [1, 2, 3, OFFICER]) in sent  # its own invitations


async def test_the_agenda_pack(world: World) -> None:
    now = datetime.now(UTC).replace(microsecond=0)  # reports are stamped with the real time
    world.clock.now = now - timedelta(hours=2)
    previous = await world.meetings.create(details(now - timedelta(hours=1)), OFFICER)
    for key, uid in (("a", 1), ("b", 2), ("c", 3)):
        await add_report(world.db, uid, key)
    await add_report(world.db, 1, "d", topic="it_systems", office="HQ")
    meeting = await world.meetings.create(details(now + timedelta(days=5)), OFFICER)
    world.clock.now = now + timedelta(minutes=1)
    pack = await world.jobs.agenda_pack(meeting)
    assert pack.since == previous.starts_at
    assert [(r.topic, r.office, r.reports) for r in pack.recurring] == [
        ("inspections", "PORT-MAIN", 3)
    ]  # a single report is no recurring issue
    world.clock.now = now + timedelta(days=10)  # past every service level
    later = await world.jobs.agenda_pack(meeting)
    assert later.overdue == 4 and len(later.oldest) == 4


async def test_action_items_remind_flag_and_tell_reporters(world: World) -> None:
    meeting = await world.meetings.create(details(T0 + timedelta(hours=1)), OFFICER)
    report = await add_report(world.db, 1, "k", anonymous=True)
    world.clock.now = T0 + timedelta(hours=2)
    await _drain(world)
    due = date(2026, 3, 25)
    item = NewActionItem(what="Fix it", owner_id=2, due_on=due, references=(report.reference,))
    record = MeetingRecord(
        minutes="Done", attendance=3, organisations=(), recorded_by=OFFICER, actions=(item,)
    )
    await world.meetings.close(meeting.id, record)
    with pytest.raises(UserError, match=r"meeting.error_not_closable"):
        await world.meetings.close(meeting.id, record)
    (action,) = await world.meetings.actions_of(meeting.id)
    world.clock.now = datetime(2026, 3, 24, 8, 0, tzinfo=UTC)  # 09:00 in Madrid, the day before
    assert await _drain(world) == [(JobKind.ACTION_DUE, 86400, [2])]
    world.clock.now = datetime(2026, 3, 26, 8, 0, tzinfo=UTC)
    assert await _drain(world) == [(JobKind.ACTION_OVERDUE, 0, [2, OFFICER])]
    assert action.is_overdue(date(2026, 3, 26))
    done = await world.meetings.complete(action.id, OFFICER, "Fixed")
    assert done.outcome == "Fixed" and done.done_at is not None
    assert await _drain(world) == [(JobKind.OUTCOME, 0, [1])]  # the anonymous reporter, privately
    with pytest.raises(UserError, match=r"action.already_done"):
        await world.meetings.complete(action.id, OFFICER, "again")


async def test_the_form_creates_a_meeting_step_by_step(world: World) -> None:
    flow = world.flow
    draft = await flow.start(OFFICER)
    assert draft.step is Step.TITLE
    draft = await flow.write(OFFICER, "  Quarterly   consultation ")
    with pytest.raises(UserError, match=r"meeting.error_when_past"):
        await flow.write(OFFICER, "2026-03-19 10:00")
    draft = await flow.write(OFFICER, "2026-03-31 10:00")  # a fifth Tuesday
    assert draft.starts_at == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
    draft = await flow.choose(OFFICER, Step.PLACE, "online")
    assert draft.step is Step.LINK
    with pytest.raises(UserError, match=r"meeting.error_place_or_link"):
        await flow.choose(OFFICER, Step.LINK, "none")
    draft = await flow.write(OFFICER, "https://meet.example.org/q")
    draft = await flow.choose(OFFICER, Step.AGENDA, "skip")
    draft = await flow.choose(OFFICER, Step.AUDIENCE, "topics")
    assert draft.step is Step.AUDIENCE_TOPIC
    draft = await flow.choose(OFFICER, Step.AUDIENCE_TOPIC, "1")
    assert draft.audience == "topic:inspections" and draft.step is Step.REPEAT
    with pytest.raises(UserError, match=r"meeting.error_repeat"):
        await flow.choose(OFFICER, Step.REPEAT, "monthly")  # no fifth Tuesday every month
    draft = await flow.choose(OFFICER, Step.REPEAT, "monthly_last")
    with pytest.raises(UserError, match=r"meeting.stale"):
        await flow.choose(OFFICER, Step.REPEAT, "weekly")
    assert draft.step is Step.SUMMARY
    conversation = await ConversationRepository(world.db).get(OFFICER)
    assert conversation is not None and conversation.flow is Flow.MEETING  # saved each answer
    done = await flow.submit(OFFICER)
    assert done.mode is Mode.CREATE and done.meeting is not None
    assert done.meeting.title == "Quarterly consultation"
    assert done.meeting.recurrence == "FREQ=MONTHLY;BYDAY=-1TU"
    assert await flow.draft_of(OFFICER) is None


async def test_the_minutes_form_finds_owners_and_reports(world: World) -> None:
    meeting = await world.meetings.create(details(T0 + timedelta(hours=1)), OFFICER)
    await world.meetings.answer(meeting.id, await _users(world.db, 1), Rsvp.ATTEND)  # type: ignore[arg-type]
    report = await add_report(world.db, 2, "r")
    with pytest.raises(UserError, match=r"meeting.error_not_started"):
        await world.flow.start_minutes(OFFICER, meeting.id)
    world.clock.now = T0 + timedelta(hours=2)
    await world.flow.start_minutes(OFFICER, meeting.id)
    await world.flow.write(OFFICER, "We agreed.")
    draft = await world.flow.choose(OFFICER, Step.ATTENDANCE, "rsvp")
    assert draft.attendance == 1
    draft = await world.flow.choose(OFFICER, Step.ORGANISATIONS, "rsvp")
    assert draft.organisations == ("Acme",)
    with pytest.raises(UserError, match=r"action.error_unknown_reference"):
        await world.flow.write(OFFICER, "Fix; me; 2026-04-01; R-2026-99999")
    lines = f"Fix; me; 2026-04-01; {report.reference}\nCall back; @OLGA; 02.04.2026"
    draft = await world.flow.write(OFFICER, lines)
    assert [(a.owner_id, a.references) for a in draft.actions] == [
        (OFFICER, (report.reference,)),
        (OFFICER, ()),
    ]
    draft = await world.flow.choose(OFFICER, Step.ACTIONS, "done")
    assert draft.step is Step.REVIEW
    done = await world.flow.submit(OFFICER)
    assert done.meeting is not None and done.meeting.status is MeetingStatus.HELD
    assert len(await world.meetings.open_actions()) == 2


async def test_a_trader_cannot_open_or_cancel_meetings_and_each_refusal_is_audited(
    world: World,
) -> None:
    meeting = await world.meetings.create(details(T0 + timedelta(days=3)), OFFICER)
    trader = 1
    with pytest.raises(NotAllowed):
        await world.flow.start(trader)
    with pytest.raises(NotAllowed):
        await world.meetings.cancel_by(trader, meeting.id)
    with pytest.raises(NotAllowed):
        await world.meetings.listing_for_officer(trader)
    refused = [e for e in await AuditRepository(world.db).recent() if e.action is Action.REFUSED]
    assert [(e.actor_id, e.detail["attempted"]) for e in reversed(refused)] == [
        (trader, "meeting_new"),
        (trader, "meeting_cancel"),
        (trader, "meetings"),
    ]
    assert (await world.meetings.get(meeting.id)).status is MeetingStatus.SCHEDULED
    trader_user, officer_user = await world_user(world, trader), await world_user(world, OFFICER)
    assert not (await world.meetings.card(meeting.id, trader_user)).officer
    assert (await world.meetings.card(meeting.id, officer_user)).officer


async def world_user(world: World, user_id: int) -> User:
    """Return a stored user of the world."""
    user = await UserRepository(world.db).get(user_id)
    assert user is not None
    return user
