"""Officers acting on reports (assign, status, reply, note, correct); reporters answering."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.access import AccessControl, AuditStore, UserDirectory
from bot.core.audit import Action, Actor, AuditEntry, Detail
from bot.core.clock import Clock, utc_now
from bot.core.errors import UserError
from bot.core.notifications import Notification
from bot.core.numbers import read_number
from bot.core.users import Access, display_name
from bot.followup import model as followup
from bot.followup.model import Done, TrackedReport
from bot.followup.recipients import Recipients
from bot.reporting.model import (
    Attachment,
    Author,
    Report,
    Status,
    check_file,
    format_reference,
    parse_reference,
)

log = logging.getLogger(__name__)
PAGE_SIZE = 8
EXCERPT = 200

ReportKey = int | str  # a report id (from buttons) or a reference like R-2026-00042


class FollowUpStore(Protocol):
    """What follow-up needs from storage."""

    async def tracked(self, report_id: int) -> TrackedReport | None: ...
    async def tracked_by_reference(self, reference: str) -> TrackedReport | None: ...
    async def assign(self, report_id: int, officer_id: int | None, audit: AuditEntry) -> None: ...
    async def move(
        self,
        report_id: int,
        current: Status,
        wanted: Status,
        audit: AuditEntry,
        *,
        reason: str | None = None,
        duplicate_of: int | None = None,
        ask: bool = False,
    ) -> bool: ...
    async def add_message(
        self,
        report_id: int,
        author: Author,
        body: str,
        audit: AuditEntry,
        *,
        officer_id: int | None = None,
        attachment: Attachment | None = None,
        acknowledge: AuditEntry | None = None,
    ) -> bool: ...
    async def add_note(
        self, report_id: int, officer_id: int, body: str, audit: AuditEntry
    ) -> None: ...


class Corrector(Protocol):
    """The sorting service's correction of a report's labels."""

    async def correct(
        self,
        report: Report,
        officer_id: int,
        *,
        kind: str | None = None,
        topic: str | None = None,
        urgency: str | None = None,
    ) -> Report: ...


class ReportNotFound(UserError):
    """No report has this id or reference."""

    def __init__(self, reference: object) -> None:
        super().__init__("followup.not_found", reference=str(reference))


class TrackedStore(Protocol):
    """How a report is found by id or reference."""

    async def tracked(self, report_id: int) -> TrackedReport | None: ...
    async def tracked_by_reference(self, reference: str) -> TrackedReport | None: ...


async def find_tracked(store: TrackedStore, report: ReportKey) -> TrackedReport:
    """Return the report with this id or reference (forgiving case and spaces)."""
    found: TrackedReport | None = None
    if isinstance(report, int):
        found = await store.tracked(report)
    elif (parsed := parse_reference(report)) is not None:
        found = await store.tracked_by_reference(format_reference(*parsed))
    elif (number := read_number(report)) is not None:
        found = await store.tracked(number)
    if found is None:
        raise ReportNotFound(str(report))
    return found


def excerpt(text: str) -> str:
    """Return the start of a text, short enough for a notice or the audit log."""
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


class FollowUpService:
    """Use cases of officers following up reports, and of reporters answering them."""

    def __init__(
        self,
        store: FollowUpStore,
        users: UserDirectory,
        audit: AuditStore,
        access: AccessControl,
        recipients: Recipients,
        *,
        corrector: Corrector | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._users = users
        self._audit = audit
        self.access = access
        self._tell = recipients
        self._corrector = corrector
        self._clock = clock

    # --- acting on a report -------------------------------------------------------------

    async def assign(self, actor_id: int, report: ReportKey, officer_id: int | None) -> Done:
        """Give a report to an officer (oneself included), or to nobody with None."""
        await self.access.require(actor_id, Access.OFFICER, "assign")
        tracked = await self._find(report)
        if officer_id is not None and not (await self.access.access_of_id(officer_id)).includes(
            Access.OFFICER
        ):
            raise UserError("followup.error_not_officer")
        detail: Detail = {"from": tracked.assigned_to, "to": officer_id}
        await self._store.assign(
            tracked.report.id, officer_id, self._entry(tracked, actor_id, Action.ASSIGN, detail)
        )
        told: list[Notification] = []
        if officer_id is not None and officer_id != actor_id:
            told = await self._tell.officer(
                officer_id,
                tracked.report,
                "followup.officer.assigned",
                by=await self._name(actor_id),
            )
        log.info("assigned", extra={"reference": tracked.report.reference, "officer_id": actor_id})
        return Done(tracked.report.id, tracked.report.reference, tracked.report.status, tuple(told))

    async def set_status(
        self,
        actor_id: int,
        report: ReportKey,
        status: Status,
        *,
        reason: str | None = None,
        duplicate_of: str | None = None,
    ) -> Done:
        """Move a report on; rejecting takes a reason, a duplicate the original's reference.

        The reporter is told in their language; on resolution they are asked "Is it fixed?".
        """
        await self.access.require(actor_id, Access.OFFICER, "set_status")
        tracked = await self._find(report)
        stored, original = tracked.report, None
        followup.check_move(stored.status, status)
        detail: Detail = {"from": stored.status.value, "to": status.value}
        if status is Status.REJECTED:
            reason = followup.clean_reason(reason)
            detail["reason"] = reason
        else:
            reason = None
        if status is Status.DUPLICATE:
            original = await self._original(stored, duplicate_of)
            detail["duplicate_of"] = original.report.reference
        ask = status is Status.RESOLVED and stored.reporter_id is not None
        moved = await self._store.move(
            stored.id,
            stored.status,
            status,
            self._entry(tracked, actor_id, Action.STATUS, detail),
            reason=reason,
            duplicate_of=original.report.id if original else None,
            ask=ask,
        )
        if not moved:  # someone changed it meanwhile: judge against what it is now
            current = await self._find(stored.id)
            raise followup.InvalidTransition(current.report.status, status)
        told = await self._status_notices(tracked, status, reason, original, actor_id)
        log.info("status", extra={"reference": stored.reference, "status": status.value})
        return Done(stored.id, stored.reference, status, tuple(told))

    async def reply(self, actor_id: int, report: ReportKey, text: str) -> Done:
        """Relay an officer's answer to the reporter; it joins the thread.

        Answering a new report acknowledges it (a status event, no separate notice).
        """
        return await self._public(actor_id, report, text, Action.REPLY, "followup.notice.reply")

    async def request_info(self, actor_id: int, report: ReportKey, text: str) -> Done:
        """Ask the reporter for more information (the status stays)."""
        return await self._public(
            actor_id, report, text, Action.REQUEST_INFO, "followup.notice.info_request"
        )

    async def note(self, actor_id: int, report: ReportKey, text: str) -> Done:
        """Add an internal note, which the reporter never sees."""
        await self.access.require(actor_id, Access.OFFICER, "note")
        tracked = await self._find(report)
        body = followup.clean_message(text)
        entry = self._entry(tracked, actor_id, Action.NOTE, {"excerpt": excerpt(body)})
        await self._store.add_note(tracked.report.id, actor_id, body, entry)
        return Done(tracked.report.id, tracked.report.reference, tracked.report.status)

    async def correct(
        self,
        actor_id: int,
        report: ReportKey,
        *,
        kind: str | None = None,
        topic: str | None = None,
        urgency: str | None = None,
    ) -> Done:
        """Correct kind, topic or urgency through sorting (which learns from it), audited."""
        await self.access.require(actor_id, Access.OFFICER, "correct")
        if self._corrector is None:
            raise RuntimeError("no sorting service to correct labels with")
        tracked = await self._find(report)
        before = tracked.report
        after = await self._corrector.correct(
            before, actor_id, kind=kind, topic=topic, urgency=urgency
        )
        detail: Detail = {}
        for name in ("kind", "topic", "urgency"):
            old, new = getattr(before, name), getattr(after, name)
            if old != new:
                detail[name] = str(new)
                detail[f"{name}_before"] = None if old is None else str(old)
        await self._audit.add(self._entry(tracked, actor_id, Action.CORRECT, detail))
        return Done(after.id, after.reference, after.status)

    # --- the reporter answering ---------------------------------------------------------

    async def reporter_reply(
        self,
        report: ReportKey,
        user_id: int,
        text: str | None,
        attachment: Attachment | None = None,
    ) -> Done:
        """Add the reporter's answer to the thread and tell the officers handling it."""
        tracked = await self._find(report)
        stored = tracked.report
        if stored.reporter_id is None or stored.reporter_id != user_id:
            raise await self.access.refuse(user_id, "reporter_reply", None)
        if not stored.status.is_open:
            raise UserError("myreports.error_closed", reference=stored.reference)
        if attachment is None or (text or "").strip():
            body = followup.clean_message(text or "")
        else:
            body = ""
        if attachment is not None:
            check_file(attachment)
        entry = AuditEntry(
            report_id=stored.id,
            actor=Actor.REPORTER,
            action=Action.REPORTER_REPLY,
            detail={"excerpt": excerpt(body), "attachment": attachment is not None},
            at=self._clock(),
        )
        await self._store.add_message(
            stored.id, Author.REPORTER, body, entry, attachment=attachment
        )
        told = await self._tell.handlers(
            tracked, "followup.officer.reporter_replied", text=excerpt(body)
        )
        return Done(stored.id, stored.reference, stored.status, tuple(told))

    # --- helpers ------------------------------------------------------------------------

    async def _public(
        self, actor_id: int, report: ReportKey, text: str, action: Action, key: str
    ) -> Done:
        await self.access.require(actor_id, Access.OFFICER, action.value)
        tracked = await self._find(report)
        stored = tracked.report
        body = followup.clean_message(text)
        entry = self._entry(tracked, actor_id, action, {"excerpt": excerpt(body)})
        acknowledge = None
        if stored.status is Status.NEW and action is Action.REPLY:
            detail: Detail = {"from": Status.NEW.value, "to": Status.ACKNOWLEDGED.value}
            acknowledge = self._entry(tracked, actor_id, Action.STATUS, detail)
        acknowledged = await self._store.add_message(
            stored.id, Author.OFFICER, body, entry, officer_id=actor_id, acknowledge=acknowledge
        )
        told = await self._tell.followers(stored, key, text=body)
        status = Status.ACKNOWLEDGED if acknowledged else stored.status
        return Done(stored.id, stored.reference, status, tuple(told))

    async def _status_notices(
        self,
        tracked: TrackedReport,
        status: Status,
        reason: str | None,
        original: TrackedReport | None,
        actor_id: int,
    ) -> list[Notification]:
        stored = tracked.report
        if status is Status.REJECTED:
            told = await self._tell.followers(
                stored, "followup.notice.rejected", reason=reason or ""
            )
        elif status is Status.DUPLICATE and original is not None:
            told = await self._tell.followers(
                stored, "followup.notice.duplicate", original=original.report.reference
            )
        else:
            told = await self._tell.followers(stored, "followup.notice.status", status=status.value)
        if status is Status.RESOLVED:
            told += await self._tell.reporter(stored, "followup.ask.fixed")
        if tracked.assigned_to is not None and tracked.assigned_to != actor_id:
            told += await self._tell.officer(
                tracked.assigned_to,
                stored,
                "followup.officer.status",
                status=status.value,
                by=await self._name(actor_id),
            )
        return told

    async def _original(self, stored: Report, reference: str | None) -> TrackedReport:
        parsed = parse_reference(reference or "")
        if parsed is None:
            raise UserError("followup.error_duplicate_target", reference=reference or "")
        original = await self._store.tracked_by_reference(format_reference(*parsed))
        if original is None or original.report.id == stored.id:
            raise UserError("followup.error_duplicate_target", reference=reference or "")
        return original

    async def _find(self, report: ReportKey) -> TrackedReport:
        return await find_tracked(self._store, report)

    async def _name(self, user_id: int) -> str:
        user = await self._users.get(user_id)
        return display_name(user.first_name, user.last_name, user.username) if user else "—"

    def _entry(
        self, tracked: TrackedReport, actor_id: int, action: Action, detail: Detail
    ) -> AuditEntry:
        return AuditEntry(
            report_id=tracked.report.id,
            actor=Actor.STAFF,
            actor_id=actor_id,
            action=action,
            detail=detail,
            at=self._clock(),
        )
