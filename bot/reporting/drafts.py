"""A report being written: its steps, their order, and which answers each step takes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import ClassVar

from bot.core.errors import UserError
from bot.core.forms import StepForm
from bot.core.taxonomy import (
    NO_OFFICE,
    NOT_SURE,
    OTHER_OFFICE,
    Kind,
    Taxonomy,
    folded,
    search_offices,
)
from bot.core.text import typed_line
from bot.reporting.model import (
    DESCRIPTION_MAX,
    DOCUMENT_TYPES,
    MAX_FILE_BYTES,
    Attachment,
    check_file,
)

__all__ = ["DESCRIPTION_MAX", "DOCUMENT_TYPES", "MAX_FILE_BYTES"]  # the limits live in the model
DESCRIPTION_MIN = 10
OFFICE_OTHER_MAX = 200
OFFICE_SEARCH_MAX = 100  # longer text is not part of an office's name
RECENT_OFFICES = 5  # the trader's recently used offices listed first
MAX_ATTACHMENTS = 5
MAX_PAST_DAYS = 366


class Step(StrEnum):
    """One question of the report flow."""

    OFFER = "offer"  # "turn this message into a report?"
    KIND = "kind"
    DESCRIPTION = "description"
    TOPIC = "topic"
    OFFICE = "office"
    OFFICE_OTHER = "office_other"
    DATE = "date"
    DATE_TYPED = "date_typed"
    ATTACHMENTS = "attachments"
    ANONYMITY = "anonymity"
    SUMMARY = "summary"


EDITABLE = (
    Step.KIND,
    Step.DESCRIPTION,
    Step.TOPIC,
    Step.OFFICE,
    Step.DATE,
    Step.ATTACHMENTS,
    Step.ANONYMITY,
)


class Draft(StepForm):
    """A report in the making, saved after every answer."""

    choose_error: ClassVar[str] = "report.error_choose_button"

    step: Step = Step.KIND
    kind: Kind | None = None
    description: str | None = None
    topic: str | None = None
    topic_suggested: str | None = None
    office: str | None = None
    office_other: str | None = None
    office_page: int = 0  # the page of the office list shown
    office_search: str = ""  # what the trader typed to find an office ("": the list)
    recent_offices: tuple[str, ...] = ()  # offices of the trader's earlier reports, latest first
    incident_date: date | None = None
    attachments: tuple[Attachment, ...] = ()
    anonymous: bool | None = None
    offered: int | None = None  # the open report offered to this draft's writer to back

    def order(self) -> list[Step]:
        """Return the steps this draft goes through, in order."""
        order = [Step.KIND, Step.DESCRIPTION, Step.TOPIC, Step.OFFICE]
        if self.office == OTHER_OFFICE:
            order.append(Step.OFFICE_OTHER)
        if self.kind is Kind.ISSUE:
            order.append(Step.DATE)
            if self.step is Step.DATE_TYPED:
                order.append(Step.DATE_TYPED)
        return [*order, Step.ATTACHMENTS, Step.ANONYMITY, Step.SUMMARY]

    def steps(self) -> list[Step]:
        """Return the steps this draft goes through, in order."""
        return self.order()

    def editable(self) -> tuple[Step, ...]:
        """Return the fields the summary may reopen (the date only for an issue)."""
        if self.kind is Kind.ISSUE:
            return EDITABLE
        return tuple(step for step in EDITABLE if step is not Step.DATE)

    def position(self) -> Step:
        """Return the step answered (the offer counts as before the first question)."""
        return self.step if self.step in self.order() else Step.KIND

    def skips(self, step: StrEnum) -> bool:
        """Pass over the description filled from the message written before the flow."""
        return step is Step.DESCRIPTION and bool(self.description)

    def follow_up(self) -> Step | None:
        """Return the question an answer given from the summary makes necessary."""
        answered = self.position()
        if answered is Step.OFFICE and self.office == OTHER_OFFICE and not self.office_other:
            return Step.OFFICE_OTHER
        if answered is Step.KIND and self.kind is Kind.ISSUE and self.incident_date is None:
            return Step.DATE
        return None

    def missing(self) -> list[Step]:
        """Return the steps still unanswered (the summary refuses to submit until none)."""
        gaps = []
        if self.kind is None:
            gaps.append(Step.KIND)
        if not self.description:
            gaps.append(Step.DESCRIPTION)
        if self.topic is None:
            gaps.append(Step.TOPIC)
        if self.office is None:
            gaps.append(Step.OFFICE)
        if self.anonymous is None:
            gaps.append(Step.ANONYMITY)
        return gaps


def clean_description(text: str) -> str:
    """Return the description trimmed, or raise UserError if too short or long."""
    body = text.strip()
    if len(body) < DESCRIPTION_MIN:
        raise UserError("report.error_description_short", minimum=DESCRIPTION_MIN)
    if len(body) > DESCRIPTION_MAX:
        raise UserError("report.error_description_long", maximum=DESCRIPTION_MAX, length=len(body))
    return body


def choose_kind(value: str) -> Kind:
    """Return the kind a button stands for."""
    try:
        return Kind(value)
    except ValueError:
        raise UserError("report.error_choose_button") from None


def choose_topic(value: str, codes: set[str]) -> str:
    """Return a topic code (or not-sure) a button stands for."""
    if value != NOT_SURE and value not in codes:
        raise UserError("report.error_choose_button")
    return value


def choose_office(value: str, codes: set[str]) -> str:
    """Return an office code, 'other' or 'none' a button stands for."""
    if value not in codes | {OTHER_OFFICE, NO_OFFICE}:
        raise UserError("report.error_choose_button")
    return value


def find_office(taxonomy: Taxonomy, text: str, language: str) -> str | None:
    """Return the code of the one office typed text names (its code, an alias, or the only
    match); None when several match; UserError when none does."""
    found = search_offices(taxonomy, text, language) if len(text) <= OFFICE_SEARCH_MAX else []
    if not found:
        raise UserError("offices.no_match")
    if len(found) == 1:
        return found[0].code
    wanted = " ".join(folded(text).split())
    named = [o for o in found if wanted in {folded(label) for label in (o.code, *o.aliases)}]
    return named[0].code if len(named) == 1 else None


def clean_office_other(text: str) -> str:
    """Return a typed place name, or raise UserError."""
    return typed_line(
        text, OFFICE_OTHER_MAX, "report.error_type_place", "report.error_place_long", "maximum"
    )


_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$", re.ASCII), (3, 2, 1)),
)


def parse_incident_date(text: str, today: date) -> date:
    """Return a typed date (2026-11-20, 20.11.2026 or 20/11/2026) not in the future."""
    for pattern, (y, m, d) in _DATE_FORMATS:
        match = pattern.match(text.strip())
        if match:
            try:
                when = date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                break
            if when > today:
                raise UserError("report.error_date_future")
            if when < today - timedelta(days=MAX_PAST_DAYS):
                raise UserError("report.error_date_old", days=MAX_PAST_DAYS)
            return when
    raise UserError("report.error_date_format")


def check_attachment(draft: Draft, attachment: Attachment) -> Attachment:
    """Return the attachment if the draft can take it, or raise UserError."""
    if len(draft.attachments) >= MAX_ATTACHMENTS:
        raise UserError("report.error_attachments_full", maximum=MAX_ATTACHMENTS)
    return check_file(attachment)
