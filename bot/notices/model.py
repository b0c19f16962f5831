"""Notices: what an admin broadcasts, to whom, how each copy fares, and when sending may run."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from bot.core.durations import parse_duration
from bot.core.errors import UserError

TEXT_LIMIT = 3500  # characters as Telegram counts them, leaving room for the header
CAPTION_TEXT_LIMIT = 750  # with a document the text is its caption (Telegram: 1024 in all)
DIMENSIONS = ("roles", "topics", "offices", "languages")
SUBSCRIPTION_KINDS = ("topic", "office")
MAX_PERIOD_BUTTONS = 6
SENTIMENT_EDGE = 0.2  # scores within ±0.2 count as neutral in summaries


class NoticeStatus(StrEnum):
    """Where a notice stands."""

    DRAFT = "draft"  # the admin is writing it
    SCHEDULED = "scheduled"  # confirmed; goes out at send_at (or at once)
    SENDING = "sending"  # recipients fixed, copies going out
    SENT = "sent"  # every copy settled
    CANCELLED = "cancelled"


class ComposeStep(StrEnum):
    """The question an admin writing a notice is answering."""

    TEXT = "text"  # the text in the default language
    DOCUMENT = "document"  # an optional file
    LANGUAGES = "languages"  # add texts in other languages, or go on
    VARIANT = "variant"  # the text in variant_language
    AUDIENCE = "audience"
    PERIOD = "period"  # a comment period, or none
    WHEN = "when"  # now or at a time
    TIME = "time"  # the time, typed
    CONFIRM = "confirm"  # preview sent; confirm, edit or cancel

    @property
    def typed(self) -> bool:
        """Tell whether this step waits for a message rather than a button."""
        return self in TYPED_STEPS


TYPED_STEPS = frozenset(
    {
        ComposeStep.TEXT,
        ComposeStep.DOCUMENT,
        ComposeStep.VARIANT,
        ComposeStep.PERIOD,
        ComposeStep.TIME,
    }
)


class DeliveryKind(StrEnum):
    """What a queued message is."""

    NOTICE = "notice"
    REMINDER = "reminder"  # a consultation's one reminder to recipients who did not comment


class DeliveryState(StrEnum):
    """How one queued message fares."""

    PENDING = "pending"
    SENDING = "sending"  # claimed: committed before the API call
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot; they are marked inactive
    FAILED = "failed"  # refused by Telegram, or transient errors past the last attempt
    UNCONFIRMED = "unconfirmed"  # may or may not have arrived: never sent again
    SKIPPED = "skipped"  # the user stopped notices, or a reminder's deadline passed


class Audience(BaseModel):
    """Who gets a notice: each dimension empty means everyone; within one, any value matches."""

    model_config = ConfigDict(frozen=True)

    roles: tuple[str, ...] = ()  # business roles: trader, broker, forwarder, other
    topics: tuple[str, ...] = ()  # users subscribed to any of these (or to every topic)
    offices: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        """Tell whether no dimension narrows the audience."""
        return not (self.roles or self.topics or self.offices or self.languages)

    def toggled(self, dimension: str, code: str) -> Audience:
        """Return the audience with code added to or removed from a dimension."""
        if dimension not in DIMENSIONS:
            raise UserError("broadcast.stale")
        chosen: tuple[str, ...] = getattr(self, dimension)
        values = tuple(c for c in chosen if c != code) if code in chosen else (*chosen, code)
        return self.model_copy(update={dimension: tuple(sorted(values))})


class NoticeDocument(BaseModel):
    """A file sent with a notice, by Telegram file_id."""

    model_config = ConfigDict(frozen=True)

    file_id: str
    file_name: str | None = None
    mime_type: str | None = None


class Notice(BaseModel):
    """A notice as stored."""

    model_config = ConfigDict(frozen=True)

    id: int
    author_id: int
    status: NoticeStatus
    step: ComposeStep | None = None
    variant_language: str | None = None
    texts: dict[str, str] = Field(default_factory=dict)
    document: NoticeDocument | None = None
    audience: Audience = Audience()
    comment_seconds: int | None = None
    send_at: datetime | None = None
    chat_id: int | None = None
    progress_message_id: int | None = None
    total: int = 0
    transient_errors: int = 0
    rate_limited: int = 0
    comment_until: datetime | None = None
    remind_at: datetime | None = None
    confirmed_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def comment_period(self) -> timedelta | None:
        """Return the comment period of a consultation, None for a plain notice."""
        return timedelta(seconds=self.comment_seconds) if self.comment_seconds else None

    def text_for(self, language: str, default: str) -> str:
        """Return the text in the recipient's language, else in the default language."""
        return self.texts.get(language) or self.texts.get(default) or ""

    def open_for_comments(self, now: datetime) -> bool:
        """Tell whether comments are taken now."""
        return self.comment_until is not None and now < self.comment_until


class Delivery(BaseModel):
    """One queued message to one recipient."""

    model_config = ConfigDict(frozen=True)

    notice_id: int
    kind: DeliveryKind
    user_id: int
    language: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0


