"""Digests for partnership meetings: periods, the digest model and its privacy rules."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

MAX_DAYS = 366
SMALL_CELL = 5
SUPPRESSED = "<5"
QUOTE_LENGTH = 120
EARLIEST = date(2000, 1, 1)  # no digest reaches further back (nor over a year ahead)
_RANGE = re.compile(r"^\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s*\.\.\s*([0-9]{4}-[0-9]{2}-[0-9]{2})\s*$")

PeriodKind = Literal["week", "month", "range"]


class PeriodError(ValueError):
    """A period that cannot be used; `key` names the catalog message that explains why."""

    def __init__(self, key: str, text: str, **params: str) -> None:
        super().__init__(text)
        self.key = key
        self.params = params


class Period(BaseModel):
    """Whole days in the configured time zone, start inclusive and end exclusive.

    `start` is the first day and `end` the day after the last, so a period covers
    [start 00:00, end 00:00) local time; utc_bounds turns that into UTC moments.
    """

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    kind: PeriodKind = "range"

    @classmethod
    def week(cls, today: date) -> Period:
        """Return the last complete Monday-to-Sunday week before today's week."""
        monday = today - timedelta(days=today.weekday())
        return cls(start=monday - timedelta(days=7), end=monday, kind="week")

    @classmethod
    def month(cls, today: date) -> Period:
        """Return the last complete calendar month before today's month."""
        first = today.replace(day=1)
        return cls(start=(first - timedelta(days=1)).replace(day=1), end=first, kind="month")

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """Return the period from first to last day, both included; raise PeriodError if bad."""
        if last < first:
            raise PeriodError("period.end_before_start", f"{last} is before {first}")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError("period.too_long", f"more than {MAX_DAYS} days")
        return cls(start=first, end=last + timedelta(days=1))

    @classmethod
    def parse(cls, text: str, today: date) -> Period:
        """Read 'week', 'month' or 'YYYY-MM-DD..YYYY-MM-DD' (both days, 2000 to a year ahead)."""
        word = text.strip().lower()
        if word == "week":
            return cls.week(today)
        if word == "month":
            return cls.month(today)
        match = _RANGE.match(text)
        if match is None:
            raise PeriodError("period.bad_format", f"not week, month or a date range: {text!r}")
        try:
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        except ValueError:
            raise PeriodError("period.bad_format", f"not a real date: {text!r}") from None
        latest = today + timedelta(days=MAX_DAYS)
        if first <= last and (first < EARLIEST or last > latest):
            raise PeriodError(
                "period.out_of_range",
                f"outside {EARLIEST}..{latest}: {text!r}",
                earliest=EARLIEST.isoformat(),
                latest=latest.isoformat(),
            )
        return cls.between(first, last)

    @property
    def days(self) -> int:
        """Return how many days the period has."""
        return (self.end - self.start).days

    @property
    def last(self) -> date:
        """Return the last day included."""
        return self.end - timedelta(days=1)

    @property
    def key(self) -> str:
        """Return a stable name: 2026-W47 for a week, 2026-11 for a month, else first..last."""
        if self.kind == "week":
            year, number, _ = self.start.isocalendar()
            return f"{year}-W{number:02d}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.last.isoformat()}"

    @classmethod
    def scheduled(cls, every: str, due: date) -> Period:
        """Return what a digest due on a local date covers: the day, 7 days or month before."""
        if every == "monthly":
            return cls.month(due)
        if every == "weekly":
            if due.weekday() == 0:
                return cls.week(due)
            return cls.between(due - timedelta(days=7), due - timedelta(days=1))
        return cls.between(due - timedelta(days=1), due - timedelta(days=1))

    def previous(self) -> Period:
        """Return the period of the same length just before this one."""
        kind: PeriodKind = "week" if self.kind == "week" else "range"
        return Period(start=self.start - timedelta(days=self.days), end=self.start, kind=kind)

    def utc_bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """Return the period's start (inclusive) and end (exclusive) as UTC moments."""
        return _utc_midnight(self.start, zone), _utc_midnight(self.end, zone)

    def iso_bounds(self, zone: tzinfo) -> tuple[str, str]:
        """Return the UTC bounds as stored in the database (2026-11-28T21:00:00+00:00)."""
        start, end = self.utc_bounds(zone)
        return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")

    def dates(self) -> list[date]:
        """Return every day of the period, in order."""
        return [self.start + timedelta(days=offset) for offset in range(self.days)]


