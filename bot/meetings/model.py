"""Meetings with traders: what a meeting is, who is invited, answers, and checked input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.core.durations import parse_duration
from bot.core.errors import UserError
from bot.core.numbers import read_number
from bot.core.users import BusinessRole

TITLE_MIN, TITLE_MAX = 3, 200
PLACE_MAX = 200
LINK_MAX = 500
AGENDA_MAX = 3000
MINUTES_MAX = 3500
ORGANISATION_MAX = 200
MAX_ORGANISATIONS = 100
MAX_ATTENDANCE = 100_000
MAX_AHEAD = timedelta(days=730)
DEFAULT_LENGTH = timedelta(hours=1)
EVERYONE = "everyone"
ROLE_PREFIX = "role:"
TOPIC_PREFIX = "topic:"  # users subscribed to the topic (or to every topic), as notices do
OFFICE_PREFIX = "office:"
ROLES = tuple(f"{ROLE_PREFIX}{role.value}" for role in BusinessRole)


class Rsvp(StrEnum):
    """A user's answer to an invitation."""

    ATTEND = "attend"
    MAYBE = "maybe"
    CANNOT = "cannot"


class MeetingStatus(StrEnum):
    """Where a meeting stands."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"  # minutes recorded


class Meeting(BaseModel):
    """A consultation meeting as stored; times are aware, in UTC."""

    model_config = ConfigDict(frozen=True)

    id: int
    series_id: int | None = None
    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    place: str | None = None
    link: str | None = None
    agenda: str = ""
    audience: str = EVERYONE
    recurrence: str | None = None  # an RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU
    status: MeetingStatus = MeetingStatus.SCHEDULED
    sequence: int = 0  # bumped on every change (the .ics SEQUENCE)
    created_by: int
    minutes: str | None = None
    attendance: int | None = None
    organisations: tuple[str, ...] = ()
    created_at: datetime
    closed_at: datetime | None = None

    @property
    def tz(self) -> ZoneInfo:
        """Return the zone the meeting's wall-clock time is set in."""
        return ZoneInfo(self.zone)

    @property
    def local_start(self) -> datetime:
        """Return the start in the meeting's zone."""
        return self.starts_at.astimezone(self.tz)

    def is_upcoming(self, now: datetime) -> bool:
        """Tell whether the meeting is still to happen (scheduled and not started)."""
        return self.status is MeetingStatus.SCHEDULED and self.starts_at > now


class MeetingDetails(BaseModel):
    """What an officer sets when creating or editing a meeting."""

    model_config = ConfigDict(frozen=True)

    title: str
    starts_at: datetime
    ends_at: datetime
    zone: str
    place: str | None = None
    link: str | None = None
    agenda: str = ""
    audience: str = EVERYONE
    recurrence: str | None = None

    def changes_from(self, meeting: Meeting) -> tuple[str, ...]:
        """Return the names of the fields that differ from the stored meeting, in form order."""
        changed = []
        if self.title != meeting.title:
            changed.append("title")
        if self.starts_at != meeting.starts_at or self.ends_at != meeting.ends_at:
            changed.append("when")
        if self.place != meeting.place:
            changed.append("place")
        if self.link != meeting.link:
            changed.append("link")
        if self.agenda != meeting.agenda:
            changed.append("agenda")
        if self.audience != meeting.audience:
            changed.append("audience")
        if self.recurrence != meeting.recurrence:
            changed.append("repeat")
        return tuple(changed)


class RsvpCounts(BaseModel):
    """How many answered what, and the organisations of those attending."""

    model_config = ConfigDict(frozen=True)

    attend: int = 0
    maybe: int = 0
    cannot: int = 0
    organisations: tuple[str, ...] = ()


class ActionItem(BaseModel):
    """Something agreed at a meeting, tracked until done."""

    model_config = ConfigDict(frozen=True)

    id: int
    meeting_id: int
    what: str
    owner_id: int
    owner_name: str = ""
    due_on: date
    references: tuple[str, ...] = ()
    done_at: datetime | None = None
    outcome: str | None = None

    def is_overdue(self, today: date) -> bool:
        """Tell whether the item is open past its due date."""
        return self.done_at is None and today > self.due_on


class NewActionItem(BaseModel):
    """An action item as typed in the minutes, its owner found."""

    model_config = ConfigDict(frozen=True)

    what: str
    owner_id: int
    owner_name: str = ""
    due_on: date
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingRecord:
    """What an officer records after a meeting."""

    minutes: str
    attendance: int
    organisations: tuple[str, ...]
    recorded_by: int
    actions: tuple[NewActionItem, ...] = ()


def check_audience(value: str, topics: Iterable[str], offices: Iterable[str]) -> str:
    """Return an audience code (everyone, role:, topic: or office:), or raise UserError."""
    known = {
        EVERYONE,
        *ROLES,
        *(f"{TOPIC_PREFIX}{code}" for code in topics),
        *(f"{OFFICE_PREFIX}{code}" for code in offices),
    }
    if value not in known:
        raise UserError("meeting.error_choose_button")
    return value