class Reach(BaseModel):
    """How far a notice got: its copies by state, acknowledgements and comments."""

    model_config = ConfigDict(frozen=True)

    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unconfirmed: int = 0
    skipped: int = 0
    acknowledged: int = 0
    comments: int = 0
    commenters: int = 0
    transient_errors: int = 0
    rate_limited: int = 0

    @property
    def done(self) -> bool:
        """Tell whether nothing is left to send."""
        return self.pending == 0 and self.sending == 0


class Outgoing(BaseModel):
    """A message for one chat, with inline buttons as (label, callback data) rows."""

    model_config = ConfigDict(frozen=True)

    chat_id: int
    text: str  # Telegram HTML
    document: NoticeDocument | None = None
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()


class Subscription(BaseModel):
    """The topics and offices a user wants notices about (empty: all of them)."""

    model_config = ConfigDict(frozen=True)

    topics: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()


class Comment(BaseModel):
    """A comment on a consultation, with its sorting."""

    model_config = ConfigDict(frozen=True)

    id: int
    notice_id: int
    user_id: int | None
    body: str
    language: str
    kind: str | None = None
    topic: str | None = None
    urgency: str | None = None
    sentiment: float | None = None
    business_role: str | None = None
    organisation: str | None = None
    created_at: datetime
    author_names: tuple[str, ...] = ()  # only to mask them out of quotes, never shown


def telegram_length(text: str) -> int:
    """Return the length of a text as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(html_text: str) -> str:
    """Return the text of Telegram HTML as the user reads it (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def check_text(plain: str, *, with_document: bool) -> None:
    """Refuse an empty notice text, or one too long for a message (or for a caption)."""
    length = telegram_length(plain.strip())
    limit = CAPTION_TEXT_LIMIT if with_document else TEXT_LIMIT
    if not length:
        raise UserError("broadcast.error_empty")
    if length > limit:
        key = "broadcast.error_caption_long" if with_document else "broadcast.error_too_long"
        raise UserError(key, limit=limit, length=length)


def sentiment_band(score: float | None) -> str:
    """Return negative, neutral or positive for a sentiment score (-1..1)."""
    if score is None or -SENTIMENT_EDGE <= score <= SENTIMENT_EDGE:
        return "neutral"
    return "positive" if score > 0 else "negative"


_QUIET = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class NoticeTimes:
    """When the notices' rows next fall due: what goes out paced, and what is bookkeeping."""

    send: datetime | None  # a confirmed notice to start, or a queued copy to send
    bookkeeping: datetime | None  # consultation reminders to queue, summaries to send
    sending: bool  # a notice is going out: its progress message is kept up to date


class QuietHours(BaseModel):
    """Local hours in which no broadcast message goes out, e.g. 21:00-08:00 (across midnight)."""

    model_config = ConfigDict(frozen=True)

    start: time
    end: time

    @classmethod
    def parse(cls, spec: str) -> QuietHours | None:
        """Parse "HH:MM-HH:MM" (empty: no quiet hours)."""
        if not spec.strip():
            return None
        match = _QUIET.match(spec.strip())
        if match is None:
            raise ValueError(f"{spec!r}: expected HH:MM-HH:MM, e.g. 21:00-08:00")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"{spec!r}: hours are 00-23 and minutes 00-59")
        if (h1, m1) == (h2, m2):
            raise ValueError(f"{spec!r}: the start and the end are the same")
        return cls(start=time(h1, m1), end=time(h2, m2))

    def contains(self, moment: time) -> bool:
        """Tell whether a local time of day is quiet."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_allowed(self, now: datetime, zone: ZoneInfo) -> datetime:
        """Return now if sending is allowed, else when the quiet hours end (aware)."""
        local = now.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return now
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        return datetime.combine(day, self.end, zone)

    def __str__(self) -> str:
        """Write the hours back as HH:MM-HH:MM."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_local_time(text: str, zone: ZoneInfo) -> datetime:
    """Parse "YYYY-MM-DD HH:MM" in the configured zone into an aware datetime."""
    match = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})\s*$", text, re.ASCII)
    if match is None or not 2000 <= int(match[1]) <= 2100:
        raise UserError("broadcast.error_time_format")
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise UserError("broadcast.error_time_format") from None


def reminder_time(start: datetime, period: timedelta, lead: timedelta) -> datetime:
    """Return when to remind: `lead` before the deadline, but not before half the period."""
    deadline = start + period
    return max(deadline - lead, start + period / 2)


def stored(value: Any) -> Any:
    """Return a value as the database keeps it (aware datetimes as ISO 8601 UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return value


def parse_periods(text: str) -> tuple[timedelta, ...]:
    """Parse comma-separated comment periods such as "7d, 14d, 30d" (at most six)."""
    periods = tuple(parse_duration(part) for part in text.split(",") if part.strip())
    if len(periods) > MAX_PERIOD_BUTTONS:
        raise ValueError(f"at most {MAX_PERIOD_BUTTONS} periods, one button each")
    if any(period <= timedelta(0) for period in periods):
        raise ValueError("every period must be longer than zero")
    return periods
