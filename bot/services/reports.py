"""Writing reports (drafts saved at every step), submitting them, and following them."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from bot.domain import drafts
from bot.domain.conversations import Conversation, Flow
from bot.domain.drafts import Draft, InvalidInput, Step
from bot.domain.reports import Attachment, Author, Kind, NewReport, Report, ThreadMessage
from bot.domain.taxonomy import NO_OFFICE, NOT_SURE, OTHER_OFFICE, Taxonomy

PAGE_SIZE = 5


class ReportStore(Protocol):
    """What the report service needs from storage."""

    async def create(self, new: NewReport) -> tuple[Report, bool]: ...
    async def get(self, report_id: int) -> Report | None: ...
    async def by_draft(self, draft_key: str) -> Report | None: ...
    async def for_reporter(
        self, reporter_id: int, offset: int, limit: int
    ) -> tuple[list[Report], int]: ...
    async def count_since(self, reporter_id: int, since: datetime) -> int: ...
    async def oldest_since(self, reporter_id: int, since: datetime) -> datetime | None: ...
    async def add_message(
        self,
        report_id: int,
        author: Author,
        body: str,
        attachment: Attachment | None = None,
        author_id: int | None = None,
    ) -> ThreadMessage: ...
    async def thread(self, report_id: int) -> list[ThreadMessage]: ...
    async def export_for_reporter(self, reporter_id: int) -> list[dict[str, Any]]: ...


class ConversationStore(Protocol):
    """What the report service needs to keep drafts across restarts."""

    async def get(self, user_id: int) -> Conversation | None: ...
    async def save(self, user_id: int, flow: str, data: str) -> None: ...
    async def clear(self, user_id: int) -> bool: ...
    async def idle_since(self, before: datetime) -> list[Conversation]: ...
    async def clear_if_unchanged(self, conversation: Conversation) -> bool: ...


class RateLimited(Exception):
    """The user filed as many reports as allowed in the last hour."""

    def __init__(self, limit: int, wait_minutes: int) -> None:
        super().__init__(f"limit {limit}/h, wait {wait_minutes} min")
        self.limit = limit
        self.wait_minutes = wait_minutes


class NoDraft(Exception):
    """The user has no report draft (it was submitted, cancelled or dropped)."""


@dataclass(frozen=True)
class Page:
    """One page of a user's reports."""

    reports: list[Report]
    number: int
    pages: int
    total: int


def _now() -> datetime:
    return datetime.now(UTC)


