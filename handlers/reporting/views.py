"""How reports and drafts look in Telegram: step questions, summaries, report cards."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import Translator
from bot.core.taxonomy import NO_OFFICE, NOT_SURE, OTHER_OFFICE, Kind, Taxonomy
from bot.reporting.drafts import EDITABLE, MAX_ATTACHMENTS, Draft, Step
from bot.reporting.model import Attachment, AttachmentKind, Record, Report, ThreadMessage
from bot.reporting.recurring import Match
from handlers.kit import callbacks, offices
from handlers.kit.callbacks import encode
from handlers.kit.render import Choice, escape
from handlers.kit.replies import Speaker

REPORT_FORM = callbacks.prefix("rep", "the report form's buttons")
NOTE_MAX = 200  # characters of a file's caption quoted in a summary or record
Rows = list[list[Choice]]


class ReportViews(Speaker):
    """Render drafts and reports in one user's language."""

    def __init__(self, translate: Translator, taxonomy: Taxonomy, language: str) -> None:
        super().__init__(translate, language)
        self.taxonomy = taxonomy

    def _nav(self, back: bool = True) -> list[Choice]:
        row = [(self.say("button.back"), encode(REPORT_FORM, "back"))] if back else []
        return [*row, (self.say("button.cancel"), encode(REPORT_FORM, "cancel"))]

    def question(self, draft: Draft) -> tuple[str, Rows]:
        """Return the text and buttons asking the draft's current step."""
        step = draft.step
        rows: Rows
        if step is Step.OFFER:
            return self.say("report.offer"), [
                [(self.say("report.offer_yes"), encode(REPORT_FORM, "offer", "yes"))],
                [(self.say("report.offer_no"), encode(REPORT_FORM, "offer", "no"))],
            ]
        if step is Step.KIND:
            rows = [[(self.say(f"kind.action_{k}"), encode(REPORT_FORM, "kind", k))] for k in Kind]
            return self.say("report.ask_kind"), [*rows, self._nav(back=False)]
        if step is Step.DESCRIPTION:
            text = self.say(f"report.ask_description_{draft.kind or Kind.ISSUE}")
            rows = []
            if draft.description:
                text += "\n\n" + self.say(
                    "report.current_description", text=escape(_short(draft.description))
                )
                rows.append([(self.say("button.keep"), encode(REPORT_FORM, "description", "keep"))])
            return text, [*rows, self._nav()]
        if step is Step.TOPIC:
            rows = [
                [(t.name(self.lang), encode(REPORT_FORM, "topic", t.code))]
                for t in self.taxonomy.topics
            ]
            suggested = self.taxonomy.topic(draft.topic_suggested)
            if suggested is not None:
                label = self.say("report.topic_suggested", topic=suggested.name(self.lang))
                rows.insert(0, [(label, encode(REPORT_FORM, "topic", suggested.code))])
            rows.append(
                [(self.say("report.topic_not_sure"), encode(REPORT_FORM, "topic", NOT_SURE))]
            )
            return self.say("report.ask_topic"), [*rows, self._nav()]
        if step is Step.OFFICE:
            return self._offices(draft)
        if step is Step.OFFICE_OTHER:
            return self.say("report.ask_office_other"), [self._nav()]
        if step is Step.DATE:
            rows = [
                [(self.say("report.date_today"), encode(REPORT_FORM, "date", "today"))],
                [(self.say("report.date_yesterday"), encode(REPORT_FORM, "date", "yesterday"))],
                [(self.say("report.date_other"), encode(REPORT_FORM, "date", "other"))],
            ]
            return self.say("report.ask_date"), [*rows, self._nav()]
        if step is Step.DATE_TYPED:
            return self.say("report.ask_date_typed"), [self._nav()]
        if step is Step.ATTACHMENTS:
            return self._attachments(draft)
        if step is Step.ANONYMITY:
            return self.say("report.ask_anonymity"), [
                [(self.say("report.anonymity_no"), encode(REPORT_FORM, "anonymity", "no"))],
                [(self.say("report.anonymity_yes"), encode(REPORT_FORM, "anonymity", "yes"))],
                self._nav(),
            ]
        return self.summary(draft)

    def _offices(self, draft: Draft) -> tuple[str, Rows]:
        """Ask for the office: a typed search's matches, or a page of the list (recent first)."""
        text = self.say("report.ask_office")
        if draft.office_search:
            screen = offices.find(self.taxonomy, draft.office_search, self.lang)
            text = self.say(
                "offices.matches", count=screen.total, search=escape(draft.office_search)
            )
            if screen.more:
                text += "\n" + self.say("offices.more", count=screen.more)
            paging = [(self.say("offices.browse"), encode(REPORT_FORM, "opage", 0))]
        else:
            screen = offices.browse(self.taxonomy.offices, draft.office_page, draft.recent_offices)
            paging = offices.paging_row(screen, lambda page: encode(REPORT_FORM, "opage", page))
            if screen.pages > 1:
                text += offices.page_note(screen) + "\n\n" + self.say("offices.type_hint")
        rows = offices.office_rows(
            screen, self.lang, lambda office: encode(REPORT_FORM, "office", office.code)
        )
        if paging:
            rows.append(paging)
        rows.append(
            [(self.say("report.office_other"), encode(REPORT_FORM, "office", OTHER_OFFICE))]
        )
        rows.append([(self.say("report.office_none"), encode(REPORT_FORM, "office", NO_OFFICE))])
        return text, [*rows, self._nav()]

    def _attachments(self, draft: Draft) -> tuple[str, Rows]:
        count = len(draft.attachments)
        done = (
            self.say("report.attachments_done", count=count)
            if count
            else self.say("report.attachments_none")
        )
        rows: Rows = [[(done, encode(REPORT_FORM, "attachments", "done"))]]
        if count:
            rows.append(
                [
                    (
                        self.say("report.attachments_clear"),
                        encode(REPORT_FORM, "attachments", "clear"),
                    )
                ]
            )
        text = self.say("report.ask_attachments", maximum=MAX_ATTACHMENTS)
        if count:
            text += "\n\n" + self.say(
                "report.attachments_count", count=count, maximum=MAX_ATTACHMENTS
            )
        return text, [*rows, self._nav()]

    def file_notes(self, attachments: Sequence[Attachment]) -> list[str]:
        """Return a line per file that has more than its number: the text typed with it, a
        voice note's length, a location's coordinates."""
        notes = []
        for number, item in enumerate(attachments, 1):
            if item.kind is AttachmentKind.LOCATION:
                notes.append(f"📍 {number}: {item.latitude or 0:.5f}, {item.longitude or 0:.5f}")
                continue
            mark = "🎤" if item.kind is AttachmentKind.VOICE else "📎"
            length = f" {minutes(item.duration)}" if item.duration else ""
            caption = f" «{escape(item.caption[:NOTE_MAX])}»" if item.caption else ""
            if length or caption:
                notes.append(f"{mark} {number}:{length}{caption}")
        return notes

    def summary(self, draft: Draft) -> tuple[str, Rows]:
        """Return the summary of a draft with submit and edit buttons."""
        lines = [self.say("report.summary_title"), ""]
        lines += self._fields(
            kind=draft.kind,
            description=draft.description,
            topic=draft.topic,
            office=draft.office,
            office_other=draft.office_other,
            incident=draft.incident_date.isoformat() if draft.incident_date else None,
            attachments=len(draft.attachments),
            anonymous=draft.anonymous,
        )
        lines += self.file_notes(draft.attachments)
        edits = [
            (self.say(f"report.edit_{step}"), encode(REPORT_FORM, "edit", step))
            for step in EDITABLE
            if step is not Step.DATE or draft.kind is Kind.ISSUE
        ]
        rows: Rows = [[(self.say("report.submit"), encode(REPORT_FORM, "submit", draft.key))]]
        rows += [edits[i : i + 2] for i in range(0, len(edits), 2)]
        rows.append([(self.say("button.cancel"), encode(REPORT_FORM, "cancel"))])
        return "\n".join(lines), rows

    def similar(self, match: Match, key: str) -> tuple[str, Rows]:
        """Return the offer to add one's voice to an open report about the same thing.

        Other traders see its reference, topic, listed office, date and size: never a place
        its reporter typed, nor anything else they wrote.
        """
        report = match.report  # shown to another trader: only what the list names, no typed text
        place = OTHER_OFFICE if match.typed_place else match.listed_office or NO_OFFICE
        text = self.say(
            "report.similar_found",
            reference=report.reference,
            topic=escape(self.topic_name(report.topic)),
            place=escape(self.office_name(place, None)),
            date=f"{report.created_at:%Y-%m-%d}",
            size=match.size,
        )
        rows: Rows = [
            [(self.say("report.voice_add"), encode(REPORT_FORM, "voice", key))],
            [(self.say("report.voice_new"), encode(REPORT_FORM, "new", key))],
            [(self.say("button.cancel"), encode(REPORT_FORM, "cancel"))],
        ]
        return text, rows

    def _fields(
        self,
        *,
        kind: Kind | None,
        description: str | None,
        topic: str | None,
        office: str | None,
        office_other: str | None,
        incident: str | None,
        attachments: int,
        anonymous: bool | None,
    ) -> list[str]:
        lines = [
            f"<b>{self.say('field.kind')}:</b> {self.say(f'kind.{kind}') if kind else '—'}",
            f"<b>{self.say('field.topic')}:</b> {escape(self.topic_name(topic))}",
            f"<b>{self.say('field.office')}:</b> {escape(self.office_name(office, office_other))}",
        ]
        if kind is Kind.ISSUE:
            lines.append(f"<b>{self.say('field.date')}:</b> {incident or '—'}")
        lines += [
            f"<b>{self.say('field.attachments')}:</b> {attachments}",
            f"<b>{self.say('field.anonymous')}:</b> "
            + (self.say("report.anonymous_yes") if anonymous else self.say("report.anonymous_no")),
            "",
            f"<b>{self.say('field.description')}:</b>",
            escape(description or "—"),
        ]
        return lines

    def topic_name(self, code: str | None) -> str:
        """Return a topic's name, or 'not sure'."""
        topic = self.taxonomy.topic(code)
        return topic.name(self.lang) if topic else self.say("report.topic_not_sure")

    def office_name(self, code: str | None, other: str | None) -> str:
        """Return an office's name, a typed place, or 'not relevant'."""
        if code == OTHER_OFFICE:
            return other or self.say("report.office_other")
        office = self.taxonomy.office(code)
        return office.name(self.lang) if office else self.say("report.office_none")

    def card(self, report: Report, thread: list[ThreadMessage]) -> str:
        """Return the full record of a report, for its reporter."""
        lines = [
            self.say("myreports.card_title", reference=report.reference),
            f"<b>{self.say('field.status')}:</b> {self.say(f'status.{report.status}')}",
            f"<b>{self.say('field.created')}:</b> {report.created_at:%Y-%m-%d %H:%M} UTC",
            f"<b>{self.say('field.updated')}:</b> {report.updated_at:%Y-%m-%d %H:%M} UTC",
        ]
        lines += self._fields(
            kind=report.kind,
            description=report.description,
            topic=report.topic,
            office=report.office or NO_OFFICE,
            office_other=report.office_other,
            incident=report.incident_date.isoformat() if report.incident_date else None,
            attachments=len(report.attachments),
            anonymous=report.anonymous,
        )
        lines += self.file_notes(report.attachments)
        if thread:
            lines += ["", f"<b>{self.say('myreports.thread')}</b>"]
            for message in thread:
                who = self.say(f"author.{message.author}")
                when = f"{message.created_at:%Y-%m-%d %H:%M}"
                file_note = " 📎" if message.attachment else ""
                lines.append(f"{when} · <i>{who}</i>{file_note}: {escape(message.body)}")
        return "\n".join(lines)

    def record(self, record: Record) -> str:
        """Return the whole story of a report for its reporter or one of its supporters."""
        if record.support is None:
            lines = [self.card(record.report, list(record.thread))]
        else:
            lines = self._supported(record)
        lines += self.story(record)
        return "\n".join(lines)

    def _supported(self, record: Record) -> list[str]:
        """Return a supported report as its supporter may see it: what the similar-report
        offer showed (never a typed place nor the reporter's text), and their own support."""
        report, support = record.report, record.support
        assert support is not None
        office = report.office if report.office != OTHER_OFFICE else None
        lines = [
            self.say("myreports.card_title_supported", reference=report.reference),
            f"<b>{self.say('field.status')}:</b> {self.say(f'status.{report.status}')}",
            f"<b>{self.say('field.topic')}:</b> {escape(self.topic_name(report.topic))}",
            f"<b>{self.say('field.office')}:</b> {escape(self.office_name(office, None))}",
            f"<b>{self.say('field.created')}:</b> {report.created_at:%Y-%m-%d}",
            "",
            self.say("myreports.your_support", date=f"{support.created_at:%Y-%m-%d}"),
            f"<b>{self.say('field.anonymous')}:</b> "
            + self.say("report.anonymous_yes" if support.anonymous else "report.anonymous_no"),
            f"<b>{self.say('field.attachments')}:</b> {len(support.attachments)}",
            escape(support.comment or "—"),
        ]
        if record.thread:
            lines += ["", f"<b>{self.say('myreports.thread')}</b>"]
            for message in record.thread:
                when = f"{message.created_at:%Y-%m-%d %H:%M}"
                lines.append(
                    f"{when} · <i>{self.say('author.officer')}</i>: {escape(message.body)}"
                )
        return lines

    def story(self, record: Record) -> list[str]:
        """Return how the report ended or moved on: rejection reason, duplicate, outcomes."""
        lines: list[str] = []
        if record.reason:
            lines.append(f"<b>{self.say('followup.field_reason')}:</b> {escape(record.reason)}")
        if record.duplicate_of:
            lines.append(self.say("myreports.duplicate_of", original=record.duplicate_of))
        if record.outcomes:
            lines += ["", self.say("myreports.outcomes")]
            lines += [
                f"{o.done_at:%Y-%m-%d} · {escape(o.what)}: {escape(o.outcome)}"
                for o in record.outcomes
            ]
        return ["", *lines] if lines and lines[0] else lines

    def line(self, report: Report, *, supported: bool = False) -> str:
        """Return one report as a line of the /myreports list (marked if the user supports it)."""
        mark = f" · {self.say('myreports.supported_mark')}" if supported else ""
        return (
            f"<b>{report.reference}</b> · {self.say(f'kind.{report.kind}')} · "
            f"{self.say(f'status.{report.status}')} · {report.updated_at:%Y-%m-%d}{mark}"
        )


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def minutes(seconds: int) -> str:
    """Return a length as m:ss."""
    return f"{seconds // 60}:{seconds % 60:02d}"
