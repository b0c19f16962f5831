"""An officer's meeting form in the making: create, edit, record minutes, or close an item.

Saved after every answer (in the conversations table), so a restart continues where the
officer was.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.core.errors import UserError
from bot.core.forms import StepForm
from bot.meetings.model import EVERYONE, Meeting, MeetingDetails, NewActionItem
from bot.meetings.recurrence import Repeat, options, repeat_of, rule_for

MAX_ACTIONS = 30


class Mode(StrEnum):
    """What the form is for."""

    CREATE = "create"
    EDIT = "edit"
    CLOSE = "close"  # minutes, attendance, organisations and action items
    OUTCOME = "outcome"  # the outcome of an action item marked done


class Step(StrEnum):
    """One question of a meeting form."""

    TITLE = "title"
    WHEN = "when"
    PLACE = "place"
    LINK = "link"
    AGENDA = "agenda"
    AUDIENCE = "audience"
    AUDIENCE_TOPIC = "audience_topic"  # a sub-list of the audience question
    AUDIENCE_OFFICE = "audience_office"
    REPEAT = "repeat"
    SUMMARY = "summary"
    MINUTES = "minutes"
    ATTENDANCE = "attendance"
    ORGANISATIONS = "organisations"
    ACTIONS = "actions"
    REVIEW = "review"
    OUTCOME = "outcome"


ORDER = {
    Mode.CREATE: (
        Step.TITLE,
        Step.WHEN,
        Step.PLACE,
        Step.LINK,
        Step.AGENDA,
        Step.AUDIENCE,
        Step.REPEAT,
        Step.SUMMARY,
    ),
    Mode.CLOSE: (Step.MINUTES, Step.ATTENDANCE, Step.ORGANISATIONS, Step.ACTIONS, Step.REVIEW),
    Mode.OUTCOME: (Step.OUTCOME,),
}
ORDER[Mode.EDIT] = ORDER[Mode.CREATE]
TEXT_STEPS = frozenset(
    {
        Step.TITLE,
        Step.WHEN,
        Step.PLACE,
        Step.LINK,
        Step.AGENDA,
        Step.MINUTES,
        Step.ATTENDANCE,
        Step.ORGANISATIONS,
        Step.ACTIONS,
        Step.OUTCOME,
    }
)
SUB_STEPS = {Step.AUDIENCE_TOPIC: Step.AUDIENCE, Step.AUDIENCE_OFFICE: Step.AUDIENCE}
EDITABLE = (Step.TITLE, Step.WHEN, Step.PLACE, Step.LINK, Step.AGENDA, Step.AUDIENCE, Step.REPEAT)


class MeetingDraft(StepForm):
    """A meeting form being filled in."""

    choose_error: ClassVar[str] = "meeting.error_choose_button"

    mode: Mode = Mode.CREATE
    step: Step = Step.TITLE
    zone: str = "UTC"
    meeting_id: int | None = None
    action_id: int | None = None
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    link: str | None = None
    agenda: str = ""
    audience: str = EVERYONE
    repeat: Repeat = Repeat.NONE
    minutes: str | None = None
    attendance: int | None = None
    organisations: tuple[str, ...] = ()
    actions: tuple[NewActionItem, ...] = ()
    outcome: str | None = None

    @classmethod
    def editing_meeting(cls, key: str, meeting: Meeting) -> MeetingDraft:
        """Return a form filled with a stored meeting, opened at its summary."""
        return cls(
            key=key,
            mode=Mode.EDIT,
            step=Step.SUMMARY,
            zone=meeting.zone,
            meeting_id=meeting.id,
            title=meeting.title,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place=meeting.place,
            link=meeting.link,
            agenda=meeting.agenda,
            audience=meeting.audience,
            repeat=repeat_of(meeting.recurrence),
        )

    def order(self) -> tuple[Step, ...]:
        """Return the steps of this form, in order."""
        return ORDER[self.mode]

    def editable(self) -> tuple[Step, ...]:
        """Return the fields the summary may reopen (none in minutes or an outcome)."""
        return EDITABLE if self.mode in (Mode.CREATE, Mode.EDIT) else ()

    def question_of(self, step: StrEnum) -> StrEnum:
        """Return the question a step belongs to (the audience's sub-lists: the audience)."""
        return SUB_STEPS.get(Step(step), step)

    def follow_up(self) -> Step | None:
        """Return a step an edited answer makes necessary."""
        if self.step in SUB_STEPS:
            return None
        if self.step is Step.PLACE and self.place is None and self.link is None:
            return Step.LINK
        start = self.local_start
        if self.step is Step.WHEN and start is not None and self.repeat not in options(start):
            return Step.REPEAT
        return None

    @property
    def local_start(self) -> datetime | None:
        """Return the start in the form's zone, if set."""
        return self.starts_at.astimezone(ZoneInfo(self.zone)) if self.starts_at else None

    def details(self) -> MeetingDetails:
        """Return the meeting the form describes, or raise UserError naming what is missing."""
        if self.title is None:
            raise UserError("meeting.error_missing_title")
        if self.starts_at is None or self.ends_at is None:
            raise UserError("meeting.error_missing_when")
        if self.place is None and self.link is None:
            raise UserError("meeting.error_place_or_link")
        try:
            rule = rule_for(self.repeat, self.starts_at.astimezone(ZoneInfo(self.zone)))
        except ValueError:
            raise UserError("meeting.error_repeat") from None
        return MeetingDetails(
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            zone=self.zone,
            place=self.place,
            link=self.link,
            agenda=self.agenda,
            audience=self.audience,
            recurrence=rule,
        )

    def with_action(self, item: NewActionItem) -> MeetingDraft:
        """Add an action item to the minutes being recorded."""
        if len(self.actions) >= MAX_ACTIONS:
            raise UserError("action.error_too_many", maximum=MAX_ACTIONS)
        return self.model_copy(update={"actions": (*self.actions, item)})