class ReportService:
    """Use cases of traders writing and following their reports."""

    def __init__(
        self,
        reports: ReportStore,
        conversations: ConversationStore,
        taxonomy: Taxonomy,
        reports_per_hour: int = 10,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._reports = reports
        self._conversations = conversations
        self.taxonomy = taxonomy
        self._per_hour = reports_per_hour
        self._clock = clock

    # --- drafts -------------------------------------------------------------------------

    async def draft_of(self, user_id: int) -> Draft | None:
        """Return the user's report draft, if they are writing one."""
        conversation = await self._conversations.get(user_id)
        if conversation is None or conversation.flow is not Flow.REPORT:
            return None
        return Draft.model_validate_json(conversation.data)

    async def conversation_of(self, user_id: int) -> Conversation | None:
        """Return the user's open conversation of any flow."""
        return await self._conversations.get(user_id)

    async def start(self, user_id: int) -> Draft:
        """Begin a new report, replacing any unfinished one."""
        return await self._save(user_id, Draft(key=secrets.token_hex(8), started_at=self._clock()))

    async def offer(self, user_id: int, text: str) -> Draft:
        """Keep a message the user wrote and offer to turn it into a report."""
        draft = Draft(
            key=secrets.token_hex(8), step=Step.OFFER, description=text, started_at=self._clock()
        )
        return await self._save(user_id, draft)

    async def accept_offer(self, user_id: int) -> Draft:
        """Start the flow with the offered message as description (if it is a valid one)."""
        draft = await self._require(user_id)
        try:
            description = drafts.clean_description(draft.description or "")
        except InvalidInput:
            description = None
        return await self._save(
            user_id, draft.model_copy(update={"step": Step.KIND, "description": description})
        )

    async def cancel(self, user_id: int) -> bool:
        """Drop the user's open conversation; tell whether there was one."""
        return await self._conversations.clear(user_id)

    async def choose(self, user_id: int, step: Step, value: str) -> Draft:
        """Take the answer of a button step and move on."""
        draft = await self._require(user_id)
        if draft.step is not step:
            raise InvalidInput("report.stale")
        update: dict[str, Any] = {}
        if step is Step.KIND:
            update["kind"] = drafts.choose_kind(value)
            if update["kind"] is not Kind.ISSUE:
                update["incident_date"] = None
        elif step is Step.TOPIC:
            update["topic"] = drafts.choose_topic(value, {t.code for t in self.taxonomy.topics})
        elif step is Step.OFFICE:
            update["office"] = drafts.choose_office(value, {o.code for o in self.taxonomy.offices})
            if update["office"] != OTHER_OFFICE:
                update["office_other"] = None
        elif step is Step.DESCRIPTION:
            if value != "keep" or not draft.description:
                raise InvalidInput("report.error_choose_button")
        elif step is Step.DATE:
            if value == "other":
                return await self._save(user_id, draft.model_copy(update={"step": Step.DATE_TYPED}))
            today = self._clock().date()
            update["incident_date"] = _relative_day(value, today)
        elif step is Step.ATTACHMENTS:
            if value == "clear":
                return await self._save(user_id, draft.model_copy(update={"attachments": ()}))
            if value != "done":
                raise InvalidInput("report.error_choose_button")
        elif step is Step.ANONYMITY:
            if value not in ("yes", "no"):
                raise InvalidInput("report.error_choose_button")
            update["anonymous"] = value == "yes"
        else:
            raise InvalidInput("report.error_choose_button")
        return await self._save(user_id, draft.model_copy(update=update).advance())

    async def write(self, user_id: int, text: str) -> Draft:
        """Take typed text for the current step (description, place, date) and move on."""
        draft = await self._require(user_id)
        if draft.step is Step.DESCRIPTION:
            update: dict[str, Any] = {"description": drafts.clean_description(text)}
        elif draft.step is Step.OFFICE_OTHER:
            update = {"office_other": drafts.clean_office_other(text)}
        elif draft.step is Step.DATE_TYPED:
            update = {"incident_date": drafts.parse_incident_date(text, self._clock().date())}
        elif draft.step is Step.ATTACHMENTS:
            raise InvalidInput("report.error_expect_file")
        else:
            raise InvalidInput("report.error_choose_button")
        return await self._save(user_id, draft.model_copy(update=update).advance())

    async def attach(self, user_id: int, attachment: Attachment) -> Draft:
        """Add a photo or document to the draft (only at the attachments step)."""
        draft = await self._require(user_id)
        if draft.step is not Step.ATTACHMENTS:
            raise InvalidInput(
                "report.error_text_expected"
                if draft.step in _TEXT_STEPS
                else "report.error_choose_button"
            )
        drafts.check_attachment(draft, attachment)
        grown = draft.model_copy(update={"attachments": (*draft.attachments, attachment)})
        if len(grown.attachments) >= drafts.MAX_ATTACHMENTS:
            grown = grown.advance()
        return await self._save(user_id, grown)

    async def back(self, user_id: int) -> Draft:
        """Go back one step."""
        return await self._save(user_id, (await self._require(user_id)).back())

    async def edit(self, user_id: int, step: Step) -> Draft:
        """Jump from the summary to one field."""
        draft = await self._require(user_id)
        if draft.step is not Step.SUMMARY:
            raise InvalidInput("report.stale")
        return await self._save(user_id, draft.edit(step))

    async def submit(self, user_id: int, language: str, draft_key: str) -> tuple[Report, bool]:
        """Store the finished draft as a report (once); return (report, newly created)."""
        draft = await self.draft_of(user_id)
        if draft is None or draft.key != draft_key:
            earlier = await self._reports.by_draft(draft_key)
            if earlier is not None and earlier.reporter_id == user_id:
                return earlier, False
            raise NoDraft(draft_key)
        if draft.missing():
            raise InvalidInput("report.error_incomplete")
        await self._check_rate(user_id)
        topic = None if draft.topic == NOT_SURE else draft.topic
        report, created = await self._reports.create(
            NewReport(
                reporter_id=user_id,
                draft_key=draft.key,
                kind=draft.kind or Kind.ISSUE,
                description=draft.description or "",
                topic=topic,
                topic_source="reporter" if topic else None,
                office=draft.office if draft.office != NO_OFFICE else None,
                office_other=draft.office_other,
                incident_date=draft.incident_date,
                language=language,
                anonymous=bool(draft.anonymous),
                attachments=draft.attachments,
            )
        )
        await self._conversations.clear(user_id)
        return report, created

    async def drop_idle_drafts(self) -> list[int]:
        """Drop drafts idle for longer than allowed; return whose were dropped."""
        cutoff = self._clock() - timedelta(hours=drafts.DRAFT_IDLE_HOURS)
        dropped = []
        for conversation in await self._conversations.idle_since(cutoff):
            if await self._conversations.clear_if_unchanged(conversation):
                dropped.append(conversation.user_id)
        return dropped

    # --- following reports --------------------------------------------------------------

    async def page_of(self, user_id: int, number: int) -> Page:
        """Return a page (1-based) of the user's reports, newest first."""
        number = max(number, 1)
        reports, total = await self._reports.for_reporter(
            user_id, (number - 1) * PAGE_SIZE, PAGE_SIZE
        )
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        if number > pages:
            return await self.page_of(user_id, pages)
        return Page(reports, number, pages, total)

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
            raise InvalidInput("myreports.error_closed", reference=report.reference)
        await self._conversations.save(user_id, Flow.ADD_INFO, str(report.id))
        return report

    async def add_information(
        self, user_id: int, text: str | None, attachment: Attachment | None
    ) -> tuple[Report, ThreadMessage]:
        """Append what the user sent to the report they chose, then close the conversation."""
        conversation = await self._conversations.get(user_id)
        if conversation is None or conversation.flow is not Flow.ADD_INFO:
            raise NoDraft("add_info")
        report, _ = await self.open_own(user_id, int(conversation.data))
        body = (text or "").strip()
        if attachment is None and len(body) < 2:
            raise InvalidInput("myreports.error_empty")
        if len(body) > drafts.DESCRIPTION_MAX:
            raise InvalidInput(
                "report.error_description_long", maximum=drafts.DESCRIPTION_MAX, length=len(body)
            )
        if attachment is not None:
            drafts.check_attachment(Draft(key="-"), attachment)
        message = await self._reports.add_message(report.id, Author.REPORTER, body, attachment)
        await self._conversations.clear(user_id)
        return report, message

    async def export_of(self, user_id: int) -> dict[str, Any]:
        """Return the user's reports, threads and open conversation as plain data."""
        conversation = await self._conversations.get(user_id)
        return {
            "reports": await self._reports.export_for_reporter(user_id),
            "open_conversation": conversation.model_dump(mode="json") if conversation else None,
        }

    # --- helpers ------------------------------------------------------------------------

    async def _check_rate(self, user_id: int) -> None:
        since = self._clock() - timedelta(hours=1)
        if await self._reports.count_since(user_id, since) < self._per_hour:
            return
        oldest = await self._reports.oldest_since(user_id, since) or self._clock()
        wait = oldest + timedelta(hours=1) - self._clock()
        raise RateLimited(self._per_hour, max(1, math.ceil(wait.total_seconds() / 60)))

    async def _require(self, user_id: int) -> Draft:
        draft = await self.draft_of(user_id)
        if draft is None:
            raise NoDraft(str(user_id))
        return draft

    async def _save(self, user_id: int, draft: Draft) -> Draft:
        await self._conversations.save(user_id, Flow.REPORT, draft.model_dump_json())
        return draft


_TEXT_STEPS = (Step.DESCRIPTION, Step.OFFICE_OTHER, Step.DATE_TYPED)


def _relative_day(value: str, today: date) -> date:
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    raise InvalidInput("report.error_choose_button")