def clean_title(text: str) -> str:
    """Return a meeting title trimmed, or raise UserError."""
    title = " ".join(text.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise UserError("meeting.error_title", minimum=TITLE_MIN, maximum=TITLE_MAX)
    return title


def clean_place(text: str) -> str:
    """Return a place name trimmed, or raise UserError."""
    place = " ".join(text.split())
    if not place or len(place) > PLACE_MAX:
        raise UserError("meeting.error_place", maximum=PLACE_MAX)
    return place


_LINK = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$")


def clean_link(text: str) -> str:
    """Return an http(s) link, or raise UserError."""
    link = text.strip()
    if len(link) > LINK_MAX or not _LINK.match(link):
        raise UserError("meeting.error_link")
    return link


def clean_agenda(text: str) -> str:
    """Return the agenda text trimmed, or raise UserError if too long."""
    agenda = text.strip()
    if len(agenda) > AGENDA_MAX:
        raise UserError("meeting.error_agenda_long", maximum=AGENDA_MAX, length=len(agenda))
    return agenda


def clean_minutes(text: str) -> str:
    """Return the minutes trimmed, or raise UserError."""
    minutes = text.strip()
    if not minutes or len(minutes) > MINUTES_MAX:
        raise UserError("meeting.error_minutes", maximum=MINUTES_MAX)
    return minutes


def parse_attendance(text: str) -> int:
    """Return a head count typed as a whole number, or raise UserError."""
    value = read_number(text, 6)
    if value is None or value > MAX_ATTENDANCE:
        raise UserError("meeting.error_attendance")
    return value


def parse_organisations(text: str) -> tuple[str, ...]:
    """Return the organisations in a comma- or line-separated list (duplicates dropped)."""
    names: list[str] = []
    for part in re.split(r"[,;\n]", text):
        name = " ".join(part.split())
        if len(name) > ORGANISATION_MAX:
            raise UserError("meeting.error_organisation", maximum=ORGANISATION_MAX)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if not names or len(names) > MAX_ORGANISATIONS:
        raise UserError("meeting.error_organisations", maximum=MAX_ORGANISATIONS)
    return tuple(names)


_DAY = (
    r"(?:(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})[./](?P<mo2>\d{1,2})[./](?P<y2>\d{4}))"
)
_CLOCK = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?"
_END = r"(?:\s*[-–]\s*(?P<eh>\d{1,2})[:.](?P<emi>\d{2}))?"
MIN_YEAR, MAX_YEAR = 2000, 2100  # years a meeting or a due date can be in
_WHEN = re.compile(rf"^{_DAY}[\sT,]+{_CLOCK}{_END}$", re.ASCII)
_DATE = re.compile(rf"^{_DAY}$", re.ASCII)


def _day_of(match: re.Match[str]) -> date:
    year, month, day = (
        (match["y"], match["mo"], match["d"])
        if match["y"]
        else (match["y2"], match["mo2"], match["d2"])
    )
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ValueError(f"year {year} is out of range")
    return date(int(year), int(month), int(day))


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Return a wall-clock time in a zone, refusing one a DST change skips."""
    moment = datetime.combine(day, at, zone)
    round_trip = moment.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise UserError("meeting.error_time_gap")
    return moment


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """Read "2026-12-15 10:00" or "15.12.2026 10:00-11:30" in zone; return UTC (start, end).

    The start must be in the future and within two years; the end defaults to an hour later.
    """
    match = _WHEN.match(text.strip())
    if match is None:
        raise UserError("meeting.error_when_format")
    try:
        day = _day_of(match)
        start_at = time(int(match["h"]), int(match["mi"]), int(match["s"] or 0))
        end_at = time(int(match["eh"]), int(match["emi"])) if match["eh"] else None
    except ValueError:
        raise UserError("meeting.error_when_format") from None
    start = local_moment(day, start_at, zone)
    end = local_moment(day, end_at, zone) if end_at is not None else start + DEFAULT_LENGTH
    if end <= start:
        raise UserError("meeting.error_end_before_start")
    if start <= now:
        raise UserError("meeting.error_when_past")
    if start - now > MAX_AHEAD:
        raise UserError("meeting.error_when_far")
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_due_date(text: str, today: date) -> date:
    """Read a due date "2026-12-20" or "20.12.2026" not in the past."""
    match = _DATE.match(text.strip())
    try:
        due = _day_of(match) if match else None
    except ValueError:
        due = None
    if due is None:
        raise UserError("action.error_due_format")
    if due < today:
        raise UserError("action.error_due_past")
    return due


_OWNER = re.compile(r"^(@?[A-Za-z0-9_]{1,64}|-?\d{1,20}|\w{1,3})$")
REFERENCE = re.compile(r"\b[A-Z]{1,4}-\d{4}-\d{3,}\b", re.IGNORECASE)  # any report prefix


class ActionLine(BaseModel):
    """An action item line as typed, before its owner is looked up."""

    model_config = ConfigDict(frozen=True)

    what: str
    owner: str
    due_on: date
    references: tuple[str, ...] = ()


def parse_action_line(text: str, today: date) -> ActionLine:
    """Read "what; owner; due date; R-2026-00042 R-2026-00043" (references optional)."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (3, 4) or not all(parts[:3]):
        raise UserError("action.error_format")
    if not _OWNER.match(parts[1]):
        raise UserError("action.error_format")
    what = " ".join(parts[0].split())
    if len(what) > TITLE_MAX:
        raise UserError("action.error_what_long", maximum=TITLE_MAX)
    listed = parts[3] if len(parts) == 4 else ""
    references = tuple(dict.fromkeys(r.upper() for r in REFERENCE.findall(listed)))
    if listed and not references:
        raise UserError("action.error_references")
    return ActionLine(
        what=what,
        owner=parts[1],
        due_on=parse_due_date(parts[2], today),
        references=references,
    )


def parse_offsets(text: str) -> tuple[timedelta, ...]:
    """Parse "7d, 1d, 1h" into distinct positive offsets, longest first (empty text: none)."""
    offsets = {parse_duration(part) for part in text.split(",") if part.strip()}
    if any(offset <= timedelta(0) for offset in offsets):
        raise ValueError("offsets must be longer than zero, e.g. 7d, 1d, 1h")
    return tuple(sorted(offsets, reverse=True))
