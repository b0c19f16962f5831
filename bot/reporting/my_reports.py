"""A trader's own reports: the list, one report with its thread, adding information."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.conversations import ConversationStore, Flow
from bot.core.errors import NoDraft, UserError
from bot.core.forms import FormService
from bot.reporting.model import Author, Outcome, Record, Report, Support, ThreadMessage
from bot.reporting.service import ReportStore

PAGE_SIZE = 5


class FollowedStore(ReportStore, Protocol):
    """What following one's reports and supports needs from storage."""

    async def for_follower(
        self, user_id: int, offset: int, limit: int
    ) -> tuple[list[Report], int, frozenset[int]]: ...
    async def supports(self, report_id: int, user_id: int | None = None) -> list[Support]: ...
    async def withdraw_voice(self, report_id: int, user_id: int) -> bool: ...
    async def story(self, report_id: int) -> tuple[str | None, str | None, list[Outcome]]: ...
    async def follow_counts(self, user_id: int) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Page:
    """One page of the reports a user filed or supports (`supported` holds the latter's ids)."""

    reports: list[Report]
    number: int
    pages: int
    total: int
    supported: frozenset[int] = frozenset()


class MyReportsService:
    """Use cases of traders following the reports they filed."""

    def __init__(self, reports: FollowedStore, conversations: ConversationStore) -> None:
        self._reports = reports
        self._forms = FormService(conversations)  # adding information: the user's open form

    async def page_of(self, user_id: int, number: int) -> Page:
        """Return a page (1-based) of the reports the user filed or supports, newest first."""
        number = max(number, 1)
        reports, total, supported = await self._reports.for_follower(
            user_id, (number - 1) * PAGE_SIZE, PAGE_SIZE
        )
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        if number > pages:
            return await self.page_of(user_id, pages)
        return Page(reports, number, pages, total, supported)

    async def record(self, user_id: int, report_id: int) -> Record:
        """Return the whole story of a report the user filed or supports; LookupError if
        neither. A supporter reads Customs' messages of the thread, never the reporter's."""
        report = await self._reports.get(report_id)
        if report is None:
            raise LookupError(report_id)
        support = None
        if report.reporter_id != user_id:
            mine = await self._reports.supports(report_id, user_id)
            if not mine:
                raise LookupError(report_id)
            support = mine[0]
        thread = await self._reports.thread(report_id)
        if support is not None:
            thread = [message for message in thread if message.author is Author.OFFICER]
        reason, duplicate_of, outcomes = await self._reports.story(report_id)
        return Record(
            report=report,
            thread=tuple(thread),
            support=support,
            reason=reason,
            duplicate_of=duplicate_of,
            outcomes=tuple(outcomes),
        )

    async def counts(self, user_id: int) -> tuple[int, int]:
        """Return how many reports the user filed and how many they support."""
        return await self._reports.follow_counts(user_id)

    async def withdraw(self, user_id: int, report_id: int) -> Report:
        """Withdraw the user's support of a report (their text and files go); LookupError if
        they do not support it."""
        report = await self._reports.get(report_id)
        if report is None or not await self._reports.withdraw_voice(report_id, user_id):
            raise LookupError(report_id)
        return report

    async def open_own(self, user_id: int, report_id: int) -> tuple[Report, list[ThreadMessage]]:
        """Return one of the user's reports with its thread; LookupError if not theirs."""
        report = await self._reports.get(report_id)
        if report is None or report.reporter_id != user_id:
            raise LookupError(report_id)
        return report, await self._reports.thread(report_id)

    async def start_adding(self, user_id: int, report_id: int) -> Report:
        """Wait for information the user wants to add to their open report."""
        report, _ = await self.open_own(user_id, report_id)
        if not report.status.is_open:
            raise UserError("myreports.error_closed", reference=report.reference)
        await self._forms.save(user_id, Flow.ADD_INFO, str(report.id))
        return report

    async def adding_to(self, user_id: int) -> int:
        """Return the report the user is adding information to; NoDraft if none."""
        data = await self._forms.raw(user_id, Flow.ADD_INFO)
        if data is None or not data.isdigit():
            raise NoDraft("add_info")
        return int(data)

    async def can_add(self, user_id: int, report_id: int) -> bool:
        """Tell whether the report is still the user's and open to more information."""
        try:
            report, _ = await self.open_own(user_id, report_id)
        except LookupError:
            return False
        return report.status.is_open

    async def stop_adding(self, user_id: int) -> None:
        """Close the adding-information conversation (the message is in the thread)."""
        await self._forms.clear(user_id)

    async def export_of(self, user_id: int) -> dict[str, Any]:
        """Return the user's reports, threads and open conversation as plain data."""
        conversation = await self._forms.current(user_id)
        return {
            "reports": await self._reports.export_for_reporter(user_id),
            "open_conversation": conversation.model_dump(mode="json") if conversation else None,
        }
