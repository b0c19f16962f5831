"""Meetings with traders: schedule, change, cancel, answer, and record what was agreed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.access import Gate, require
from bot.core.clock import Clock, utc_now
from bot.core.errors import UserError
from bot.core.users import Access, User
from bot.meetings.model import (
    ActionItem,
    ActionLine,
    Meeting,
    MeetingDetails,
    MeetingRecord,
    MeetingStatus,
    NewActionItem,
    Rsvp,
    RsvpCounts,
)
from bot.meetings.sends import JobKind, PlannedJob, plan_action, plan_meeting

MINUTES_WINDOW = timedelta(days=30)  # officers are offered to record minutes this long after


class MeetingStore(Protocol):
    """What meetings need from storage."""

    async def create(
        self,
        details: MeetingDetails,
        created_by: int,
        jobs: list[PlannedJob],
        *,
        series_id: int | None = None,
        finishing_job: int | None = None,
    ) -> Meeting: ...
    async def get(self, meeting_id: int) -> Meeting | None: ...
    async def update(
        self, meeting_id: int, details: MeetingDetails, jobs: list[PlannedJob]
    ) -> Meeting: ...
    async def cancel(self, meeting_id: int, job: PlannedJob) -> Meeting: ...
    async def visible_to(
        self, user_id: int, now: datetime, limit: int = 10
    ) -> list[tuple[Meeting, Rsvp | None]]: ...
    async def invited(self, meeting_id: int, user_id: int) -> bool: ...
    async def for_officers(
        self, now: datetime, since: datetime, limit: int = 20
    ) -> list[Meeting]: ...
    async def set_rsvp(self, meeting_id: int, user_id: int, answer: Rsvp) -> None: ...
    async def rsvp_of(self, meeting_id: int, user_id: int) -> Rsvp | None: ...
    async def counts(self, meeting_id: int) -> RsvpCounts: ...
    async def close(
        self,
        meeting_id: int,
        record: MeetingRecord,
        plan: Callable[[int, NewActionItem], list[PlannedJob]],
    ) -> Meeting | None: ...
    async def action(self, action_id: int) -> ActionItem | None: ...
    async def actions_of(self, meeting_id: int) -> list[ActionItem]: ...
    async def open_actions(self, limit: int = 30) -> list[ActionItem]: ...
    async def complete_action(
        self, action_id: int, done_by: int, outcome: str, job: PlannedJob | None
    ) -> bool: ...
    async def user_by_handle(self, handle: str) -> tuple[int, str] | None: ...
    async def report_ids(self, references: list[str]) -> dict[str, int]: ...
    async def previous_start(self, meeting: Meeting) -> datetime | None: ...
    async def references_for(self, action_id: int, user_id: int) -> list[str]: ...


@dataclass(frozen=True)
class Card:
    """A meeting as one user sees it: their answer, and for officers the counts."""

    meeting: Meeting
    answer: Rsvp | None
    counts: RsvpCounts | None = None
    officer: bool = False  # the viewer is an officer or admin: the card offers their buttons


class MeetingService:
    """Meetings and their answers; each change stores the sends it causes in the same step."""

    def __init__(
        self,
        store: MeetingStore,
        zone: ZoneInfo,
        *,
        reminders: tuple[timedelta, ...],
        agenda_lead: timedelta,
        action_lead: timedelta,
        clock: Clock = utc_now,
        gate: Gate | None = None,
    ) -> None:
        self._gate = gate  # who may act: checked here, on every call an officer makes
        self._store = store
        self.zone = zone
        self.reminders = reminders
        self.agenda_lead = agenda_lead
        self.action_lead = action_lead
        self._clock = clock

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        return self._clock()

    def today(self) -> date:
        """Return today's date in the configured zone."""
        return self._clock().astimezone(self.zone).date()

    def plan(self, meeting: Meeting) -> list[PlannedJob]:
        """Return the timed jobs of a meeting: reminders, agenda pack, next occurrence."""
        return plan_meeting(meeting, self.reminders, self.agenda_lead, self._clock())

    async def create(
        self,
        details: MeetingDetails,
        created_by: int,
        *,
        series_id: int | None = None,
        finishing_job: int | None = None,
    ) -> Meeting:
        """Schedule a meeting: its invitations go out at once, its reminders at their time."""
        now = self._clock()
        probe = Meeting(id=0, created_by=created_by, created_at=now, **details.model_dump())
        jobs = [PlannedJob(kind=JobKind.INVITE, due_at=now), *self.plan(probe)]
        return await self._store.create(
            details, created_by, jobs, series_id=series_id, finishing_job=finishing_job
        )

    async def get(self, meeting_id: int) -> Meeting:
        """Return a meeting, or raise UserError if there is none."""
        meeting = await self._store.get(meeting_id)
        if meeting is None:
            raise UserError("meeting.not_found")
        return meeting

    async def editable(self, meeting_id: int) -> Meeting:
        """Return a meeting that can still be changed or cancelled (scheduled, not started)."""
        meeting = await self.get(meeting_id)
        if not meeting.is_upcoming(self._clock()):
            raise UserError("meeting.error_not_editable")
        return meeting

    async def update(
        self, meeting_id: int, details: MeetingDetails
    ) -> tuple[Meeting, tuple[str, ...]]:
        """Change a meeting; those who answered are told what changed. Return it and the changes."""
        meeting = await self.editable(meeting_id)
        changed = details.changes_from(meeting)
        if not changed:
            return meeting, ()
        now = self._clock()
        moved = Meeting(**{**meeting.model_dump(), **details.model_dump()})
        detail = json.dumps({"fields": list(changed), "was": meeting.starts_at.isoformat()})
        jobs = [
            *self.plan(moved),
            PlannedJob(kind=JobKind.CHANGE, lead=meeting.sequence + 1, due_at=now, detail=detail),
        ]
        if "audience" in changed:  # those newly invited get the invitation
            jobs.append(PlannedJob(kind=JobKind.INVITE, lead=meeting.sequence + 1, due_at=now))
        return await self._store.update(meeting_id, details, jobs), changed

    async def cancel(self, meeting_id: int) -> Meeting:
        """Cancel a meeting; those who answered are told. A series goes on with the next one."""
        await self.editable(meeting_id)
        return await self._store.cancel(
            meeting_id, PlannedJob(kind=JobKind.CANCEL, due_at=self._clock())
        )

    async def answer(self, meeting_id: int, user: User | None, answer: Rsvp) -> Meeting:
        """Store a user's answer to a meeting they are invited to (or answered before)."""
        if user is None or not user.onboarded:
            raise UserError("meeting.finish_onboarding")
        meeting = await self.get(meeting_id)
        if meeting.status is MeetingStatus.CANCELLED:
            raise UserError("rsvp.cancelled")
        if not meeting.is_upcoming(self._clock()):
            raise UserError("rsvp.closed")
        answered = await self._store.rsvp_of(meeting_id, user.id)
        if answered is None and not await self._store.invited(meeting_id, user.id):
            raise UserError("rsvp.not_invited")
        await self._store.set_rsvp(meeting_id, user.id, answer)
        return meeting

    async def visible_to(self, user: User) -> list[tuple[Meeting, Rsvp | None]]:
        """Return the upcoming meetings a user is invited to or answered, with their answer."""
        return await self._store.visible_to(user.id, self._clock())

    async def is_officer(self, user_id: int) -> bool:
        """Tell whether this user is an officer or admin now (to choose what to show)."""
        return self._gate is not None and (await self._gate.access_of_id(user_id)).includes(
            Access.OFFICER
        )

    async def require_officer(self, actor_id: int, action: str) -> None:
        """Go on only if the actor is an officer or admin now; else audit and refuse."""
        await require(self._gate, actor_id, Access.OFFICER, action)

    async def listing_for_officer(self, actor_id: int) -> list[Meeting]:
        """Return meetings to come and those waiting for minutes, to an officer only."""
        await self.require_officer(actor_id, "meetings")
        return await self.for_officers()

    async def actions_for(self, actor_id: int) -> list[ActionItem]:
        """Return the open action items, to an officer only."""
        await self.require_officer(actor_id, "actions")
        return await self.open_actions()

    async def editable_by(self, actor_id: int, meeting_id: int) -> Meeting:
        """Return a meeting an officer may still change or cancel."""
        await self.require_officer(actor_id, "meeting_edit")
        return await self.editable(meeting_id)

    async def cancel_by(self, actor_id: int, meeting_id: int) -> Meeting:
        """Cancel a meeting for an officer (refusals audited)."""
        await self.require_officer(actor_id, "meeting_cancel")
        return await self.cancel(meeting_id)

    async def for_officers(self) -> list[Meeting]:
        """Return meetings to come and those waiting for their minutes."""
        now = self._clock()
        return await self._store.for_officers(now, now - MINUTES_WINDOW)

    async def card(self, meeting_id: int, user: User) -> Card:
        """Return a meeting as this user sees it (officers also get answers and organisations)."""
        officer = await self.is_officer(user.id)
        meeting = await self.get(meeting_id)
        answered = await self._store.rsvp_of(meeting_id, user.id)
        if not officer and answered is None and not await self._store.invited(meeting_id, user.id):
            raise UserError("rsvp.not_invited")
        counts = await self._store.counts(meeting_id) if officer else None
        return Card(meeting, answered, counts, officer)

    async def counts(self, meeting_id: int) -> RsvpCounts:
        """Return the answers' counts and the organisations attending."""
        return await self._store.counts(meeting_id)

    async def closable(self, meeting_id: int) -> Meeting:
        """Return a meeting that took place and waits for its minutes."""
        meeting = await self.get(meeting_id)
        if meeting.status is not MeetingStatus.SCHEDULED:
            raise UserError("meeting.error_not_closable")
        if meeting.starts_at > self._clock():
            raise UserError("meeting.error_not_started")
        return meeting

    async def action_item(self, line: ActionLine, officer_id: int) -> NewActionItem:
        """Return an action item from a typed line, its owner and reports looked up."""
        owner = line.owner.strip()
        if owner.lower() in ("me", "yo", "я"):
            owner = str(officer_id)
        found = await self._store.user_by_handle(owner)
        if found is None:
            raise UserError("action.error_owner", owner=owner)
        ids = await self._store.report_ids(list(line.references))
        unknown = [ref for ref in line.references if ref not in ids]
        if unknown:
            raise UserError("action.error_unknown_reference", reference=unknown[0])
        return NewActionItem(
            what=line.what,
            owner_id=found[0],
            owner_name=found[1],
            due_on=line.due_on,
            references=line.references,
        )

    async def close(self, meeting_id: int, record: MeetingRecord) -> Meeting:
        """Record minutes, attendance, organisations and action items of a meeting held."""
        await self.closable(meeting_id)
        now = self._clock()

        def plan(action_id: int, item: NewActionItem) -> list[PlannedJob]:
            return plan_action(action_id, item.due_on, self.zone, self.action_lead, now)

        meeting = await self._store.close(meeting_id, record, plan)
        if meeting is None:
            raise UserError("meeting.error_not_closable")
        return meeting

    async def action(self, action_id: int) -> ActionItem | None:
        """Return an action item, if it exists."""
        return await self._store.action(action_id)

    async def actions_of(self, meeting_id: int) -> list[ActionItem]:
        """Return the action items agreed at a meeting."""
        return await self._store.actions_of(meeting_id)

    async def open_actions(self) -> list[ActionItem]:
        """Return the action items not done yet, earliest due first."""
        return await self._store.open_actions()

    async def open_action(self, action_id: int) -> ActionItem:
        """Return an action item still open, or raise UserError."""
        item = await self._store.action(action_id)
        if item is None:
            raise UserError("action.not_found")
        if item.done_at is not None:
            raise UserError("action.already_done")
        return item

    async def complete(self, action_id: int, officer_id: int, outcome: str) -> ActionItem:
        """Mark an action item done; the reporters of its reports are told the outcome."""
        item = await self.open_action(action_id)
        job = (
            PlannedJob(kind=JobKind.OUTCOME, due_at=self._clock(), action_id=action_id)
            if item.references
            else None
        )
        if not await self._store.complete_action(action_id, officer_id, outcome, job):
            raise UserError("action.already_done")
        done = await self._store.action(action_id)
        assert done is not None
        return done
