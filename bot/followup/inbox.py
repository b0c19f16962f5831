"""What officers see: the inbox of reports, one report with its thread, its history."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.access import AccessControl, AuditStore, UserDirectory
from bot.core.audit import AuditEntry
from bot.core.clock import Clock, utc_now
from bot.core.service_levels import ServiceLevel
from bot.core.users import Access
from bot.followup import model as followup
from bot.followup.model import (
    InboxFilter,
    InboxItem,
    InboxPage,
    OfficerReportView,
    ReporterCard,
    SupporterEntry,
    ThreadEntry,
    TrackedReport,
)
from bot.followup.service import ReportKey, find_tracked
from bot.reporting.model import Report, Support

PAGE_SIZE = 8


class InboxStore(Protocol):
    """What the inbox needs from storage."""

    async def tracked(self, report_id: int) -> TrackedReport | None: ...
    async def tracked_by_reference(self, reference: str) -> TrackedReport | None: ...
    async def find(
        self, query: InboxFilter, viewer_id: int, limit: int | None, offset: int = 0
    ) -> tuple[list[InboxItem], int]: ...
    async def officer_thread(self, report_id: int) -> list[ThreadEntry]: ...
    async def supports(self, report_id: int, user_id: int | None = None) -> list[Support]: ...


class InboxService:
    """Use cases of officers reading reports; every call checks the caller is staff."""

    def __init__(
        self,
        store: InboxStore,
        users: UserDirectory,
        audit: AuditStore,
        access: AccessControl,
        *,
        levels: dict[str, ServiceLevel],
        zone: ZoneInfo,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._users = users
        self._audit = audit
        self.access = access
        self._levels = levels
        self._zone = zone
        self._clock = clock

    async def inbox(
        self,
        actor_id: int,
        query: InboxFilter | None = None,
        page: int = 1,
        page_size: int = PAGE_SIZE,
    ) -> InboxPage:
        """Return a page (1-based) of reports, by urgency then age; open ones by default."""
        await self.access.require(actor_id, Access.OFFICER, "inbox")
        query, now, size = query or InboxFilter(), self._clock(), max(page_size, 1)
        if query.overdue:
            found, _ = await self._store.find(query, actor_id, None)
            items = [item for item in (self._flag(i, now) for i in found) if item.overdue]
            pages = max(math.ceil(len(items) / size), 1)
            number = min(max(page, 1), pages)
            chosen = items[(number - 1) * size : number * size]
            return InboxPage(chosen, number, pages, len(items))
        number = max(page, 1)
        found, total = await self._store.find(query, actor_id, size, (number - 1) * size)
        pages = max(math.ceil(total / size), 1)
        if number > pages:
            return await self.inbox(actor_id, query, pages, size)
        return InboxPage([self._flag(item, now) for item in found], number, pages, total)

    async def open_report(self, actor_id: int, report: ReportKey) -> OfficerReportView:
        """Return a report as officers see it, with its thread and internal notes.

        The reporter's name and organisation only if the report is not anonymous; their
        Telegram id and username never.
        """
        await self.access.require(actor_id, Access.OFFICER, "open_report")
        return await self.officers_view(report)

    async def officers_view(self, report: ReportKey) -> OfficerReportView:
        """Return a report as officers see it, for the officers' own group (the bot posts it
        there itself; whoever acts on it is checked by the action)."""
        tracked = await find_tracked(self._store, report)
        stored = tracked.report
        due = followup.deadlines(stored.created_at, stored.urgency, self._levels, self._zone)
        return followup.officer_view(
            tracked,
            await self._store.officer_thread(stored.id),
            due,
            self._flag_of(stored),
            await self._card(stored),
            supporters=tuple(
                [await self._supporter(s) for s in await self._store.supports(stored.id)]
            ),
        )

    async def history(self, actor_id: int, report: ReportKey) -> list[AuditEntry]:
        """Return a report's audit entries, oldest first (its reporter never by id)."""
        await self.access.require(actor_id, Access.OFFICER, "history")
        tracked = await find_tracked(self._store, report)
        return await self._audit.for_report(tracked.report.id)

    async def _card(self, report: Report) -> ReporterCard | None:
        if report.anonymous or report.reporter_id is None:
            return None
        user = await self._users.get(report.reporter_id)
        if user is None:
            return None
        name = " ".join(part for part in (user.first_name, user.last_name) if part) or "—"
        return ReporterCard(name=name, organisation=user.organisation)

    async def _supporter(self, support: Support) -> SupporterEntry:
        """Return a support as officers see it: named only if the supporter chose so."""
        user = None
        if not support.anonymous and support.user_id is not None:
            user = await self._users.get(support.user_id)
        name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else None
        return SupporterEntry(
            name=name or None,
            organisation=user.organisation if user else None,
            comment=support.comment,
            attachments=support.attachments,
            created_at=support.created_at,
        )

    def _flag_of(self, report: Report) -> followup.Overdue | None:
        return followup.overdue(
            report.status,
            report.created_at,
            report.urgency,
            levels=self._levels,
            zone=self._zone,
            now=self._clock(),
        )

    def _flag(self, item: InboxItem, now: datetime) -> InboxItem:
        return followup.flagged(item, self._levels, self._zone, now)
