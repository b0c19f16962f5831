"""Follow-up of reports: status rules, the officers' inbox, officer views, overdue, ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, model_validator

from bot.core.errors import UserError
from bot.core.notifications import Notification
from bot.core.service_levels import ServiceLevel, due_at
from bot.core.taxonomy import Kind
from bot.reporting.model import DESCRIPTION_MAX, Attachment, Author, Report, Status

MESSAGE_MIN = 2
REASON_MAX = 500
RATINGS = range(1, 6)
_OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)
_OUTCOMES = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE)

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, *_OUTCOMES}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, *_OUTCOMES}),
    Status.IN_PROGRESS: frozenset(_OUTCOMES),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS}),  # reopened
    Status.REJECTED: frozenset({Status.IN_PROGRESS}),
    Status.DUPLICATE: frozenset({Status.IN_PROGRESS}),
}


class InvalidTransition(UserError):
    """A status change the rules do not allow (e.g. resolving a report twice)."""

    def __init__(self, current: Status, wanted: Status) -> None:
        super().__init__("followup.error_transition")
        self.current = current
        self.wanted = wanted


def can_move(current: Status, wanted: Status) -> bool:
    """Tell whether a report may go from one status to another."""
    return wanted in TRANSITIONS[current]


def check_move(current: Status, wanted: Status) -> None:
    """Raise InvalidTransition unless the report may go from current to wanted."""
    if not can_move(current, wanted):
        raise InvalidTransition(current, wanted)


def clean_message(text: str) -> str:
    """Return an officer's or reporter's message trimmed, or raise UserError."""
    body = text.strip()
    if len(body) < MESSAGE_MIN:
        raise UserError("followup.error_empty")
    if len(body) > DESCRIPTION_MAX:
        raise UserError("followup.error_long", maximum=DESCRIPTION_MAX, length=len(body))
    return body


def clean_reason(text: str | None) -> str:
    """Return the reason of a rejection trimmed, or raise UserError when there is none."""
    body = (text or "").strip()
    if len(body) < MESSAGE_MIN:
        raise UserError("followup.error_reason_required")
    if len(body) > REASON_MAX:
        raise UserError("followup.error_long", maximum=REASON_MAX, length=len(body))
    return body


def check_rating(value: int) -> int:
    """Return a satisfaction rating from 1 to 5, or raise UserError."""
    if value not in RATINGS:
        raise UserError("followup.error_rating")
    return value


# --- urgency and service levels -----------------------------------------------------------


def urgency_of(value: str | None) -> str:
    """Return the urgency that counts for ordering and service levels (unsorted = normal)."""
    return value if value in ("high", "low") else "normal"


class Overdue(StrEnum):
    """Which target of its service level an open report missed."""

    ACKNOWLEDGE = "acknowledge"  # still new after the time to acknowledge
    RESOLVE = "resolve"  # still open after the time to resolve


@dataclass(frozen=True)
class Deadlines:
    """When a report must be acknowledged and resolved."""

    acknowledge_by: datetime
    resolve_by: datetime


def deadlines(
    created_at: datetime, urgency: str | None, levels: dict[str, ServiceLevel], zone: ZoneInfo
) -> Deadlines:
    """Return a report's deadlines from when it was filed and its urgency."""
    level = levels[urgency_of(urgency)]
    return Deadlines(
        due_at(created_at, level.acknowledge, zone, level.holidays),
        due_at(created_at, level.resolve, zone, level.holidays),
    )


def overdue(
    status: Status,
    created_at: datetime,
    urgency: str | None,
    *,
    levels: dict[str, ServiceLevel],
    zone: ZoneInfo,
    now: datetime,
) -> Overdue | None:
    """Return which target an open report missed at `now` (resolving first), or None."""
    if status not in _OPEN:
        return None
    due = deadlines(created_at, urgency, levels, zone)
    if now > due.resolve_by:
        return Overdue.RESOLVE
    if status is Status.NEW and now > due.acknowledge_by:
        return Overdue.ACKNOWLEDGE
    return None


# --- the inbox ----------------------------------------------------------------------------


class InboxFilter(BaseModel):
    """What an officer narrows the inbox to; no status means every open report."""

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    status: Status | None = None
    office: str | None = None
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False

    def to_token(self) -> str:
        """Write the filter compactly for callback data, e.g. "it_systems||PORT-MAIN|mo"."""
        chosen = (("m", self.mine), ("u", self.unassigned), ("o", self.overdue))
        flags = "".join(flag for flag, on in chosen if on)
        return "|".join((self.topic or "", self.status or "", self.office or "", flags))

    @classmethod
    def from_token(cls, token: str) -> InboxFilter:
        """Read a filter written by to_token; ValueError if it is not one."""
        parts = token.split("|")
        if len(parts) != 4 or set(parts[3]) - set("muo"):
            raise ValueError(f"not an inbox filter: {token!r}")
        topic, status, office, flags = parts
        return cls(
            topic=topic or None,
            status=Status(status) if status else None,
            office=office or None,
            mine="m" in flags,
            unassigned="u" in flags,
            overdue="o" in flags,
        )


class InboxItem(BaseModel):
    """One report as a line of the officers' inbox: never anything about who filed it."""

    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    kind: Kind
    topic: str | None
    office: str | None
    status: Status
    urgency: str | None
    created_at: datetime
    assigned_to: int | None
    group_size: int = 1
    overdue: Overdue | None = None


