"""What officers read: inbox pages, a report's card with its action buttons, its history."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.core.audit import Action, Actor, AuditEntry
from bot.core.i18n import Translator
from bot.core.taxonomy import NO_OFFICE, OTHER_OFFICE, Kind, Taxonomy
from bot.followup.model import TRANSITIONS, InboxFilter, InboxItem, InboxPage, OfficerReportView
from bot.reporting.model import Attachment, AttachmentKind, Status, map_link
from handlers.kit import callbacks
from handlers.kit.callbacks import encode
from handlers.kit.render import Choice, escape
from handlers.reporting.views import ReportViews, minutes

INBOX = callbacks.prefix("ib", "inbox pages and opening a report")
REPORT_ACTIONS = callbacks.prefix("fu", "an officer's actions on a report")
SURVEY = callbacks.prefix("sv", "the satisfaction survey: fixed?, rating, no comment")
URGENCY_MARK = {"high": "🔴", "normal": "🟡", "low": "⚪"}
STATUS_BUTTONS = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED)
THREAD_SHOWN = 12  # the latest messages of a long thread


class OfficerViews(ReportViews):
    """Render follow-up objects in one officer's language and the configured time zone."""

    def __init__(
        self, translate: Translator, taxonomy: Taxonomy, language: str, zone: tzinfo
    ) -> None:
        super().__init__(translate, taxonomy, language)
        self.zone = zone

    def when(self, moment: datetime) -> str:
        """Return a moment in the configured time zone, to the minute."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def urgency(self, code: str | None) -> str:
        """Return an urgency with its colour mark (no urgency counts as normal)."""
        code = code if code in URGENCY_MARK else "normal"
        return f"{URGENCY_MARK[code]} {self.say(f'urgency.{code}')}"

    def place(self, office: str | None, other: str | None = None) -> str:
        """Return an office name, a typed place, or 'not relevant'."""
        return self.office_name(office or NO_OFFICE, other if office == OTHER_OFFICE else None)

    def inbox_line(self, item: InboxItem) -> str:
        """Return one report of the inbox as a line."""
        flag = f" ⏰ {self.say(f'inbox.overdue_{item.overdue}')}" if item.overdue else ""
        group = f" · 👥 {item.group_size}" if item.group_size > 1 else ""
        return (
            f"{URGENCY_MARK.get(item.urgency or 'normal', '🟡')} <b>{item.reference}</b> · "
            f"{escape(self.topic_name(item.topic))} · {escape(self.place(item.office))} · "
            f"{self.say(f'status.{item.status}')} · {self.when(item.created_at)}{group}{flag}"
        )

    def inbox(self, page: InboxPage, query: InboxFilter) -> tuple[str, list[list[Choice]]]:
        """Return an inbox page: title, filter, lines, and buttons to open and to page."""
        token = query.to_token()
        if not page.total:
            text = self.say("inbox.empty")
        else:
            title = self.say("inbox.title", page=page.number, pages=page.pages, total=page.total)
            text = "\n".join([title, self.filter_line(query), ""] + [
                self.inbox_line(item) for item in page.items
            ])  # fmt: skip
        rows: list[list[Choice]] = [
            [
                (
                    f"{URGENCY_MARK.get(i.urgency or 'normal', '🟡')} {i.reference}",
                    encode(INBOX, "o", i.id),
                )
            ]
            for i in page.items
        ]
        nav: list[Choice] = []
        if page.number > 1:
            nav.append((self.say("button.previous"), encode(INBOX, "p", token, page.number - 1)))
        if page.number < page.pages:
            nav.append((self.say("button.next"), encode(INBOX, "p", token, page.number + 1)))
        if nav:
            rows.append(nav)
        choices = (
            ("inbox.filter_all", InboxFilter()),
            ("inbox.filter_mine", InboxFilter(mine=True)),
            ("inbox.filter_unassigned", InboxFilter(unassigned=True)),
            ("inbox.filter_overdue", InboxFilter(overdue=True)),
        )
        rows.append([
            (("• " if f == query else "") + self.say(key), encode(INBOX, "p", f.to_token(), "1"))
            for key, f in choices
        ])  # fmt: skip
        return text, rows

    def filter_line(self, query: InboxFilter) -> str:
        """Return what the inbox is narrowed to, in words."""
        parts = [self.say(f"inbox.filter_{flag}") for flag in ("mine", "unassigned", "overdue")
                 if getattr(query, flag)]  # fmt: skip
        if query.topic:
            parts.append(escape(self.topic_name(query.topic)))
        if query.office:
            parts.append(escape(self.place(query.office)))
        if query.status:
            parts.append(self.say(f"status.{query.status}"))
        return self.say("inbox.filter", filter=", ".join(parts) or self.say("inbox.filter_all"))

    def officer_card(self, view: OfficerReportView, assignee: str | None) -> str:
        """Return a report as officers see it: labels, deadlines, text and thread."""
        topic = self.taxonomy.topic(view.topic)
        article = f" (TFA {escape(topic.tfa)})" if topic and topic.tfa else ""
        flag = f" ⏰ {self.say(f'inbox.overdue_{view.overdue}')}" if view.overdue else ""
        who = (
            self.say("followup.anonymous")
            if view.reporter is None
            else escape(view.reporter.name)
            + (f" ({escape(view.reporter.organisation)})" if view.reporter.organisation else "")
        )
        place = escape(self.place(view.office, view.office_other))
        lines = [
            self.say("followup.card_title", reference=view.reference),
            f"<b>{self.say('field.status')}:</b> {self.say(f'status.{view.status}')}{flag}",
            f"<b>{self.say('followup.field_urgency')}:</b> {self.urgency(view.urgency)}",
            f"<b>{self.say('field.kind')}:</b> {self.say(f'kind.{view.kind}')}",
            f"<b>{self.say('field.topic')}:</b> {escape(self.topic_name(view.topic))}{article}",
            f"<b>{self.say('field.office')}:</b> {place}",
            f"<b>{self.say('followup.field_reporter')}:</b> {who}",
            f"<b>{self.say('followup.field_assignee')}:</b> "
            + (escape(assignee) if assignee else self.say("followup.nobody")),
            f"<b>{self.say('followup.field_group')}:</b> {view.group_size}",
            f"<b>{self.say('field.created')}:</b> {self.when(view.created_at)}",
            self.say(
                "followup.deadlines",
                acknowledge=self.when(view.deadlines.acknowledge_by),
                resolve=self.when(view.deadlines.resolve_by),
            ),
        ]
        if view.incident_date:
            lines.append(f"<b>{self.say('field.date')}:</b> {view.incident_date.isoformat()}")
        if view.duplicate_of:
            lines.append(self.say("followup.duplicate_of", original=view.duplicate_of))
        if view.reason:
            lines.append(f"<b>{self.say('followup.field_reason')}:</b> {escape(view.reason)}")
        if view.attachments:
            lines.append(f"<b>{self.say('field.attachments')}:</b> {len(view.attachments)} 📎")
        lines += [self.location(a) for a in view.attachments if a.kind is AttachmentKind.LOCATION]
        lines += ["", f"<b>{self.say('field.description')}:</b>", escape(view.description)]
        lines += self.supporters_section(view)
        if view.thread:
            hidden = len(view.thread) - THREAD_SHOWN
            lines += ["", f"<b>{self.say('myreports.thread')}</b>"]
            if hidden > 0:
                lines.append(self.say("followup.thread_hidden", count=hidden))
            for entry in view.thread[-THREAD_SHOWN:]:
                author = (
                    self.say("followup.author_note")
                    if entry.internal
                    else self.say(f"followup.author_{entry.author}")
                )
                file_note = " 📎" if entry.attachment else ""
                lines.append(
                    f"{self.when(entry.created_at)} · <i>{author}</i>{file_note}: "
                    f"{escape(entry.body)}"
                )
        return "\n".join(lines)

    def location(self, attachment: Attachment) -> str:
        """Return a shared location as coordinates with a map link."""
        lat, lon = attachment.latitude or 0.0, attachment.longitude or 0.0
        return self.say(
            "followup.location",
            latitude=f"{lat:.5f}",
            longitude=f"{lon:.5f}",
            link=escape(map_link(lat, lon)),
        )

    def file_caption(
        self, reference: str, position: int, total: int, attachment: Attachment
    ) -> str:
        """Return a forwarded file's caption: the report, which file, and the text typed with it."""
        head = self.say(
            "followup.file_caption", reference=reference, number=position + 1, total=total
        )
        if attachment.kind is AttachmentKind.VOICE and attachment.duration is not None:
            head += f" · 🎤 {minutes(attachment.duration)}"
        return head + (f"\n{escape(attachment.caption)}" if attachment.caption else "")

    def supporters_section(self, view: OfficerReportView) -> list[str]:
        """Return the card's lines on the traders who added their voice: each one's text and
        files, named only if they chose not to stay anonymous (none: no lines)."""
        if not view.supporters:
            return []
        lines = ["", self.say("followup.supporters_title", count=len(view.supporters))]
        for supporter in view.supporters:
            who = (
                escape(supporter.name)
                + (f" ({escape(supporter.organisation)})" if supporter.organisation else "")
                if supporter.name
                else self.say("followup.supporter_anonymous")
            )
            files = f" 📎 {len(supporter.attachments)}" if supporter.attachments else ""
            text = f": {escape(supporter.comment)}" if supporter.comment else ""
            lines.append(f"{self.when(supporter.created_at)} · <i>{who}</i>{files}{text}")
        return lines

    def actions(self, view: OfficerReportView) -> list[list[Choice]]:
        """Return the buttons of what an officer may do with the report now: taking only when
        nobody has it, status buttons only while it is open (a closed one offers Reopen)."""
        rid, allowed = view.id, TRANSITIONS[view.status]
        say = self.say
        rows: list[list[Choice]] = []
        if not view.status.is_open:
            rows.append(
                [
                    (
                        say("followup.btn.reopen"),
                        encode(REPORT_ACTIONS, "st", rid, Status.IN_PROGRESS),
                    )
                ]
            )
            allowed = frozenset()
        else:
            people: list[Choice] = []
            if view.assigned_to is None:
                people.append((say("followup.btn.take"), encode(REPORT_ACTIONS, "me", rid)))
            people.append((say("followup.btn.assign"), encode(REPORT_ACTIONS, "as", rid)))
            rows.append(people)
        moves = [
            (say(f"followup.btn.{s}"), encode(REPORT_ACTIONS, "st", rid, s))
            for s in STATUS_BUTTONS
            if s in allowed
        ]
        if moves:
            rows.append(moves)
        closing: list[Choice] = []
        if Status.REJECTED in allowed:
            closing.append((say("followup.btn.reject"), encode(REPORT_ACTIONS, "rj", rid)))
        if Status.DUPLICATE in allowed:
            closing.append((say("followup.btn.duplicate"), encode(REPORT_ACTIONS, "dp", rid)))
        if closing:
            rows.append(closing)
        rows.append(
            [
                (say("followup.btn.reply"), encode(REPORT_ACTIONS, "rp", rid)),
                (say("followup.btn.info"), encode(REPORT_ACTIONS, "ri", rid)),
            ]
        )
        last = [
            (say("followup.btn.note"), encode(REPORT_ACTIONS, "nt", rid)),
            (say("followup.btn.history"), encode(REPORT_ACTIONS, "hi", rid)),
        ]
        if any(a.kind is not AttachmentKind.LOCATION for a in view.files):
            last.append((say("followup.btn.files"), encode(REPORT_ACTIONS, "fi", rid)))
        rows.append(last)
        return rows  # fmt: skip

    def history(
        self,
        reference: str,
        entries: list[AuditEntry],
        names: dict[int, str],
        *,
        anonymous: bool = False,
    ) -> str:
        """Return a report's audit log, oldest first, in words: officers by name, the reporter
        as "the reporter" (or "anonymous reporter"), statuses and labels by their names."""
        if not entries:
            return self.say("history.empty", reference=reference)
        lines = [self.say("history.title", reference=reference), ""]
        for entry in entries:
            if entry.actor is Actor.STAFF and entry.actor_id is not None:
                actor = escape(names.get(entry.actor_id, "—"))
            elif entry.actor is Actor.REPORTER:
                actor = self.say(
                    "history.the_anonymous_reporter" if anonymous else "history.the_reporter"
                )
            else:
                actor = self.say(f"history.actor_{entry.actor}")
            detail = self.history_detail(entry, names)
            action = self.say(f"history.action_{entry.action}")
            tail = f" — {detail}" if detail else ""
            lines.append(f"{self.when(entry.at)} · <b>{actor}</b> · {action}{tail}")
        return "\n".join(lines)

    def history_detail(self, entry: AuditEntry, names: dict[int, str]) -> str:
        """Return what an audit entry changed, in words (no ids, no codes)."""
        d, parts = entry.detail, []
        if entry.action is Action.ASSIGN:
            before, after = (self._officer(d.get(key), names) for key in ("from", "to"))
            parts.append(self.say("history.move", before=before, after=after))
        elif entry.action is Action.STATUS:
            before, after = (self._status(d.get(key)) for key in ("from", "to"))
            parts.append(self.say("history.move", before=before, after=after))
        elif entry.action is Action.CORRECT:
            for name, label in (("kind", "field.kind"), ("topic", "field.topic"),
                                ("urgency", "followup.field_urgency")):  # fmt: skip
                if name in d:
                    before = self._label(name, d.get(f"{name}_before"))
                    after = self._label(name, d.get(name))
                    move = self.say("history.move", before=before, after=after)
                    parts.append(f"{self.say(label)}: {move}")
        elif entry.action is Action.RATING and isinstance(d.get("rating"), int):
            key = "history.rating_fixed" if d.get("fixed") else "history.rating_not_fixed"
            parts.append(self.say(key, rating=d["rating"]))
        if isinstance(d.get("reason"), str):
            parts.append(self.say("history.reason", reason=escape(str(d["reason"]))))
        if isinstance(d.get("duplicate_of"), str):
            parts.append(self.say("history.duplicate_of", original=escape(str(d["duplicate_of"]))))
        if d.get("fixed") is False and entry.action is Action.STATUS:
            parts.append(self.say("history.not_fixed"))
        if isinstance(d.get("excerpt"), str) and d["excerpt"]:
            parts.append(f"«{escape(str(d['excerpt']))}»")
        if d.get("attachment") is True:
            parts.append(self.say("history.with_file"))
        return "; ".join(parts)

    def _officer(self, value: object, names: dict[int, str]) -> str:
        if not isinstance(value, int):
            return self.say("history.nobody")
        return escape(names.get(value, "—"))

    def _status(self, value: object) -> str:
        return self.say(f"status.{value}") if value in tuple(Status) else "—"

    def _label(self, name: str, value: object) -> str:
        """Return a kind, topic or urgency by its name in this language."""
        if value is None:
            return "—"
        if name == "topic":
            return escape(self.topic_name(str(value)))
        if name == "kind" and value in tuple(Kind):
            return self.say(f"kind.{value}")
        if name == "urgency" and value in URGENCY_MARK:
            return self.say(f"urgency.{value}")
        return escape(str(value))
