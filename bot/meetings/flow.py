"""Officers' meeting forms: schedule or change a meeting, record its minutes, close an item.

The form is saved after every answer, as the user's open conversation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from bot.core.conversations import ConversationStore, Flow
from bot.core.errors import NoDraft, UserError
from bot.core.forms import FormService
from bot.meetings import model as rules
from bot.meetings.drafts import TEXT_STEPS, MeetingDraft, Mode, Step
from bot.meetings.model import ActionItem, Meeting, MeetingRecord
from bot.meetings.recurrence import Repeat, options
from bot.meetings.service import MeetingService


@dataclass(frozen=True)
class Done:
    """What a submitted form did."""

    mode: Mode
    meeting: Meeting | None = None
    changed: tuple[str, ...] = ()
    action: ActionItem | None = None


class MeetingFlow:
    """Walk an officer through a meeting form, one answer at a time."""

    def __init__(
        self,
        conversations: ConversationStore,
        meetings: MeetingService,
        topics: tuple[str, ...] = (),
        offices: tuple[str, ...] = (),
    ) -> None:
        self._forms = FormService(conversations)  # the form: the officer's open conversation
        self._meetings = meetings
        self._topics = topics
        self._offices = offices

    async def draft_of(self, user_id: int) -> MeetingDraft | None:
        """Return the user's open meeting form, if that is their conversation."""
        return await self._forms.load(user_id, Flow.MEETING, MeetingDraft)

    async def start(self, user_id: int) -> MeetingDraft:
        """Open a new meeting form (replacing any open conversation); officers only."""
        await self._meetings.require_officer(user_id, "meeting_new")
        return await self._save(user_id, self._new(Mode.CREATE, Step.TITLE))

    async def start_edit(self, user_id: int, meeting_id: int) -> MeetingDraft:
        """Open a stored meeting's form at its summary; officers only."""
        meeting = await self._meetings.editable_by(user_id, meeting_id)
        return await self._save(user_id, MeetingDraft.editing_meeting(_key(), meeting))

    async def start_minutes(self, user_id: int, meeting_id: int) -> MeetingDraft:
        """Open the minutes form of a meeting that took place; officers only."""
        await self._meetings.require_officer(user_id, "meeting_minutes")
        await self._meetings.closable(meeting_id)
        draft = self._new(Mode.CLOSE, Step.MINUTES).model_copy(update={"meeting_id": meeting_id})
        return await self._save(user_id, draft)

    async def start_outcome(self, user_id: int, action_id: int) -> MeetingDraft:
        """Ask for the outcome of an action item being marked done; officers only."""
        await self._meetings.require_officer(user_id, "action_done")
        await self._meetings.open_action(action_id)
        draft = self._new(Mode.OUTCOME, Step.OUTCOME).model_copy(update={"action_id": action_id})
        return await self._save(user_id, draft)

    def _new(self, mode: Mode, step: Step) -> MeetingDraft:
        return MeetingDraft(key=_key(), mode=mode, step=step, zone=str(self._meetings.zone))

    async def write(
        self, user_id: int, text: str, draft: MeetingDraft | None = None
    ) -> MeetingDraft:
        """Take a typed answer for the current step and move on (`draft`: the form, if read)."""
        draft = draft or await self._require(user_id)
        step = draft.step
        if step not in TEXT_STEPS:
            raise UserError("meeting.error_choose_button")
        if step is Step.ACTIONS:
            for line in (part for part in text.splitlines() if part.strip()):
                parsed = rules.parse_action_line(line, self._meetings.today())
                draft = draft.with_action(await self._meetings.action_item(parsed, user_id))
            return await self._save(user_id, draft)
        update: dict[str, Any] = {}
        if step is Step.TITLE:
            update["title"] = rules.clean_title(text)
        elif step is Step.WHEN:
            start, end = rules.parse_when(text, self._meetings.zone, self._meetings.now())
            update["starts_at"], update["ends_at"] = start, end
        elif step is Step.PLACE:
            update["place"] = rules.clean_place(text)
        elif step is Step.LINK:
            update["link"] = rules.clean_link(text)
        elif step is Step.AGENDA:
            update["agenda"] = rules.clean_agenda(text)
        elif step is Step.MINUTES:
            update["minutes"] = rules.clean_minutes(text)
        elif step is Step.ATTENDANCE:
            update["attendance"] = rules.parse_attendance(text)
        elif step is Step.ORGANISATIONS:
            update["organisations"] = rules.parse_organisations(text)
        elif step is Step.OUTCOME:
            update["outcome"] = rules.clean_minutes(text)
        return await self._save(user_id, draft.model_copy(update=update).advance())

    async def choose(self, user_id: int, step: Step, value: str) -> MeetingDraft:
        """Take a button answer for the current step and move on."""
        draft = await self._require(user_id)
        if draft.step is not step:
            raise UserError("meeting.stale")
        update: dict[str, Any] = {}
        if step is Step.PLACE and value == "online":
            update["place"] = None
        elif step is Step.LINK and value == "none":
            if draft.place is None:
                raise UserError("meeting.error_place_or_link")
            update["link"] = None
        elif step is Step.AGENDA and value == "skip":
            update["agenda"] = ""
        elif step is Step.AUDIENCE and value in ("topics", "offices"):
            sub = Step.AUDIENCE_TOPIC if value == "topics" else Step.AUDIENCE_OFFICE
            return await self._save(user_id, draft.model_copy(update={"step": sub}))
        elif step is Step.AUDIENCE:
            update["audience"] = rules.check_audience(value, self._topics, self._offices)
        elif step in (Step.AUDIENCE_TOPIC, Step.AUDIENCE_OFFICE):
            update["audience"] = self._listed(step, value)
        elif step is Step.REPEAT:
            update["repeat"] = _repeat(draft, value)
        elif step is Step.ATTENDANCE and value == "rsvp":
            update["attendance"] = (await self._meetings.counts(_meeting_id(draft))).attend
        elif step is Step.ORGANISATIONS and value in ("rsvp", "none"):
            found = (await self._meetings.counts(_meeting_id(draft))).organisations
            update["organisations"] = found if value == "rsvp" else ()
        elif step is Step.ACTIONS and value == "done":
            pass
        else:
            raise UserError("meeting.error_choose_button")
        return await self._save(user_id, draft.model_copy(update=update).advance())

    def _listed(self, step: Step, value: str) -> str:
        """Return the audience of the n-th topic or office in the list shown."""
        codes, prefix = (
            (self._topics, rules.TOPIC_PREFIX)
            if step is Step.AUDIENCE_TOPIC
            else (self._offices, rules.OFFICE_PREFIX)
        )
        if not value.isdigit() or int(value) >= len(codes):
            raise UserError("meeting.error_choose_button")
        return f"{prefix}{codes[int(value)]}"

    async def back(self, user_id: int) -> MeetingDraft:
        """Go back one step (to the summary when editing a field)."""
        return await self._save(user_id, (await self._require(user_id)).back())

    async def edit(self, user_id: int, step: Step) -> MeetingDraft:
        """Jump from the summary to a field."""
        return await self._save(user_id, (await self._require(user_id)).edit(step))

    async def cancel(self, user_id: int) -> bool:
        """Drop the open form; tell whether there was one."""
        return await self._forms.clear_flow(user_id, Flow.MEETING)

    async def submit(self, user_id: int) -> Done:
        """Carry out the finished form, then close it (the officer's role is checked again)."""
        draft = await self._require(user_id)
        await self._meetings.require_officer(user_id, f"meeting_{draft.mode.value}")
        if draft.mode is Mode.OUTCOME:
            if draft.action_id is None or not draft.outcome:
                raise UserError("meeting.error_choose_button")
            item = await self._meetings.complete(draft.action_id, user_id, draft.outcome)
            await self._forms.clear(user_id)
            return Done(Mode.OUTCOME, action=item)
        if draft.mode is Mode.CLOSE:
            meeting = await self._meetings.close(_meeting_id(draft), _record(draft, user_id))
            await self._forms.clear(user_id)
            return Done(Mode.CLOSE, meeting=meeting)
        details = draft.details()
        if draft.mode is Mode.EDIT:
            meeting, changed = await self._meetings.update(_meeting_id(draft), details)
            await self._forms.clear(user_id)
            return Done(Mode.EDIT, meeting=meeting, changed=changed)
        if details.starts_at <= self._meetings.now():
            raise UserError("meeting.error_when_past")
        meeting = await self._meetings.create(details, user_id)
        await self._forms.clear(user_id)
        return Done(Mode.CREATE, meeting=meeting)

    async def _require(self, user_id: int) -> MeetingDraft:
        draft = await self.draft_of(user_id)
        if draft is None:
            raise NoDraft
        return draft

    async def _save(self, user_id: int, draft: MeetingDraft) -> MeetingDraft:
        await self._forms.save(user_id, Flow.MEETING, draft)
        return draft


def _key() -> str:
    return secrets.token_hex(8)


def _meeting_id(draft: MeetingDraft) -> int:
    if draft.meeting_id is None:
        raise UserError("meeting.not_found")
    return draft.meeting_id


def _repeat(draft: MeetingDraft, value: str) -> Repeat:
    try:
        repeat = Repeat(value)
    except ValueError:
        raise UserError("meeting.error_choose_button") from None
    start = draft.local_start
    if start is None or repeat not in options(start):
        raise UserError("meeting.error_repeat")
    return repeat


def _record(draft: MeetingDraft, user_id: int) -> MeetingRecord:
    if draft.minutes is None or draft.attendance is None:
        raise UserError("meeting.error_minutes_missing")
    return MeetingRecord(
        minutes=draft.minutes,
        attendance=draft.attendance,
        organisations=draft.organisations,
        recorded_by=user_id,
        actions=draft.actions,
    )
