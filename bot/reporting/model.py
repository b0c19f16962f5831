"""Reports: what a trader files, its reference number, status and thread."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core import files
from bot.core.errors import UserError
from bot.core.numbers import read_number
from bot.core.taxonomy import Kind

DESCRIPTION_MAX = 3500  # a report's description, and any text added to a report
MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download with getFile
DOCUMENT_TYPES = files.ACCEPTED  # read from the file's bytes (bot.core.files), not declared


class Status(StrEnum):
    """Where a report stands."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"

    @property
    def is_open(self) -> bool:
        """Tell whether the report still awaits an outcome."""
        return self in (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class AttachmentKind(StrEnum):
    """How a file was sent."""

    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    LOCATION = "location"


CAPTION_MAX = 1024  # Telegram's caption limit (UTF-16 units): a longer one is split when shown


class Attachment(BaseModel):
    """A photo, document or voice note kept by its Telegram file_id, with its metadata and the
    text typed with it; or a shared location (its file_id a geo: URI)."""

    model_config = ConfigDict(frozen=True)

    kind: AttachmentKind
    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    width: int | None = None
    height: int | None = None
    caption: str | None = None
    duration: int | None = None  # a voice note's seconds
    latitude: float | None = None
    longitude: float | None = None


def location_attachment(latitude: float, longitude: float) -> Attachment:
    """Return a shared location as an attachment (identified by its geo: URI)."""
    uri = f"geo:{latitude:.6f},{longitude:.6f}"
    return Attachment(
        kind=AttachmentKind.LOCATION,
        file_id=uri,
        file_unique_id=uri,
        latitude=latitude,
        longitude=longitude,
    )


def map_link(latitude: float, longitude: float) -> str:
    """Return an OpenStreetMap link showing the point."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=16/{latitude:.6f}/{longitude:.6f}"
    )


class Author(StrEnum):
    """Who wrote a message in a report's thread."""

    REPORTER = "reporter"
    OFFICER = "officer"
    SYSTEM = "system"


class ThreadMessage(BaseModel):
    """One entry in a report's thread."""

    model_config = ConfigDict(frozen=True)

    id: int
    report_id: int
    author: Author
    body: str
    attachment: Attachment | None = None
    created_at: datetime


class ReportContent(BaseModel):
    """What a report says and how it is sorted: shared by new and stored reports."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    description: str
    topic: str | None
    topic_source: str | None
    office: str | None
    office_other: str | None
    incident_date: date | None
    language: str
    anonymous: bool
    attachments: tuple[Attachment, ...] = ()
    urgency: str | None = None
    sentiment: float | None = None
    auto_kind: str | None = None
    auto_topic: str | None = None
    confidence: float | None = None
    text_language: str | None = None
    keywords: str | None = None


class NewReport(ReportContent):
    """A report about to be stored (from a finished draft)."""

    reporter_id: int
    draft_key: str


class Report(ReportContent):
    """A stored report."""

    id: int
    reference: str
    reporter_id: int | None
    status: Status
    created_at: datetime
    updated_at: datetime


class Support(BaseModel):
    """A trader's "same here" on someone else's report: their text, their files, and whether
    officers may see who they are (anonymous unless the supporter chose otherwise)."""

    model_config = ConfigDict(frozen=True)

    id: int
    report_id: int
    user_id: int | None  # None once the supporter's data was erased
    comment: str | None
    language: str | None
    anonymous: bool = True
    attachments: tuple[Attachment, ...] = ()
    created_at: datetime


class Following(StrEnum):
    """Why a user hears of a report: they filed it, or they support it."""

    REPORTER = "reporter"
    SUPPORTER = "supporter"


class Follower(BaseModel):
    """Someone told of a report's public steps, in their language."""

    model_config = ConfigDict(frozen=True)

    user_id: int
    language: str
    following: Following


class Outcome(BaseModel):
    """What was done on an action item (agreed at a meeting) that a report is linked to."""

    model_config = ConfigDict(frozen=True)

    what: str
    outcome: str
    done_at: datetime


class Record(BaseModel):
    """A report as its reporter or a supporter follows it: the whole story so far.

    A supporter's record carries their own support, and of the thread only Customs' messages:
    nothing the reporter wrote beyond what the similar-report offer showed.
    """

    model_config = ConfigDict(frozen=True)

    report: Report
    thread: tuple[ThreadMessage, ...] = ()
    support: Support | None = None  # set when the user supports the report, not filed it
    reason: str | None = None  # why it was rejected
    duplicate_of: str | None = None  # the reference it duplicates
    outcomes: tuple[Outcome, ...] = ()

    @property
    def supported(self) -> bool:
        """Tell whether the user follows this report as a supporter."""
        return self.support is not None


class Correction(BaseModel):
    """An officer's correction of how a report was sorted."""

    model_config = ConfigDict(frozen=True)

    report_id: int | None
    officer_id: int | None
    text: str
    language: str | None
    kind: str | None = None
    topic: str | None = None
    urgency: str | None = None


DEFAULT_PREFIX = "R"
PREFIX_PATTERN = re.compile(r"^[A-Z]{1,4}$")


def check_prefix(text: str) -> str:
    """Return a reference prefix (1 to 4 letters A-Z, upper-cased) or raise ValueError."""
    prefix = text.strip().upper()
    if not PREFIX_PATTERN.match(prefix):
        raise ValueError(f"{text!r}: expected 1 to 4 letters A-Z, e.g. R or GT")
    return prefix


def format_reference(year: int, number: int, prefix: str = DEFAULT_PREFIX) -> str:
    """Return the human-readable reference of the n-th report of a year, e.g. R-2026-00042."""
    return f"{prefix}-{year}-{number:05d}"


def parse_reference(text: str) -> tuple[int, int, str] | None:
    """Return (year, number, prefix) from a reference like GT-2026-00042 (case, spaces forgiven).

    Any prefix of 1 to 4 letters is read, so references stored under an earlier prefix are
    still found: `format_reference(*parsed)` gives back the text as stored.
    """
    parts = [part.strip() for part in text.strip().upper().split("-")]
    if len(parts) != 3 or not PREFIX_PATTERN.match(parts[0]):
        return None
    year, number = read_number(parts[1], 4), read_number(parts[2], 9)
    if year is None or number is None:
        return None
    return year, number, parts[0]


def check_file(attachment: Attachment) -> Attachment:
    """Return a file a report may carry (size, and a document's real type), or raise UserError."""
    if attachment.file_size is not None and attachment.file_size > MAX_FILE_BYTES:
        raise UserError("report.error_file_large", megabytes=MAX_FILE_BYTES // (1024 * 1024))
    if attachment.kind is AttachmentKind.DOCUMENT and attachment.mime_type not in DOCUMENT_TYPES:
        raise UserError("report.error_file_type")
    return attachment
