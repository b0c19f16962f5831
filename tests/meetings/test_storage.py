"""Meetings on SQLite: jobs stored with each change, recipients claimed once across restarts,
missed sends recorded per person, audiences, answers, minutes and action items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.meetings.model import MeetingRecord, NewActionItem, Rsvp
from bot.meetings.sends import Job, JobKind, JobState, Outcome, PlannedJob
from storage.db import Database
from storage.meetings.repository import MeetingRepository
from storage.meetings.sends import MeetingJobRepository
from tests.meetings.helpers import add_report, add_user, details

NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW + timedelta(days=3)
OFFICER = 500


async def _meeting_with_answers(db: Database) -> tuple[int, list[Job]]:
    await add_user(db, OFFICER, staff="officer", role=None)
    for uid, org in ((1, "Acme"), (2, "Andina"), (3, None), (4, "acme")):
        await add_user(db, uid, organisation=org)
    meetings = MeetingRepository(db)
    jobs = [
        PlannedJob(kind=JobKind.INVITE, due_at=NOW),
        PlannedJob(kind=JobKind.REMINDER, lead=86400, due_at=START - timedelta(days=1)),
        PlannedJob(kind=JobKind.REMINDER, lead=3600, due_at=START - timedelta(hours=1)),
    ]
    meeting = await meetings.create(details(START), OFFICER, jobs)
    for uid, answer in ((1, Rsvp.ATTEND), (2, Rsvp.MAYBE), (3, Rsvp.CANNOT), (4, Rsvp.ATTEND)):
        await meetings.set_rsvp(meeting.id, uid, answer)
    return meeting.id, await MeetingJobRepository(db).jobs_of(meeting.id)


async def test_a_meeting_is_stored_with_its_jobs_in_utc(fresh_db: Database) -> None:
    meeting_id, jobs = await _meeting_with_answers(fresh_db)
    meeting = await MeetingRepository(fresh_db).get(meeting_id)
    assert meeting is not None and meeting.starts_at == START
    assert meeting.local_start.tzinfo is not None and meeting.zone == "Europe/Madrid"
    assert [(j.kind, j.lead) for j in jobs] == [
        (JobKind.INVITE, 0),
        (JobKind.REMINDER, 86400),
        (JobKind.REMINDER, 3600),
    ]
    assert await MeetingJobRepository(fresh_db).next_due() == NOW


async def test_each_recipient_is_claimed_once_even_by_a_new_process(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "m.db")
    _, jobs = await _meeting_with_answers(db)
    reminder = jobs[1]
    store = MeetingJobRepository(db)
    first = await store.claim(reminder, 1, NOW)
    assert first == [(1, "en")]  # attend and maybe only, lowest id first
    await db.close()  # a crash: the claim was committed, the send may or may not have happened

    db = await Database.open(tmp_path / "m.db")
    store = MeetingJobRepository(db)
    rest = await store.claim(reminder, 10, NOW)
    assert [uid for uid, _ in rest] == [2, 4]
    assert await store.claim(reminder, 10, NOW) == []
    await store.record(reminder.id, [(2, Outcome.SENT), (4, Outcome.BLOCKED)])
    outcomes = await store.outcomes(reminder.id)
    assert outcomes == {1: Outcome.CLAIMED, 2: Outcome.SENT, 4: Outcome.BLOCKED}
    assert await store.interrupted() == 1  # user 1's send was never confirmed
    blocked = await db.fetch_one("SELECT blocked_bot FROM users WHERE id = 4")
    assert blocked is not None and blocked[0] == 1
    await db.close()


async def test_a_missed_job_gets_a_row_for_each_person_it_would_have_reached(
    fresh_db: Database,
) -> None:
    _, jobs = await _meeting_with_answers(fresh_db)
    store = MeetingJobRepository(fresh_db)
    await store.claim(jobs[2], 1, NOW)  # one was sent before the bot went down
    assert await store.miss(jobs[2], NOW) == 2
    assert await store.outcomes(jobs[2].id) == {
        1: Outcome.CLAIMED,
        2: Outcome.MISSED,
        4: Outcome.MISSED,
    }
    job = await store.get(jobs[2].id)
    assert job is not None and job.state is JobState.MISSED


async def test_due_takes_reminders_before_invitations(fresh_db: Database) -> None:
    _, jobs = await _meeting_with_answers(fresh_db)
    store = MeetingJobRepository(fresh_db)
    assert (await store.due(NOW)) == jobs[0]
    later = START
    due = await store.due(later)
    assert due is not None and due.kind is JobKind.REMINDER and due.lead == 86400
    await store.finish(due.id, JobState.DONE, later)
    await store.finish(due.id, JobState.SKIPPED, later)
    again = await store.get(due.id)
    assert again is not None and again.state is JobState.DONE  # a finished job stays so


async def test_sync_adds_new_offsets_and_skips_dropped_ones(fresh_db: Database) -> None:
    meeting_id, _ = await _meeting_with_answers(fresh_db)
    store = MeetingJobRepository(fresh_db)
    leads = (timedelta(days=2), timedelta(hours=1), timedelta(days=30))
    added, skipped = await store.sync_leads(JobKind.REMINDER, leads, NOW)
    assert (added, skipped) == (1, 1)  # 2d added; 1d dropped; 30d is already past
    again = await store.sync_leads(JobKind.REMINDER, leads, NOW)
    assert again == (0, 0)
    reminders = {j.lead: j for j in await store.jobs_of(meeting_id) if j.kind is JobKind.REMINDER}
    assert reminders[172800].due_at == START - timedelta(days=2)
    assert reminders[172800].state is JobState.PENDING
    assert reminders[86400].state is JobState.SKIPPED


async def test_audiences_by_role_topic_and_office(fresh_db: Database) -> None:
    await add_user(fresh_db, OFFICER, staff="officer", role=None)
    await add_user(fresh_db, 1, role="trader")
    await add_user(fresh_db, 2, role="broker")
    await add_user(fresh_db, 3, role="broker")
    await add_user(fresh_db, 4, onboarded=False)
    await fresh_db.execute(
        "INSERT INTO notice_subscriptions (user_id, kind, code) VALUES (2, 'topic', 'it_systems')"
    )
    meetings = MeetingRepository(fresh_db)
    store = MeetingJobRepository(fresh_db)
    expected = {
        "everyone": [1, 2, 3, OFFICER],
        "role:broker": [2, 3],
        "topic:it_systems": [1, 2, 3, OFFICER],  # 2 chose it; the others take every topic
        "topic:inspections": [1, 3, OFFICER],
        "office:HQ": [1, 2, 3, OFFICER],
    }
    for number, (audience, invited) in enumerate(expected.items()):
        invite = PlannedJob(kind=JobKind.INVITE, due_at=NOW)
        meeting = await meetings.create(
            details(START + timedelta(hours=number), audience=audience), OFFICER, [invite]
        )
        job = (await store.jobs_of(meeting.id))[0]
        assert [uid for uid, _ in await store.claim(job, 100, NOW)] == invited, audience
        assert await meetings.invited(meeting.id, 1) == (1 in invited)
        visible = [m.id for m, _ in await meetings.visible_to(2, NOW, limit=50)]
        assert (meeting.id in visible) == (2 in invited), audience


async def test_counts_and_attending_organisations(fresh_db: Database) -> None:
    meeting_id, _ = await _meeting_with_answers(fresh_db)
    counts = await MeetingRepository(fresh_db).counts(meeting_id)
    assert (counts.attend, counts.maybe, counts.cannot) == (2, 1, 1)
    assert counts.organisations == ("Acme", "acme")  # as typed, each once


async def test_minutes_and_action_items_with_their_reports(fresh_db: Database) -> None:
    meeting_id, _ = await _meeting_with_answers(fresh_db)
    first = await add_report(fresh_db, 1, "a", anonymous=True)
    second = await add_report(fresh_db, 2, "b")
    await fresh_db.execute(
        "INSERT INTO report_voices (report_id, user_id, created_at) VALUES (?, 4, ?)",
        (second.id, NOW.isoformat()),
    )
    meetings = MeetingRepository(fresh_db)
    item = NewActionItem(
        what="Add a second scanner lane",
        owner_id=OFFICER,
        due_on=date(2031, 1, 15),
        references=(first.reference, second.reference),
    )
    record = MeetingRecord(
        minutes="Agreed", attendance=12, organisations=("Acme",), recorded_by=OFFICER,
        actions=(item,),
    )  # fmt: skip

    def plan(action_id: int, _: NewActionItem) -> list[PlannedJob]:
        return [PlannedJob(kind=JobKind.ACTION_OVERDUE, due_at=START, action_id=action_id)]

    closed = await meetings.close(meeting_id, record, plan)
    assert closed is not None and closed.attendance == 12 and closed.organisations == ("Acme",)
    assert await meetings.close(meeting_id, record, plan) is None  # recorded once
    (action,) = await meetings.actions_of(meeting_id)
    assert action.references == (first.reference, second.reference)
    assert action.owner_name == f"User{OFFICER}"
    outcome = PlannedJob(kind=JobKind.OUTCOME, due_at=NOW, action_id=action.id)
    assert await meetings.complete_action(action.id, OFFICER, "Lane opened", outcome)
    assert not await meetings.complete_action(action.id, OFFICER, "again", outcome)
    jobs = await MeetingJobRepository(fresh_db).jobs_of(meeting_id)
    overdue = next(j for j in jobs if j.kind is JobKind.ACTION_OVERDUE)
    assert overdue.state is JobState.SKIPPED  # done: never flagged
    told = next(j for j in jobs if j.kind is JobKind.OUTCOME)
    claimed = await MeetingJobRepository(fresh_db).claim(told, 10, NOW)
    assert [uid for uid, _ in claimed] == [1, 2, 4]  # reporters and the voice
    assert await meetings.references_for(action.id, 1) == [first.reference]
    assert await meetings.references_for(action.id, 4) == [second.reference]


async def test_user_lookup_by_username_or_id(fresh_db: Database) -> None:
    await add_user(fresh_db, 77, username="OlgaP")
    meetings = MeetingRepository(fresh_db)
    assert await meetings.user_by_handle("@olgap") == (77, "User77")
    assert await meetings.user_by_handle("77") == (77, "User77")
    assert await meetings.user_by_handle("@nobody") is None


async def test_erasing_a_user_erases_their_answers_and_deliveries(fresh_db: Database) -> None:
    meeting_id, jobs = await _meeting_with_answers(fresh_db)
    store = MeetingJobRepository(fresh_db)
    await store.claim(jobs[1], 10, NOW)
    await fresh_db.execute("DELETE FROM users WHERE id = 1")  # what /deletemydata does
    assert await MeetingRepository(fresh_db).rsvp_of(meeting_id, 1) is None
    assert 1 not in await store.outcomes(jobs[1].id)