def flagged(
    item: InboxItem, levels: dict[str, ServiceLevel], zone: ZoneInfo, now: datetime
) -> InboxItem:
    """Return the inbox line with its overdue flag as of `now`."""
    flag = overdue(item.status, item.created_at, item.urgency, levels=levels, zone=zone, now=now)
    return item.model_copy(update={"overdue": flag})


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox (1-based) and how many reports match in all."""

    items: list[InboxItem]
    number: int
    pages: int
    total: int


# --- one report, as officers see it -------------------------------------------------------


class TrackedReport(BaseModel):
    """A stored report with its follow-up state (for services, never shown to officers)."""

    model_config = ConfigDict(frozen=True)

    report: Report
    assigned_to: int | None = None
    duplicate_of: str | None = None  # reference of the report this one duplicates
    reason: str | None = None  # why it was rejected
    voices: int = 0  # other traders who added their voice

    @property
    def group_size(self) -> int:
        """Return how many traders stand behind the report."""
        return 1 + self.voices


class ReporterCard(BaseModel):
    """Who filed a report that is not anonymous: a display name and organisation only."""

    model_config = ConfigDict(frozen=True)

    name: str
    organisation: str | None = None


class ThreadEntry(BaseModel):
    """One message of a report's thread as officers see it; internal notes are marked."""

    model_config = ConfigDict(frozen=True)

    author: Author
    officer_id: int | None = None  # who wrote it, for officers' messages and notes only
    body: str
    attachment: Attachment | None = None
    internal: bool = False
    created_at: datetime


class SupporterEntry(BaseModel):
    """A trader behind the report, as officers see them: no Telegram id ever, and no name or
    organisation unless they chose not to stay anonymous."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None  # None: anonymous
    organisation: str | None = None
    comment: str | None = None
    attachments: tuple[Attachment, ...] = ()
    created_at: datetime


class OfficerReportView(BaseModel):
    """A report as shown to officers: no Telegram id ever, no reporter at all if anonymous."""

    model_config = ConfigDict(frozen=True)

    id: int
    reference: str
    kind: Kind
    description: str
    topic: str | None
    office: str | None
    office_other: str | None
    incident_date: date | None
    language: str
    anonymous: bool
    status: Status
    urgency: str | None
    sentiment: float | None
    attachments: tuple[Attachment, ...]
    created_at: datetime
    updated_at: datetime
    assigned_to: int | None
    duplicate_of: str | None
    reason: str | None
    group_size: int
    deadlines: Deadlines
    overdue: Overdue | None
    thread: tuple[ThreadEntry, ...]
    reporter: ReporterCard | None = None
    supporters: tuple[SupporterEntry, ...] = ()

    @property
    def files(self) -> tuple[Attachment, ...]:
        """Return every file officers may open: the report's, then its supporters'."""
        return self.attachments + tuple(f for s in self.supporters for f in s.attachments)

    @model_validator(mode="after")
    def _anonymous_has_no_reporter(self) -> OfficerReportView:
        if self.anonymous and self.reporter is not None:
            raise ValueError("an anonymous report cannot carry its reporter")
        return self


def officer_view(
    tracked: TrackedReport,
    thread: list[ThreadEntry],
    due: Deadlines,
    flag: Overdue | None,
    reporter: ReporterCard | None,
    *,
    supporters: tuple[SupporterEntry, ...] = (),
) -> OfficerReportView:
    """Return the officers' view of a report; the reporter is dropped if it is anonymous."""
    report = tracked.report
    return OfficerReportView(
        id=report.id,
        reference=report.reference,
        kind=report.kind,
        description=report.description,
        topic=report.topic,
        office=report.office,
        office_other=report.office_other,
        incident_date=report.incident_date,
        language=report.language,
        anonymous=report.anonymous,
        status=report.status,
        urgency=report.urgency,
        sentiment=report.sentiment,
        attachments=report.attachments,
        created_at=report.created_at,
        updated_at=report.updated_at,
        assigned_to=tracked.assigned_to,
        duplicate_of=tracked.duplicate_of,
        reason=tracked.reason,
        group_size=tracked.group_size,
        deadlines=due,
        overdue=flag,
        thread=tuple(thread),
        reporter=None if report.anonymous else reporter,
        supporters=supporters,
    )


# --- what to tell whom --------------------------------------------------------------------


@dataclass(frozen=True)
class Done:
    """What an action on a report left behind, and whom to tell (nothing about the reporter)."""

    report_id: int
    reference: str
    status: Status
    notifications: tuple[Notification, ...] = ()


class Survey(BaseModel):
    """The "Is it fixed?" question asked when a report was resolved, and its answer."""

    model_config = ConfigDict(frozen=True)

    id: int
    report_id: int
    asked_at: datetime
    reasked_at: datetime | None = None
    rating: int | None = None
    fixed: bool | None = None
    comment: str | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class CardPlace:
    """The message showing a report's card in a chat (a topic thread of a forum group or not),
    and the prompt or confirmation message beside it, if any."""

    chat_id: int
    report_id: int
    message_id: int
    thread_id: int | None = None
    prompt_message_id: int | None = None


@dataclass(frozen=True)
class ShownFile:
    """A report's file as forwarded to a chat: which report, which file (from 0)."""

    report_id: int
    position: int