def _utc_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def suppress(count: int) -> int | str:
    """Return a count, or "<5" under 5 so no small group of traders can be singled out."""
    return SUPPRESSED if count < SMALL_CELL else count


def suppress_table(counts: list[int]) -> list[int | str]:
    """Suppress small cells of one table, and the next smallest if only one would be hidden.

    A single hidden cell could be worked out from the table's total; hiding two keeps it safe.
    """
    shown = [suppress(count) for count in counts]
    hidden = [index for index, value in enumerate(shown) if value == SUPPRESSED]
    visible = [index for index, value in enumerate(shown) if value != SUPPRESSED]
    if len(hidden) == 1 and visible:
        shown[min(visible, key=lambda index: counts[index])] = SUPPRESSED
    return shown


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ru|es)\b\S*")
_MENTION = re.compile(r"(?<!\w)@\w{3,}")
_NUMBER = re.compile(r"(?<![\w+])\+?(?:\(\d+\) ?)?\d+(?:[ ./-]\d+)*(?!\w)")  # phones, ids
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
MASK = "[…]"


def _mask_number(match: re.Match[str]) -> str:
    """Mask a phone or a long number (7+ digits), not a date."""
    text = match.group(0)
    if _DATE.fullmatch(text.strip()) or sum(char.isdigit() for char in text) < 7:
        return text
    return MASK


def mask_personal(text: str, names: tuple[str, ...] = ()) -> str:
    """Replace e-mails, URLs, @mentions, phones, long numbers and the given names by [...].

    The names are the reporter's own (first, last, username, organisation).
    """
    masked = _EMAIL.sub(MASK, text)
    masked = _URL.sub(MASK, masked)
    masked = _MENTION.sub(MASK, masked)
    masked = _NUMBER.sub(_mask_number, masked)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True):
        masked = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", MASK, masked, flags=re.IGNORECASE)
    return masked


def short_quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """Return text on one line, cut at a word boundary to at most limit characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def change_percent(current: float, previous: float) -> float | None:
    """Return the change from previous to current in percent, None when previous is zero."""
    return None if previous == 0 else (current - previous) / previous * 100


class CubeCell(NamedTuple):
    """Reports of one combination of kind, topic, office, language, urgency and status."""

    kind: str
    topic: str | None
    office: str | None
    language: str
    urgency: str | None
    status: str
    reports: int
    sentiment_sum: float
    sentiment_count: int


class Timing(NamedTuple):
    """One report's reporter profile, status, filing time and seconds to acknowledge/resolve.

    `created` is Unix seconds; the durations are None when not reached or not recorded.
    """

    business_size: str
    women_led: str
    status: str
    urgency: str | None
    created: int
    ack_seconds: int | None
    resolve_seconds: int | None
    rating: int | None = None  # the reporter's 1-5 answer to "Is it fixed?", if any
    fixed: int | None = None  # 1 confirmed fixed, 0 not fixed
    staff: int = 0  # 1 when filed by a member of Customs' staff: not in inclusion figures


class QuoteSource(NamedTuple):
    """A non-anonymous report's text, and its reporter's names to keep out of a quote."""

    description: str
    names: tuple[str, ...]


class ReportRow(NamedTuple):
    """One report as exported: never its text, its reporter or anything naming them."""

    id: int
    reference: str
    created_at: str
    kind: str
    topic: str | None
    office: str | None
    language: str
    urgency: str | None
    sentiment: float | None
    status: str
    anonymous: bool
    voices: int


class PartnershipFigures(NamedTuple):
    """The partnership in a period: meetings held and their attendance, action items done and
    overdue, reminders missed (per person) while the bot was down, notices sent and reach."""

    held: int
    attendance: int
    actions_done: int
    actions_overdue: int
    reminders_missed: int
    notices_sent: int
    notices_reach: int


class Backlog(NamedTuple):
    """Reports open now: how many, and how old the median and the oldest are, in days."""

    open: int
    median_age_days: float | None
    oldest_age_days: float | None
    over_service_level: int


class CountRow(BaseModel):
    """A count of reports in the period and the previous one."""

    model_config = ConfigDict(frozen=True)

    key: str | None
    current: int
    previous: int

    @property
    def change(self) -> float | None:
        """Return the change against the previous period in percent (None from zero)."""
        return change_percent(self.current, self.previous)


class SentimentRow(BaseModel):
    """Average sentiment (-1..1) of a topic's reports now and in the previous period."""

    model_config = ConfigDict(frozen=True)

    topic: str | None
    current: float | None
    previous: float | None
    reports: int

    @property
    def trend(self) -> float | None:
        """Return how much the average moved since the previous period."""
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


