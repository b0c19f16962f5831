"""Writing reports (drafts saved at every step), submitting them, and following them."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.core.clock import Clock, utc_now
from bot.core.conversations import ConversationStore, Flow
from bot.core.errors import NoDraft, UserError
from bot.core.forms import FormService
from bot.core.labels import Classification
from bot.core.similarity import signature
from bot.core.taxonomy import (
    NO_OFFICE,
    NOT_SURE,
    OTHER_OFFICE,
    OTHER_TOPIC,
    Kind,
    Office,
    Taxonomy,
)
from bot.reporting import drafts
from bot.reporting.drafts import Draft, Step
from bot.reporting.model import (
    Attachment,
    AttachmentKind,
    Author,
    NewReport,
    Report,
    ThreadMessage,
)
from bot.reporting.recurring import Match, RecurringIssues


class ReportStore(Protocol):
    """What the report service needs from storage."""

    async def create(self, new: NewReport) -> tuple[Report, bool]: ...
    async def get(self, report_id: int) -> Report | None: ...
    async def by_draft(self, draft_key: str) -> Report | None: ...
    async def for_reporter(
        self, reporter_id: int, offset: int, limit: int
    ) -> tuple[list[Report], int]: ...
    async def count_since(self, reporter_id: int, since: datetime) -> int: ...
    async def recent_offices(self, reporter_id: int, limit: int) -> list[str]: ...
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


class Sorter(Protocol):
    """What the report service needs to sort a text."""

    async def classify(self, text: str, language: str | None = None) -> Classification: ...


class RateLimited(Exception):
    """The user filed as many reports as allowed in the last hour."""

    def __init__(self, limit: int, wait_minutes: int) -> None:
        super().__init__(f"limit {limit}/h, wait {wait_minutes} min")
        self.limit = limit
        self.wait_minutes = wait_minutes


@dataclass(frozen=True)
class Submission:
    """What submitting a draft did: stored a report, or found an open one about the same thing."""

    report: Report | None = None
    created: bool = False
    similar: Match | None = None


class ReportService:
    """Use cases of traders writing and submitting reports."""

    def __init__(
        self,
        reports: ReportStore,
        conversations: ConversationStore,
        taxonomy: Taxonomy,
        *,
        reports_per_hour: int = 10,
        clock: Clock = utc_now,
        sorter: Sorter | None = None,
        recurring: RecurringIssues | None = None,
    ) -> None:
        self._reports = reports
        self._forms = FormService(conversations, clock)  # the draft: the user's open form
        self.taxonomy = taxonomy
        self._per_hour = reports_per_hour
        self._clock = clock
        self._sorter = sorter
        self.recurring = recurring

    # --- drafts -------------------------------------------------------------------------

    async def draft_of(self, user_id: int) -> Draft | None:
        """Return the user's report draft, if they are writing one."""
        return await self._forms.load(user_id, Flow.REPORT, Draft)

    async def start(self, user_id: int) -> Draft:
        """Begin a new report, replacing any unfinished one."""
        draft = Draft(
            key=secrets.token_hex(8),
            started_at=self._clock(),
            recent_offices=await self._recent_offices(user_id),
        )
        return await self._save(user_id, draft)

    async def offer(self, user_id: int, text: str) -> Draft:
        """Keep a message the user wrote and offer to turn it into a report."""
        draft = Draft(
            key=secrets.token_hex(8),
            step=Step.OFFER,
            description=text,
            started_at=self._clock(),
            recent_offices=await self._recent_offices(user_id),
        )
        return await self._save(user_id, draft)

    async def accept_offer(self, user_id: int) -> Draft:
        """Start the flow with the offered message as description (if it is a valid one)."""
        draft = await self._require(user_id)
        try:
            description = drafts.clean_description(draft.description or "")
        except UserError:
            description = None
        update = {"step": Step.KIND, "description": description, **await self._suggest(description)}
        return await self._save(user_id, draft.model_copy(update=update))

    async def cancel(self, user_id: int) -> bool:
        """Drop the user's open form (a draft, or what a button's Cancel is under)."""
        return await self._forms.clear(user_id)

    async def choose(self, user_id: int, step: Step, value: str) -> Draft:
        """Take the answer of a button step and move on."""
        draft = await self._require(user_id)
        if draft.step is not step:
            raise UserError("report.stale")
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
            update |= {"office_search": "", "office_page": 0}
        elif step is Step.DESCRIPTION:
            if value != "keep" or not draft.description:
                raise UserError("report.error_choose_button")
        elif step is Step.DATE:
            if value == "other":
                return await self._save(user_id, draft.model_copy(update={"step": Step.DATE_TYPED}))
            today = self._clock().date()
            update["incident_date"] = _relative_day(value, today)
        elif step is Step.ATTACHMENTS:
            if value == "clear":
                return await self._save(user_id, draft.model_copy(update={"attachments": ()}))
            if value != "done":
                raise UserError("report.error_choose_button")
        elif step is Step.ANONYMITY:
            if value not in ("yes", "no"):
                raise UserError("report.error_choose_button")
            update["anonymous"] = value == "yes"
        else:
            raise UserError("report.error_choose_button")
        return await self._save(user_id, draft.model_copy(update=update).advance())

    async def browse_offices(self, user_id: int, page: int) -> Draft:
        """Show a page of the office list (dropping a typed search) at the office question."""
        draft = await self._require(user_id)
        if draft.step is not Step.OFFICE:
            raise UserError("report.stale")
        update = {"office_page": max(0, page), "office_search": ""}
        return await self._save(user_id, draft.model_copy(update=update))

    async def write(
        self, user_id: int, text: str, draft: Draft | None = None, language: str = "en"
    ) -> Draft:
        """Take typed text for the current step (description, office search, place, date) and
        move on (`draft`: the user's draft, if already read)."""
        draft = draft or await self._require(user_id)
        if draft.step is Step.OFFICE:
            return await self._save(user_id, self._find_office(draft, text, language))
        if draft.step is Step.DESCRIPTION:
            description = drafts.clean_description(text)
            update: dict[str, Any] = {
                "description": description,
                **await self._suggest(description),
            }
        elif draft.step is Step.OFFICE_OTHER:
            update = {"office_other": drafts.clean_office_other(text)}
        elif draft.step is Step.DATE_TYPED:
            update = {"incident_date": drafts.parse_incident_date(text, self._clock().date())}
        elif draft.step is Step.ATTACHMENTS:
            raise UserError("report.error_expect_file")
        else:
            raise UserError("report.error_choose_button")
        return await self._save(user_id, draft.model_copy(update=update).advance())

    async def attach(
        self, user_id: int, attachment: Attachment, draft: Draft | None = None
    ) -> Draft:
        """Add a photo or document to the draft (only at the attachments step)."""
        draft = draft or await self._require(user_id)
        if draft.step is not Step.ATTACHMENTS:
            raise UserError(
                "report.error_text_expected"
                if draft.step in _TEXT_STEPS
                else "report.error_choose_button"
            )
        drafts.check_attachment(draft, attachment)
        grown = draft.model_copy(update={"attachments": (*draft.attachments, attachment)})
        if len(grown.attachments) >= drafts.MAX_ATTACHMENTS:
            grown = grown.advance()
        return await self._save(user_id, grown)

    def nearest_office(self, draft: Draft) -> Office | None:
        """Return the office nearest the location shared with the draft, if offices have
        coordinates and one was shared."""
        for shared in reversed(draft.attachments):
            if shared.kind is AttachmentKind.LOCATION and shared.latitude is not None:
                return self.taxonomy.nearest_office(shared.latitude, shared.longitude or 0.0)
        return None

    async def use_nearest_office(self, user_id: int) -> Draft:
        """Take the office nearest the shared location as the report's office."""
        draft = await self._require(user_id)
        nearest = self.nearest_office(draft)
        if draft.step is not Step.ATTACHMENTS or nearest is None:
            raise UserError("report.stale")
        update = {"office": nearest.code, "office_other": None}
        return await self._save(user_id, draft.model_copy(update=update))

    async def back(self, user_id: int) -> Draft:
        """Go back one step."""
        return await self._save(user_id, (await self._require(user_id)).back())

    async def edit(self, user_id: int, step: Step) -> Draft:
        """Jump from the summary to one field."""
        draft = await self._require(user_id)
        if draft.step is not Step.SUMMARY:
            raise UserError("report.stale")
        return await self._save(user_id, draft.edit(step))

    async def submit(
        self, user_id: int, language: str, draft_key: str, *, as_new: bool = False
    ) -> Submission:
        """Store the finished draft as a report (once), unless an open one is about the same.

        With as_new, the trader has seen the similar report and wants their own anyway.
        """
        draft = await self.draft_of(user_id)
        if draft is None or draft.key != draft_key:
            earlier = await self._reports.by_draft(draft_key)
            if earlier is not None and earlier.reporter_id == user_id:
                return Submission(earlier, created=False)
            raise NoDraft(draft_key)
        if draft.missing():
            raise UserError("report.error_incomplete")
        sorting = None
        if self._sorter is not None:
            sorting = await self._sorter.classify(draft.description or "", language)
        chosen = None if draft.topic == NOT_SURE else draft.topic
        # Not sure: the topic is left for an officer (auto_topic keeps the best guess).
        guessed = self._offered(sorting.topic) if sorting and sorting.sure else None
        topic = chosen or guessed
        office = draft.office if draft.office != NO_OFFICE else None
        if self.recurring is not None and not as_new:
            match = await self.recurring.find(
                user_id, topic, office, draft.description or "", language
            )
            if match is not None:  # remembered: the voice button may back this report only
                await self._save(user_id, draft.model_copy(update={"offered": match.report.id}))
                return Submission(similar=match)
        await self._check_rate(user_id)
        report, created = await self._reports.create(
            NewReport(
                reporter_id=user_id,
                draft_key=draft.key,
                kind=draft.kind or Kind.ISSUE,
                description=draft.description or "",
                topic=topic,
                topic_source="reporter" if chosen else "classifier" if topic else None,
                office=office,
                office_other=draft.office_other,
                incident_date=draft.incident_date,
                language=language,
                anonymous=bool(draft.anonymous),
                attachments=draft.attachments,
                keywords=" ".join(sorted(signature(draft.description or "", language))),
                **_sorting_fields(sorting),
            )
        )
        await self._forms.clear(user_id)
        return Submission(report, created)

    async def add_voice(self, user_id: int, language: str, draft_key: str) -> Match:
        """Add the trader's voice (their description as comment, their files, their anonymity
        choice) to the open report offered to them for this draft; NoDraft when no such offer
        stands (a stale or forged button)."""
        draft = await self.draft_of(user_id)
        if draft is None or draft.key != draft_key or self.recurring is None:
            raise NoDraft(draft_key)
        if draft.offered is None:
            raise NoDraft(draft_key)
        match = await self.recurring.add_voice(
            draft.offered,
            user_id,
            draft.description,
            language,
            anonymous=draft.anonymous is not False,  # anonymous unless they chose otherwise
            attachments=draft.attachments,
        )
        await self._forms.clear(user_id)
        return match

    async def group_size(self, report_id: int) -> int:
        """Return how many traders stand behind a report (1 without recurring-issue tracking)."""
        return await self.recurring.size(report_id) if self.recurring is not None else 1

    # --- helpers ---

    def _find_office(self, draft: Draft, text: str, language: str) -> Draft:
        """Take the one office typed text stands for, or keep the search to show its matches."""
        found = drafts.find_office(self.taxonomy, text, language)
        if found is None:
            return draft.model_copy(update={"office_search": " ".join(text.split())})
        update = {"office": found, "office_other": None, "office_search": "", "office_page": 0}
        return draft.model_copy(update=update).advance()

    async def _recent_offices(self, user_id: int) -> tuple[str, ...]:
        """Return the offices of the user's latest reports that are still in the list."""
        codes = await self._reports.recent_offices(user_id, drafts.RECENT_OFFICES)
        return tuple(code for code in codes if self.taxonomy.office(code) is not None)

    async def _suggest(self, description: str | None) -> dict[str, Any]:
        """Return the draft fields the classifier fills from a description."""
        if self._sorter is None or not description:
            return {}
        topic = (await self._sorter.classify(description)).topic
        return {"topic_suggested": self._offered(topic)}

    def _offered(self, topic: str | None) -> str | None:
        """Return the classifier's topic if traders are offered it (not "other"), else None.

        An administration's topics.toml may drop topics the shipped model knows: those are
        never suggested nor assigned; topics it adds are offered but never guessed.
        """
        if topic == OTHER_TOPIC or self.taxonomy.topic(topic) is None:
            return None
        return topic

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
        await self._forms.save(user_id, Flow.REPORT, draft)
        return draft


def _sorting_fields(sorting: Classification | None) -> dict[str, Any]:
    if sorting is None:
        return {}
    return {
        "urgency": sorting.urgency,
        "sentiment": round(sorting.sentiment, 4),
        "auto_kind": sorting.kind,
        "auto_topic": sorting.topic,
        "confidence": round(sorting.confidence, 4),
        "text_language": sorting.language,
    }


_TEXT_STEPS = (Step.DESCRIPTION, Step.OFFICE_OTHER, Step.DATE_TYPED)


def _relative_day(value: str, today: date) -> date:
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    raise UserError("report.error_choose_button")
