"""Scheduled sends of the meetings feature: what is due when, and each recipient's outcome.

Every message the bot sends on its own about meetings (invitations, changes, reminders,
agenda packs, action-item reminders, outcomes) is a job row with a due time. A recipient is
claimed (a row per job and person) before the message goes out, so nobody gets a job twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.meetings.model import Meeting


class JobKind(StrEnum):
    """What a job sends, in the order due jobs are taken (reminders first)."""

    REMINDER = "reminder"  # to registrants, at an offset before the start
    AGENDA = "agenda"  # the agenda pack, to officers
    ACTION_DUE = "action_due"  # to an action item's owner, before its due date
    CHANGE = "change"  # to those who answered, after an edit (offset = the sequence)
    CANCEL = "cancel"  # to those who answered
    ACTION_OVERDUE = "action_overdue"  # to the owner and the officer who recorded it
    OUTCOME = "outcome"  # to the reporters behind an action item's reports
    NEXT = "next"  # creates the next occurrence of a repeating meeting
    INVITE = "invite"  # to the audience


PRIORITY = {kind: number for number, kind in enumerate(JobKind)}
ON_TIME_ONLY = frozenset({JobKind.REMINDER, JobKind.AGENDA, JobKind.ACTION_DUE})
BEFORE_START = frozenset({JobKind.INVITE, JobKind.CHANGE})  # pointless once it started


class JobState(StrEnum):
    """Where a job stands."""

    PENDING = "pending"
    DONE = "done"
    MISSED = "missed"  # its time passed beyond the grace window while the bot was down
    SKIPPED = "skipped"  # no longer applies (meeting cancelled, moved, or started)
    FAILED = "failed"  # could not be carried out (logged); not tried again


class Outcome(StrEnum):
    """What happened to one recipient of a job."""

    CLAIMED = "claimed"  # taken just before sending; stays so if the bot died mid-send
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot
    FAILED = "failed"
    MISSED = "missed"


class Job(BaseModel):
    """One scheduled send."""

    model_config = ConfigDict(frozen=True)

    id: int
    meeting_id: int
    action_id: int = 0  # 0: not about an action item
    kind: JobKind
    lead: int = 0  # seconds before the moment it is about (changes, invites: the sequence)
    due_at: datetime
    state: JobState = JobState.PENDING
    detail: str = "{}"  # JSON: e.g. which fields changed

    def late_beyond(self, now: datetime, grace: timedelta) -> bool:
        """Tell whether an on-time-only job is too late to send now."""
        return self.kind in ON_TIME_ONLY and now - self.due_at > grace


class PlannedJob(BaseModel):
    """A job to store: kind, lead and due time."""

    model_config = ConfigDict(frozen=True)

    kind: JobKind
    lead: int = 0
    due_at: datetime
    action_id: int = 0
    detail: str = "{}"


def plan_meeting(
    meeting: Meeting, reminders: tuple[timedelta, ...], agenda_lead: timedelta, now: datetime
) -> list[PlannedJob]:
    """Return the reminders, agenda pack and next occurrence of a scheduled meeting.

    Moments already past when the meeting is planned are left out: they no longer apply.
    """
    planned = [
        PlannedJob(kind=JobKind.REMINDER, lead=int(offset.total_seconds()), due_at=moment)
        for offset in reminders
        if (moment := meeting.starts_at - offset) > now
    ]
    agenda = meeting.starts_at - agenda_lead
    if agenda > now:
        planned.append(
            PlannedJob(kind=JobKind.AGENDA, lead=int(agenda_lead.total_seconds()), due_at=agenda)
        )
    if meeting.recurrence is not None:
        planned.append(PlannedJob(kind=JobKind.NEXT, due_at=meeting.starts_at))
    return planned


ACTION_HOUR = time(9, 0)  # action items fall due, and are flagged overdue, at 09:00 local


def plan_action(
    action_id: int, due_on: date, zone: ZoneInfo, lead: timedelta, now: datetime
) -> list[PlannedJob]:
    """Return the owner's reminder `lead` before the due date and the overdue flag after it."""
    due = datetime.combine(due_on, ACTION_HOUR, zone)
    overdue = datetime.combine(due_on + timedelta(days=1), ACTION_HOUR, zone)
    planned = []
    if due - lead > now:
        planned.append(
            PlannedJob(
                kind=JobKind.ACTION_DUE,
                lead=int(lead.total_seconds()),
                due_at=(due - lead).astimezone(UTC),
                action_id=action_id,
            )
        )
    planned.append(
        PlannedJob(kind=JobKind.ACTION_OVERDUE, due_at=overdue.astimezone(UTC), action_id=action_id)
    )
    return planned