class RecurringIssue(BaseModel):
    """A topic at an office with many reports and voices, with one or two masked quotes."""

    model_config = ConfigDict(frozen=True)

    topic: str | None
    office: str | None
    reports: int
    voices: int
    quotes: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Return how many traders stand behind it: reports plus voices."""
        return self.reports + self.voices


class InclusionRow(BaseModel):
    """One business group's reports ("<5" under 5), resolved share and median time to resolve.

    Share, median and satisfaction are None when the group is suppressed or the data is not
    recorded; satisfaction (the average 1-5 rating) needs at least 5 answers in the group.
    """

    model_config = ConfigDict(frozen=True)

    dimension: Literal["business_size", "women_led"]
    group: str
    reports: int | str
    resolved_share: float | None
    median_resolve_hours: float | None
    satisfaction: float | None = None


class Share(BaseModel):
    """A part of a whole, e.g. reports resolved of reports filed."""

    model_config = ConfigDict(frozen=True)

    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        """Return part / whole, None for an empty whole."""
        return self.part / self.whole if self.whole else None


class FollowUp(BaseModel):
    """Follow-up KPIs; None means the bot does not record what the figure needs yet."""

    model_config = ConfigDict(frozen=True)

    history_available: bool
    service_levels: str  # as configured, e.g. "high 1d/5d · normal 1d/10d · low 2d/20d"
    median_ack_hours: float | None = None
    median_resolve_hours: float | None = None
    ack_within_service_level: Share | None = None
    resolved_within_service_level: Share | None = None
    resolved: Share
    previous_resolved: Share
    suggestions_with_outcome: Share
    backlog: Backlog
    satisfaction_average: float | None = None
    confirmed_fixed: Share | None = None
    meetings_held: int | None = None
    meeting_attendance: int | None = None
    actions_done: int | None = None
    actions_overdue: int | None = None
    notices_sent: int | None = None
    notices_reach: int | None = None
    reminders_missed: int | None = None


class Digest(BaseModel):
    """Everything a partnership meeting reads about a period, against the one before."""

    model_config = ConfigDict(frozen=True)

    period: Period
    previous_period: Period
    as_of: datetime
    zone: str
    total: CountRow
    by_kind: tuple[CountRow, ...]
    by_topic: tuple[CountRow, ...]
    by_office: tuple[CountRow, ...]
    by_language: tuple[CountRow, ...]
    by_urgency: tuple[CountRow, ...]
    topic_status: tuple[tuple[str | None, str, int], ...]
    per_day: tuple[tuple[date, int], ...]
    recurring: tuple[RecurringIssue, ...]
    sentiment: tuple[SentimentRow, ...]
    inclusion: tuple[InclusionRow, ...]
    follow_up: FollowUp
