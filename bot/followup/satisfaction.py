"""Asking reporters "Is it fixed?": ratings, comments, one reminder, and reopening."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from bot.core.access import AccessControl
from bot.core.audit import Action, Actor, AuditEntry, Detail
from bot.core.clock import Clock, utc_now
from bot.core.errors import UserError
from bot.core.notifications import Notification
from bot.followup import model as followup
from bot.followup.model import Done, Survey, TrackedReport
from bot.followup.recipients import Recipients
from bot.followup.service import ReportKey, TrackedStore, excerpt, find_tracked
from bot.reporting.model import Status


class SurveyStore(Protocol):
    """What satisfaction surveys need from storage."""

    async def latest(self, report_id: int) -> Survey | None: ...
    async def unanswered_since(self, asked_before: datetime) -> list[Survey]: ...
    async def first_unanswered(self) -> datetime | None: ...
    async def claim_reask(self, survey_id: int, at: datetime) -> bool: ...
    async def answer(
        self,
        survey: Survey,
        rating: int,
        fixed: bool,
        audit: AuditEntry,
        reopen: AuditEntry | None = None,
    ) -> tuple[bool, bool]: ...
    async def add_comment(self, survey: Survey, text: str, audit: AuditEntry) -> bool: ...


class SatisfactionService:
    """Use cases of reporters rating how their resolved report was handled."""

    def __init__(
        self,
        surveys: SurveyStore,
        reports: TrackedStore,
        access: AccessControl,
        recipients: Recipients,
        *,
        reask_after: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._surveys = surveys
        self._reports = reports
        self._access = access
        self._tell = recipients
        self.reask_after = reask_after
        self._clock = clock

    async def due_reasks(
        self, now: datetime | None = None, after: timedelta | None = None
    ) -> list[Notification]:
        """Return the reminders due: resolved reports asked longer ago than `after`, with no
        answer and no reminder yet. Claim each with claim_reask before sending it.
        """
        cutoff = (now or self._clock()) - (after or self.reask_after)
        due = []
        for survey in await self._surveys.unanswered_since(cutoff):
            tracked = await self._reports.tracked(survey.report_id)
            if tracked is not None:
                due += await self._tell.reporter(tracked.report, "followup.ask.fixed_again")
        return due

    async def next_reask(self) -> datetime | None:
        """Return when the next reminder falls due (None: no survey waits for an answer)."""
        asked = await self._surveys.first_unanswered()
        return asked + self.reask_after if asked is not None else None

    async def claim_reask(self, report_id: int) -> bool:
        """Claim the one reminder of a report's latest survey; False if it was claimed."""
        survey = await self._surveys.latest(report_id)
        return survey is not None and await self._surveys.claim_reask(survey.id, self._clock())

    async def rate(self, report: ReportKey, user_id: int, rating: int, fixed: bool) -> Done:
        """Store the reporter's answer once; "not fixed" reopens the report and tells the
        officer handling it (or every officer when nobody is).
        """
        tracked, survey = await self._survey(report, user_id, "rate")
        rating = followup.check_rating(rating)
        if survey.answered_at is not None:
            raise UserError("followup.error_already_rated")
        stored, now = tracked.report, self._clock()
        answer = self._entry(stored.id, Action.RATING, {"rating": rating, "fixed": fixed}, now)
        reopen = None
        if not fixed and stored.status is Status.RESOLVED:
            change: Detail = {
                "from": Status.RESOLVED.value,
                "to": Status.IN_PROGRESS.value,
                "fixed": False,
            }
            reopen = self._entry(stored.id, Action.STATUS, change, now)
        answered, reopened = await self._surveys.answer(survey, rating, fixed, answer, reopen)
        if not answered:
            raise UserError("followup.error_already_rated")
        if reopened:
            told = await self._tell.handlers(tracked, "followup.officer.reopened", rating=rating)
            told += await self._tell.supporters(
                stored, "followup.notice.status", status=Status.IN_PROGRESS.value
            )  # reopened: the report's supporters hear it moved back
            return Done(stored.id, stored.reference, Status.IN_PROGRESS, tuple(told))
        told = []
        if tracked.assigned_to is not None:
            told = await self._tell.officer(
                tracked.assigned_to,
                stored,
                "followup.officer.rated",
                rating=rating,
                fixed=int(fixed),
            )
        return Done(stored.id, stored.reference, stored.status, tuple(told))

    async def comment(self, report: ReportKey, user_id: int, text: str) -> Done:
        """Store the reporter's optional comment after their rating, once."""
        tracked, survey = await self._survey(report, user_id, "comment")
        if survey.answered_at is None:
            raise UserError("followup.error_rate_first")
        body = followup.clean_message(text)
        stored = tracked.report
        entry = self._entry(stored.id, Action.COMMENT, {"excerpt": excerpt(body)}, self._clock())
        if not await self._surveys.add_comment(survey, body, entry):
            raise UserError("followup.error_already_commented")
        told = await self._tell.handlers(tracked, "followup.officer.comment", text=excerpt(body))
        return Done(stored.id, stored.reference, stored.status, tuple(told))

    async def _survey(
        self, report: ReportKey, user_id: int, action: str
    ) -> tuple[TrackedReport, Survey]:
        tracked = await find_tracked(self._reports, report)
        if tracked.report.reporter_id is None or tracked.report.reporter_id != user_id:
            raise await self._access.refuse(user_id, action, None)
        survey = await self._surveys.latest(tracked.report.id)
        if survey is None:
            raise UserError("followup.error_no_survey")
        return tracked, survey

    @staticmethod
    def _entry(report_id: int, action: Action, detail: Detail, at: datetime) -> AuditEntry:
        return AuditEntry(
            report_id=report_id, actor=Actor.REPORTER, action=action, detail=detail, at=at
        )
