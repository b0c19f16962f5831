"""How meetings look in Telegram: cards, answers, reminders, notices and the agenda pack."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta, get_day_names

from bot.core.i18n import Translator
from bot.core.taxonomy import Taxonomy
from bot.meetings.model import (
    OFFICE_PREFIX,
    ROLE_PREFIX,
    TOPIC_PREFIX,
    ActionItem,
    Meeting,
    MeetingStatus,
    Rsvp,
    RsvpCounts,
)
from bot.meetings.recurrence import parse_rule
from bot.meetings.scheduling import AgendaPack
from bot.meetings.sends import Job
from handlers.kit import callbacks
from handlers.kit.callbacks import encode
from handlers.kit.render import Choice, escape
from handlers.kit.replies import Speaker

Rows = list[list[Choice]]
RSVP = callbacks.prefix("rsvp", "an invitee's answer: attend, maybe, cannot")
MEETING_CARD = callbacks.prefix("mtg", "a meeting card: open, calendar file, edit, cancel, minutes")
ACTION_ITEM = callbacks.prefix("act", "marking a meeting's action item done")
ICONS = {Rsvp.ATTEND: "✅", Rsvp.MAYBE: "🤔", Rsvp.CANNOT: "❌"}
LIST_LIMIT = 10


def short(text: str, limit: int) -> str:
    """Return text cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MeetingViews(Speaker):
    """Render meetings in one user's language."""

    def __init__(self, translate: Translator, taxonomy: Taxonomy, language: str) -> None:
        super().__init__(translate, language)
        self.taxonomy = taxonomy

    # --- pieces ---------------------------------------------------------------------------

    def when(self, meeting: Meeting) -> str:
        """Return the date and time in the meeting's zone, the zone stated."""
        zone = meeting.tz
        start = format_datetime(
            meeting.starts_at, "EEE d MMM y, HH:mm", tzinfo=zone, locale=self.lang
        )
        same_day = meeting.ends_at.astimezone(zone).date() == meeting.local_start.date()
        pattern = "HH:mm" if same_day else "EEE d MMM y, HH:mm"
        end = format_datetime(meeting.ends_at, pattern, tzinfo=zone, locale=self.lang)
        return f"{start}–{end} ({meeting.zone})"

    def moment(self, moment: datetime, zone_name: str) -> str:
        """Return a moment as date and time in a zone, the zone stated."""
        zone = ZoneInfo(zone_name)
        text = format_datetime(moment, "EEE d MMM y, HH:mm", tzinfo=zone, locale=self.lang)
        return f"{text} ({zone_name})"

    def lead(self, seconds: int) -> str:
        """Return an offset like "1 day" or "30 seconds" in words."""
        return str(format_timedelta(timedelta(seconds=seconds), threshold=1.01, locale=self.lang))

    def repeat(self, rule: str | None) -> str:
        """Return how a meeting repeats, in words."""
        if rule is None:
            return self.say("meeting.repeat.none")
        parsed = parse_rule(rule)
        weekday = get_day_names("wide", locale=self.lang)[parsed.weekday]
        if parsed.weekly:
            return self.say("meeting.repeat.weekly", weekday=weekday)
        nth = "last" if parsed.nth == -1 else str(parsed.nth)
        return self.say(f"meeting.repeat.monthly_{nth}", weekday=weekday)

    def audience(self, audience: str) -> str:
        """Return who a meeting is for, in words."""
        if audience.startswith(ROLE_PREFIX):
            return self.say("meeting.audience.role", role=self.say(f"role.{audience[5:]}"))
        if audience.startswith(TOPIC_PREFIX):
            topic = self.taxonomy.topic(audience.removeprefix(TOPIC_PREFIX))
            name = topic.name(self.lang) if topic else audience
            return self.say("meeting.audience.topic", topic=escape(name))
        if audience.startswith(OFFICE_PREFIX):
            office = self.taxonomy.office(audience.removeprefix(OFFICE_PREFIX))
            name = office.name(self.lang) if office else audience
            return self.say("meeting.audience.office", office=escape(name))
        return self.say("meeting.audience.everyone")

    def answer(self, answer: Rsvp | None) -> str:
        """Return a user's answer in words."""
        if answer is None:
            return self.say("rsvp.none")
        return f"{ICONS[answer]} {self.say(f'rsvp.{answer}')}"

    def where(self, meeting: Meeting) -> list[str]:
        """Return the place and link lines."""
        lines = []
        if meeting.place:
            lines.append(f"📍 {escape(meeting.place)}")
        if meeting.link:
            lines.append(f"🔗 {escape(meeting.link)}")
        return lines

    # --- cards ----------------------------------------------------------------------------

    def card(
        self,
        meeting: Meeting,
        answer: Rsvp | None,
        counts: RsvpCounts | None = None,
        *,
        with_answer: bool = True,
    ) -> str:
        """Return a meeting's full card: details, agenda, the user's answer (and counts)."""
        lines = [f"📅 <b>{escape(meeting.title)}</b>"]
        if meeting.status is MeetingStatus.CANCELLED:
            lines.append(self.say("meeting.is_cancelled"))
        lines.append(f"🕙 {self.when(meeting)}")
        lines += self.where(meeting)
        if meeting.recurrence:
            lines.append(f"🔁 {self.repeat(meeting.recurrence)}")
        if meeting.agenda:
            lines += ["", f"<b>{self.say('meeting.agenda')}</b>", escape(meeting.agenda)]
        if counts is not None:
            lines += [
                "",
                self.say("meeting.audience_line", audience=self.audience(meeting.audience)),
            ]
            lines.append(self.counts(counts))
        if meeting.status is MeetingStatus.SCHEDULED and with_answer:
            lines += ["", self.say("rsvp.yours", answer=self.answer(answer))]
        if meeting.status is MeetingStatus.HELD:
            lines += self.minutes(meeting)
        return "\n".join(lines)

    def counts(self, counts: RsvpCounts) -> str:
        """Return the answers' counts and the organisations attending, for officers."""
        text = self.say(
            "meeting.counts", attend=counts.attend, maybe=counts.maybe, cannot=counts.cannot
        )
        names = ", ".join(escape(name) for name in counts.organisations) or "—"
        return f"{text}\n{self.say('meeting.organisations_attending', names=names)}"

    def minutes(self, meeting: Meeting) -> list[str]:
        """Return the minutes part of a held meeting's card."""
        names = ", ".join(escape(name) for name in meeting.organisations) or "—"
        return [
            "",
            f"<b>{self.say('meeting.minutes')}</b>",
            escape(meeting.minutes or ""),
            self.say("meeting.attendance", count=meeting.attendance or 0, names=names),
        ]

    def rsvp_rows(self, meeting: Meeting, answer: Rsvp | None) -> Rows:
        """Return the attend / maybe / cannot buttons (the current answer marked)."""
        row = [
            (
                f"• {ICONS[choice]} {self.say(f'rsvp.button_{choice}')} •"
                if choice is answer
                else f"{ICONS[choice]} {self.say(f'rsvp.button_{choice}')}",
                encode(RSVP, meeting.id, choice),
            )
            for choice in Rsvp
        ]
        return [row, [(self.say("meeting.button_ics"), encode(MEETING_CARD, "ics", meeting.id))]]

    def officer_rows(self, meeting: Meeting, now: datetime) -> Rows:
        """Return the officer's buttons for a meeting."""
        if meeting.status is not MeetingStatus.SCHEDULED:
            return []
        if meeting.starts_at <= now:
            return [
                [(self.say("meeting.button_minutes"), encode(MEETING_CARD, "minutes", meeting.id))]
            ]
        return [
            [
                (self.say("meeting.button_edit"), encode(MEETING_CARD, "edit", meeting.id)),
                (self.say("meeting.button_cancel"), encode(MEETING_CARD, "cancel", meeting.id)),
            ]
        ]

    def listing(
        self, meetings: Sequence[tuple[Meeting, Rsvp | None]], *, with_answer: bool = True
    ) -> tuple[str, Rows]:
        """Return the /meetings list: a few lines and one button per meeting."""
        if not meetings:
            return self.say("meeting.list_empty"), []
        lines = [self.say("meeting.list_title")]
        rows: Rows = []
        for meeting, answer in meetings[:LIST_LIMIT]:
            lines += ["", f"📅 <b>{escape(meeting.title)}</b>", f"🕙 {self.when(meeting)}"]
            if with_answer:
                lines.append(self.answer(answer))
            label = f"{meeting.local_start:%d.%m %H:%M} · {short(meeting.title, 40)}"
            rows.append([(label, encode(MEETING_CARD, "open", meeting.id))])
        return "\n".join(lines), rows

    # --- scheduled messages ---------------------------------------------------------------

    def invitation(self, meeting: Meeting) -> str:
        """Return an invitation with the meeting's card."""
        return f"{self.say('meeting.invitation')}\n\n{self.card(meeting, None)}"

    def reminder(self, meeting: Meeting, lead: int) -> str:
        """Return a reminder with date, time, place and link in the message itself."""
        lines = [
            self.say("reminder.title", title=escape(meeting.title), lead=self.lead(lead)),
            f"🕙 {self.when(meeting)}",
            *self.where(meeting),
            "",
            self.say("reminder.change_answer"),
        ]
        return "\n".join(lines)

    def change(self, meeting: Meeting, job: Job) -> str:
        """Return what changed in a meeting, then its card."""
        detail = json.loads(job.detail or "{}")
        fields = ", ".join(self.say(f"meeting.field.{name}") for name in detail.get("fields", []))
        lines = [self.say("meeting.changed", title=escape(meeting.title), fields=fields)]
        was = detail.get("was")
        if "when" in detail.get("fields", []) and was:
            before = self.moment(datetime.fromisoformat(was), meeting.zone)
            lines.append(self.say("meeting.was", when=before))
        return "\n".join(lines) + "\n\n" + self.card(meeting, None, with_answer=False)

    def ics_caption(self, meeting: Meeting) -> str:
        """Return the calendar file's caption: add the meeting, or remove a cancelled one."""
        cancelled = meeting.status is MeetingStatus.CANCELLED
        return self.say("meeting.ics_caption_cancelled" if cancelled else "meeting.ics_caption")

    def cancelled(self, meeting: Meeting) -> str:
        """Return the notice that a meeting is cancelled."""
        lines = [
            self.say("meeting.cancelled_notice", title=escape(meeting.title)),
            f"🕙 {self.when(meeting)}",
        ]
        return "\n".join(lines)

    def action_line(self, item: ActionItem, today: date | None = None) -> str:
        """Return an action item as one line: what, owner, due date, reports (⚠️ overdue)."""
        refs = ", ".join(item.references)
        flag = "⚠️ " if today is not None and item.is_overdue(today) else ""
        line = self.say(
            "action.line",
            what=escape(item.what),
            owner=escape(item.owner_name or "—"),
            due=item.due_on.isoformat(),
        )
        return f"{flag}{line}" + (f" · {refs}" if refs else "")

    def action_due(self, item: ActionItem, meeting: Meeting) -> str:
        """Return an owner's reminder of an action item."""
        return self.say(
            "action.due_soon", what=escape(item.what), due=item.due_on.isoformat(),
            title=escape(meeting.title),
        )  # fmt: skip

    def action_overdue(self, item: ActionItem, meeting: Meeting) -> str:
        """Return the flag of an overdue action item."""
        return self.say(
            "action.overdue", what=escape(item.what), due=item.due_on.isoformat(),
            title=escape(meeting.title), owner=escape(item.owner_name or "—"),
        )  # fmt: skip

    def outcome(self, item: ActionItem, references: list[str]) -> str:
        """Return the outcome told to a reporter, with their reports' references."""
        return self.say(
            "action.outcome_told",
            references=", ".join(references),
            what=escape(item.what),
            outcome=escape(item.outcome or ""),
        )

    def agenda_pack(self, pack: AgendaPack, today: date) -> str:
        """Return the proposed agenda for officers."""
        meeting = pack.meeting
        lines = [
            self.say("agenda.title", title=escape(meeting.title)),
            f"🕙 {self.when(meeting)}",
            "",
            f"<b>{self.say('agenda.recurring', since=self.moment(pack.since, meeting.zone))}</b>",
        ]
        for issue in pack.recurring:
            topic = self.taxonomy.topic(issue.topic)
            office = self.taxonomy.office(issue.office)
            lines.append(
                self.say(
                    "agenda.recurring_line",
                    topic=escape(topic.name(self.lang) if topic else self.say("agenda.no_topic")),
                    office=escape(
                        office.name(self.lang) if office else self.say("agenda.no_office")
                    ),
                    reports=issue.reports,
                    voices=issue.voices,
                )
            )
        if not pack.recurring:
            lines.append(self.say("agenda.none"))
        lines += ["", f"<b>{self.say('agenda.overdue', count=pack.overdue)}</b>"]
        for reference, topic_code, _, filed in pack.oldest:
            topic = self.taxonomy.topic(topic_code)
            name = topic.name(self.lang) if topic else self.say("agenda.no_topic")
            lines.append(f"• {reference} · {escape(name)} · {filed:%Y-%m-%d}")
        lines += ["", f"<b>{self.say('agenda.actions', count=len(pack.actions))}</b>"]
        lines += [f"• {self.action_line(item, today)}" for item in pack.actions]
        if meeting.agenda:
            lines += ["", f"<b>{self.say('agenda.planned')}</b>", escape(meeting.agenda)]
        return "\n".join(lines)
