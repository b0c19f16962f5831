"""The meetings' scheduled sends: which is due, who gets it, and what happened.

The bot keeps one timer, set to the earliest pending job; when it fires, due jobs are taken
one batch of recipients at a time (reminders before invitations). Each recipient is claimed
in the database before the message goes out, so a restart, even after kill -9, never sends
a job to anyone twice. A reminder whose time passed more than the grace window ago (the bot
was down) is recorded as missed, with a row for everyone it would have reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, utc_now
from bot.core.service_levels import ServiceLevel, late_before
from bot.meetings.model import ActionItem, Meeting, MeetingDetails
from bot.meetings.recurrence import next_start
from bot.meetings.sends import BEFORE_START, Job, JobKind, JobState, Outcome
from bot.meetings.service import MeetingService

log = logging.getLogger(__name__)
TOP_RECURRING = 5


class JobStore(Protocol):
    """What scheduled sends need from storage."""

    async def next_due(self) -> datetime | None: ...
    async def due(self, now: datetime) -> Job | None: ...
    async def claim(self, job: Job, limit: int, now: datetime) -> list[tuple[int, str | None]]: ...
    async def record(self, job_id: int, outcomes: list[tuple[int, Outcome]]) -> None: ...
    async def finish(self, job_id: int, state: JobState, now: datetime) -> None: ...
    async def miss(self, job: Job, now: datetime) -> int: ...
    async def interrupted(self) -> int: ...
    async def sync_leads(
        self, kind: JobKind, leads: tuple[timedelta, ...], now: datetime
    ) -> tuple[int, int]: ...
    async def recurring(
        self, start: datetime, end: datetime
    ) -> list[tuple[str | None, str | None, int, int]]: ...
    async def overdue_reports(
        self, late_before: dict[str, datetime], limit: int = 10
    ) -> tuple[int, list[tuple[str, str | None, str | None, datetime]]]: ...


class MeetingLookup(Protocol):
    """What scheduled sends read about meetings and action items."""

    async def get(self, meeting_id: int) -> Meeting | None: ...
    async def action(self, action_id: int) -> ActionItem | None: ...
    async def open_actions(self, limit: int = 30) -> list[ActionItem]: ...
    async def previous_start(self, meeting: Meeting) -> datetime | None: ...
    async def references_for(self, action_id: int, user_id: int) -> list[str]: ...


@dataclass(frozen=True)
class Recipient:
    """Someone a job goes to, and the language to say it in."""

    user_id: int
    language: str


@dataclass(frozen=True)
class Subject:
    """What a job is about: its meeting, and its action item if any."""

    meeting: Meeting
    action: ActionItem | None = None


@dataclass(frozen=True)
class RecurringLine:
    """A topic at an office raised by more than one trader since the previous meeting."""

    topic: str | None
    office: str | None
    reports: int
    voices: int


@dataclass(frozen=True)
class AgendaPack:
    """The proposed agenda officers receive before a meeting."""

    meeting: Meeting
    since: datetime
    recurring: tuple[RecurringLine, ...]
    overdue: int
    oldest: tuple[tuple[str, str | None, str | None, datetime], ...]
    actions: tuple[ActionItem, ...]


@dataclass(frozen=True)
class Rebuilt:
    """What the start-up rebuild found."""

    added: int
    skipped: int
    interrupted: int
    next_due: datetime | None


class MeetingJobs:
    """Take due jobs, claim their recipients, and record the outcome of each send."""

    def __init__(
        self,
        store: JobStore,
        lookup: MeetingLookup,
        meetings: MeetingService,
        *,
        grace: timedelta,
        levels: dict[str, ServiceLevel],
        window: timedelta,
        default_language: str,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._lookup = lookup
        self._meetings = meetings
        self.grace = grace
        self._levels = levels
        self._window = window
        self._default = default_language
        self._clock = clock

    @property
    def zone(self) -> ZoneInfo:
        """Return the configured time zone."""
        return self._meetings.zone

    async def rebuild(self) -> Rebuilt:
        """Bring the schedule in line with the configured reminder offsets; say when to wake.

        Jobs already live in the database: nothing is loaded into memory but the one timer.
        """
        now = self._clock()
        added, skipped = await self._store.sync_leads(
            JobKind.REMINDER, self._meetings.reminders, now
        )
        more, fewer = await self._store.sync_leads(
            JobKind.AGENDA, (self._meetings.agenda_lead,), now
        )
        interrupted = await self._store.interrupted()
        return Rebuilt(added + more, skipped + fewer, interrupted, await self._store.next_due())

    async def next_due(self) -> datetime | None:
        """Return when the earliest pending job is due."""
        return await self._store.next_due()

    async def take(self) -> Job | None:
        """Return the job to work on now; record late ones as missed, void ones as skipped."""
        while True:
            now = self._clock()
            job = await self._store.due(now)
            if job is None:
                return None
            if job.late_beyond(now, self.grace):
                missed = await self._store.miss(job, now)
                log.warning(
                    "meeting send missed",
                    extra={"job": job.id, "kind": job.kind.value, "recipients": missed},
                )
                continue
            if await self._applies(job, now):
                return job
            await self._store.finish(job.id, JobState.SKIPPED, now)

    async def _applies(self, job: Job, now: datetime) -> bool:
        """Tell whether a due job still makes sense (its meeting on, its item open)."""
        meeting = await self._lookup.get(job.meeting_id)
        if meeting is None:
            return False
        if job.kind in (JobKind.ACTION_DUE, JobKind.ACTION_OVERDUE):
            item = await self._lookup.action(job.action_id)
            return item is not None and item.done_at is None
        if job.kind in (*BEFORE_START, JobKind.REMINDER, JobKind.AGENDA):
            return meeting.is_upcoming(now)
        if job.kind is JobKind.NEXT:
            return meeting.recurrence is not None
        return True

    async def claim(self, job: Job, limit: int) -> list[Recipient]:
        """Claim the next recipients of a job (none left: the job is finished)."""
        claimed = await self._store.claim(job, limit, self._clock())
        if not claimed:
            await self._store.finish(job.id, JobState.DONE, self._clock())
        return [Recipient(uid, language or self._default) for uid, language in claimed]

    async def fail(self, job: Job) -> None:
        """Give up on a job that could not be carried out (the error is logged)."""
        await self._store.finish(job.id, JobState.FAILED, self._clock())

    async def record(self, job: Job, outcomes: list[tuple[int, Outcome]]) -> None:
        """Store what happened to each recipient of a batch."""
        await self._store.record(job.id, outcomes)

    async def subject(self, job: Job) -> Subject:
        """Return the meeting (and action item) a job is about."""
        meeting = await self._lookup.get(job.meeting_id)
        assert meeting is not None
        action = await self._lookup.action(job.action_id) if job.action_id else None
        return Subject(meeting, action)

    async def references_for(self, job: Job, user_id: int) -> list[str]:
        """Return the references of an outcome's reports that this recipient is behind."""
        return await self._lookup.references_for(job.action_id, user_id)

    async def advance_series(self, job: Job) -> Meeting:
        """Schedule the next occurrence of a repeating meeting (once: it closes the job)."""
        meeting = await self._lookup.get(job.meeting_id)
        assert meeting is not None and meeting.recurrence is not None
        start = next_start(meeting.recurrence, meeting.starts_at, meeting.tz)
        while start <= self._clock():  # the bot was down over whole occurrences
            start = next_start(meeting.recurrence, start, meeting.tz)
        length = meeting.ends_at - meeting.starts_at
        details = MeetingDetails(
            title=meeting.title,
            starts_at=start.astimezone(UTC),
            ends_at=(start + length).astimezone(UTC),
            zone=meeting.zone,
            place=meeting.place,
            link=meeting.link,
            agenda=meeting.agenda,
            audience=meeting.audience,
            recurrence=meeting.recurrence,
        )
        return await self._meetings.create(
            details,
            meeting.created_by,
            series_id=meeting.series_id or meeting.id,
            finishing_job=job.id,
        )

    async def agenda_pack(self, meeting: Meeting) -> AgendaPack:
        """Build the proposed agenda: recurring issues, overdue reports, open action items."""
        now = self._clock()
        since = await self._lookup.previous_start(meeting) or now - self._window
        grouped = await self._store.recurring(since, now)
        ranked = sorted(
            (RecurringLine(*row) for row in grouped if row[2] + row[3] > 1),
            key=lambda r: (-(r.reports + r.voices), -r.reports, r.topic or "", r.office or ""),
        )
        overdue, oldest = await self._store.overdue_reports(
            late_before(now, self._levels, self.zone)
        )
        actions = await self._lookup.open_actions()
        return AgendaPack(
            meeting=meeting,
            since=since,
            recurring=tuple(ranked[:TOP_RECURRING]),
            overdue=overdue,
            oldest=tuple(oldest),
            actions=tuple(actions),
        )
