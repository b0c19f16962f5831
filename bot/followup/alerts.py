"""Alerts to officers: new high-urgency reports at once, and the daily overdue summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, utc_now
from bot.core.notifications import Notification
from bot.core.service_levels import ServiceLevel
from bot.followup import model as followup
from bot.followup.model import InboxFilter, InboxItem
from bot.followup.recipients import Recipients
from bot.followup.service import excerpt
from bot.reporting.model import Report

OVERDUE_SUMMARY = "overdue_summary"


class AlertStore(Protocol):
    """What alerts need from storage."""

    async def find(
        self, query: InboxFilter, viewer_id: int, limit: int | None, offset: int = 0
    ) -> tuple[list[InboxItem], int]: ...
    async def claim(self, kind: str, key: str, recipient_id: int, at: datetime) -> bool: ...


class AlertService:
    """Decide whom to alert and claim scheduled sends (the bot sends them)."""

    def __init__(
        self,
        store: AlertStore,
        recipients: Recipients,
        *,
        levels: dict[str, ServiceLevel],
        zone: ZoneInfo,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._tell = recipients
        self._levels = levels
        self._zone = zone
        self._clock = clock

    async def urgent(self, report: Report) -> list[Notification]:
        """Return whom to tell at once about a newly filed report (none unless high urgency).

        The officers' group chat if configured, else every officer and admin in private.
        """
        if followup.urgency_of(report.urgency) != "high":
            return []
        return await self._tell.officers(
            report,
            "followup.officer.urgent",
            kind=report.kind.value,
            topic=report.topic or "",
            office=report.office or "",
            excerpt=excerpt(report.description),
        )

    async def overdue(self, now: datetime | None = None) -> list[InboxItem]:
        """Return every open report past its service level, by urgency then age."""
        moment = now or self._clock()
        found, _ = await self._store.find(InboxFilter(), 0, None)
        flagged = (followup.flagged(item, self._levels, self._zone, moment) for item in found)
        return [item for item in flagged if item.overdue]

    async def summary_recipients(self) -> list[int]:
        """Return where the daily overdue summary goes: the officers' chat, or each officer."""
        return await self._tell.officer_chats()

    async def claim_summary(self, day: date, recipient_id: int) -> bool:
        """Claim the overdue summary of a day for one recipient; False if it was claimed."""
        return await self._store.claim(
            OVERDUE_SUMMARY, day.isoformat(), recipient_id, self._clock()
        )
