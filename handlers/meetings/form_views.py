"""How an officer's meeting forms look: each question with its buttons, and the summaries."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.meetings.drafts import EDITABLE, MeetingDraft, Mode, Step
from bot.meetings.model import EVERYONE, ROLES, ActionItem, NewActionItem, RsvpCounts
from bot.meetings.recurrence import options, rule_for
from handlers.kit import callbacks, offices
from handlers.kit.callbacks import encode
from handlers.kit.render import escape
from handlers.meetings.views import MeetingViews, Rows

MEETING_FORM = callbacks.prefix("mtgf", "an officer's meeting forms: meeting, minutes, outcome")


class FormViews(MeetingViews):
    """Render meeting forms in one officer's language."""

    def nav(self, back: bool = True) -> list[tuple[str, str]]:
        """Return the back and cancel buttons of a form step."""
        row = [(self.say("button.back"), encode(MEETING_FORM, "back"))] if back else []
        return [*row, (self.say("button.cancel"), encode(MEETING_FORM, "cancel"))]

    def question(
        self,
        draft: MeetingDraft,
        counts: RsvpCounts | None = None,
        item: ActionItem | None = None,
    ) -> tuple[str, Rows]:
        """Return the text and buttons asking the form's current step."""
        step = draft.step
        first = step is draft.order()[0]
        if step is Step.SUMMARY:
            return self.summary(draft)
        if step is Step.REVIEW:
            return self.review(draft)
        if step is Step.WHEN:
            zone = ZoneInfo(draft.zone)
            sample = (draft.started_at + timedelta(days=7)).astimezone(zone)
            text = self.say("meeting.ask_when", zone=draft.zone, example=f"{sample:%Y-%m-%d} 10:00")
            return text, [self.nav()]
        if step is Step.AUDIENCE:
            rows = [
                [
                    (
                        self.say("meeting.audience.everyone"),
                        encode(MEETING_FORM, "audience", EVERYONE),
                    )
                ]
            ]
            for code in ROLES:  # "role:officer": the separator is part of the answer
                label = self.say("meeting.audience.role", role=self.say(f"role.{code[5:]}"))
                rows.append([(label, encode(MEETING_FORM, "audience", rest=code))])
            rows.append(
                [
                    (
                        self.say("meeting.audience.by_topic"),
                        encode(MEETING_FORM, "audience", "topics"),
                    ),
                    (
                        self.say("meeting.audience.by_office"),
                        encode(MEETING_FORM, "audience", "offices"),
                    ),
                ]
            )
            return self.say("meeting.ask_audience"), [*rows, self.nav()]
        if step is Step.AUDIENCE_TOPIC:
            rows = [
                [(topic.name(self.lang), encode(MEETING_FORM, step, number))]
                for number, topic in enumerate(self.taxonomy.topics)
            ]
            return self.say("meeting.ask_audience_topic"), [*rows, self.nav()]
        if step is Step.AUDIENCE_OFFICE:
            return self.audience_offices()
        if step is Step.REPEAT:
            return self.say("meeting.ask_repeat"), [*self._repeats(draft), self.nav()]
        if step is Step.OUTCOME:
            what = escape(item.what) if item else ""
            return self.say("action.ask_outcome", what=what), [self.nav(back=False)]
        if step is Step.ACTIONS:
            text = self.say("meeting.ask_actions")
            if draft.actions:
                listed = "\n".join(f"• {self._item(a)}" for a in draft.actions)
                text += (
                    f"\n\n{self.say('meeting.actions_so_far', count=len(draft.actions))}\n{listed}"
                )
            label = self.say("meeting.actions_done" if draft.actions else "meeting.actions_none")
            return text, [[(label, encode(MEETING_FORM, "actions", "done"))], self.nav()]
        rows = self._buttons(draft, counts)
        return self.say(f"meeting.ask_{step}"), [*rows, self.nav(back=not first)]

    def audience_offices(self, page: int = 0, search: str = "") -> tuple[str, Rows]:
        """Ask for the office of an audience: a page of the list, or a typed search's matches."""
        number = {office.code: n for n, office in enumerate(self.taxonomy.offices)}
        text = self.say("meeting.ask_audience_office")
        if search:
            screen = offices.find(self.taxonomy, search, self.lang)
            found = self.say("offices.matches", search=escape(search), count=screen.total)
            more = "\n" + self.say("offices.more", count=screen.more) if screen.more else ""
            text = f"{found}{more}" if screen.offices else self.say("offices.no_match")
            paging = [(self.say("offices.browse"), encode(MEETING_FORM, "opage", 0))]
        else:
            screen = offices.browse(self.taxonomy.offices, page)
            paging = offices.paging_row(screen, lambda n: encode(MEETING_FORM, "opage", n))
            if paging:
                text += offices.page_note(screen) + "\n\n" + self.say("offices.type_hint")
        rows = offices.office_rows(
            screen,
            self.lang,
            lambda office: encode(MEETING_FORM, Step.AUDIENCE_OFFICE, number[office.code]),
        )
        return text, [*rows, *([paging] if paging else []), self.nav()]

    def _buttons(self, draft: MeetingDraft, counts: RsvpCounts | None) -> Rows:
        """Return a text step's shortcut buttons."""
        step = draft.step
        if step is Step.PLACE:
            return [[(self.say("meeting.place_online"), encode(MEETING_FORM, "place", "online"))]]
        if step is Step.LINK and draft.place is not None:
            return [[(self.say("meeting.link_none"), encode(MEETING_FORM, "link", "none"))]]
        if step is Step.AGENDA:
            return [[(self.say("button.skip"), encode(MEETING_FORM, "agenda", "skip"))]]
        if step is Step.ATTENDANCE and counts is not None:
            label = self.say("meeting.attendance_from_rsvp", count=counts.attend)
            return [[(label, encode(MEETING_FORM, "attendance", "rsvp"))]]
        if step is Step.ORGANISATIONS:
            rows = []
            if counts is not None and counts.organisations:
                label = self.say("meeting.organisations_from_rsvp", count=len(counts.organisations))
                rows.append([(label, encode(MEETING_FORM, "organisations", "rsvp"))])
            rows.append(
                [
                    (
                        self.say("meeting.organisations_none"),
                        encode(MEETING_FORM, "organisations", "none"),
                    )
                ]
            )
            return rows
        return []

    def _repeats(self, draft: MeetingDraft) -> Rows:
        start = draft.local_start
        if start is None:
            return []
        rows = []
        for repeat in options(start):
            label = self.repeat(rule_for(repeat, start))
            marked = f"• {label} •" if draft.editing and repeat is draft.repeat else label
            rows.append([(marked, encode(MEETING_FORM, "repeat", repeat))])
        return rows

    def _item(self, item: NewActionItem) -> str:
        line = self.say(
            "action.line",
            what=escape(item.what),
            owner=escape(item.owner_name or "—"),
            due=item.due_on.isoformat(),
        )
        return line + (f" · {', '.join(item.references)}" if item.references else "")

    def summary(self, draft: MeetingDraft) -> tuple[str, Rows]:
        """Return a meeting form's summary, an edit button per field, and create or save."""
        none = "—"
        when = none
        if draft.starts_at and draft.ends_at:
            when = self.moment(draft.starts_at, draft.zone)
        repeat = none
        if draft.local_start is not None:
            try:
                repeat = self.repeat(rule_for(draft.repeat, draft.local_start))
            except ValueError:
                repeat = none
        values = {
            Step.TITLE: escape(draft.title or none),
            Step.WHEN: when,
            Step.PLACE: escape(draft.place or self.say("meeting.place_online")),
            Step.LINK: escape(draft.link or none),
            Step.AGENDA: escape(draft.agenda or none),
            Step.AUDIENCE: self.audience(draft.audience),
            Step.REPEAT: repeat,
        }
        key = "meeting.summary_edit" if draft.mode is Mode.EDIT else "meeting.summary_new"
        lines = [self.say(key), ""]
        lines += [
            f"<b>{self.say(f'meeting.field.{step}')}:</b> {values[step]}" for step in EDITABLE
        ]
        rows: Rows = []
        for pair in (EDITABLE[i : i + 2] for i in range(0, len(EDITABLE), 2)):
            rows.append(
                [
                    (f"✏️ {self.say(f'meeting.field.{s}')}", encode(MEETING_FORM, "edit", s))
                    for s in pair
                ]
            )
        submit = "meeting.button_save" if draft.mode is Mode.EDIT else "meeting.button_create"
        rows.append([(self.say(submit), encode(MEETING_FORM, "submit"))])
        rows.append(self.nav(back=False))
        return "\n".join(lines), rows

    def review(self, draft: MeetingDraft) -> tuple[str, Rows]:
        """Return the minutes form's summary with its save button."""
        names = ", ".join(escape(name) for name in draft.organisations) or "—"
        lines = [
            self.say("meeting.review"),
            "",
            f"<b>{self.say('meeting.minutes')}</b>",
            escape(draft.minutes or ""),
            self.say("meeting.attendance", count=draft.attendance or 0, names=names),
            "",
            f"<b>{self.say('meeting.actions_so_far', count=len(draft.actions))}</b>",
            *(f"• {self._item(item)}" for item in draft.actions),
        ]
        rows = [
            [(self.say("meeting.button_save_minutes"), encode(MEETING_FORM, "submit"))],
            self.nav(),
        ]
        return "\n".join(lines), rows
