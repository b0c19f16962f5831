"""ReportService over real SQLite repositories: drafts, submit once, rate limit, threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.drafts import InvalidInput, Step
from bot.domain.reports import Attachment, AttachmentKind, Kind, Status
from bot.domain.users import Language, TelegramProfile
from bot.services.reports import NoDraft, RateLimited, ReportService
from config.reference_data import load_taxonomy
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.reports import ReportRepository
from storage.users import UserRepository


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def service(fresh_db: Database) -> ReportService:
    users = UserRepository(fresh_db)
    for uid in (1, 2):
        await users.register(TelegramProfile(id=uid, first_name=f"U{uid}"), Language.EN, "language")
    return ReportService(
        ReportRepository(fresh_db),
        ConversationRepository(fresh_db),
        load_taxonomy(),
        reports_per_hour=3,
        clock=Clock(),
    )


async def _complete(service: ReportService, uid: int, kind: str = "suggestion") -> str:
    await service.start(uid)
    await service.choose(uid, Step.KIND, kind)
    await service.write(uid, "Please let us pay duties online at all offices.")
    await service.choose(uid, Step.TOPIC, "fees_payments")
    await service.choose(uid, Step.OFFICE, "none")
    if kind == "issue":
        await service.choose(uid, Step.DATE, "today")
    await service.choose(uid, Step.ATTACHMENTS, "done")
    draft = await service.choose(uid, Step.ANONYMITY, "no")
    assert draft.step is Step.SUMMARY
    return draft.key


async def test_submit_stores_once_and_clears_the_draft(service: ReportService) -> None:
    key = await _complete(service, 1)
    report, created = await service.submit(1, "en", key)
    assert created and report.reference.startswith("R-") and report.status is Status.NEW
    assert report.kind is Kind.SUGGESTION and report.topic == "fees_payments"
    again, created_again = await service.submit(1, "en", key)
    assert not created_again and again.id == report.id
    assert await service.draft_of(1) is None
    with pytest.raises(NoDraft):
        await service.submit(2, "en", key)  # someone else's draft key


async def test_references_count_up(service: ReportService) -> None:
    first, _ = await service.submit(1, "en", await _complete(service, 1))
    second, _ = await service.submit(2, "en", await _complete(service, 2))
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


async def test_rate_limit_keeps_the_draft(service: ReportService) -> None:
    for _ in range(3):
        await service.submit(1, "en", await _complete(service, 1))
    key = await _complete(service, 1)
    with pytest.raises(RateLimited) as caught:
        await service.submit(1, "en", key)
    assert caught.value.limit == 3 and 1 <= caught.value.wait_minutes <= 60
    assert (await service.draft_of(1)) is not None


async def test_stale_button_and_wrong_input_refused(service: ReportService) -> None:
    await service.start(1)
    with pytest.raises(InvalidInput):
        await service.choose(1, Step.TOPIC, "fees_payments")  # not at that step yet
    with pytest.raises(InvalidInput):
        await service.write(1, "some text")  # kind is a button step
    with pytest.raises(InvalidInput):
        await service.choose(1, Step.KIND, "complaint")


async def test_attachments_up_to_five_then_moves_on(service: ReportService) -> None:
    await service.start(1)
    await service.choose(1, Step.KIND, "issue")
    await service.write(1, "Truck held at the border for three days")
    await service.choose(1, Step.TOPIC, "release_delays")
    await service.choose(1, Step.OFFICE, "BORDER-NORTH")
    draft = await service.choose(1, Step.DATE, "yesterday")
    assert draft.incident_date == (datetime.now(UTC) - timedelta(days=1)).date()
    photo = Attachment(kind=AttachmentKind.PHOTO, file_id="p", file_unique_id="u", file_size=10)
    for _ in range(4):
        draft = await service.attach(1, photo)
        assert draft.step is Step.ATTACHMENTS
    draft = await service.attach(1, photo)
    assert len(draft.attachments) == 5 and draft.step is Step.ANONYMITY
    report, _ = await service.submit(1, "en", (await service.choose(1, Step.ANONYMITY, "yes")).key)
    assert report.anonymous and len(report.attachments) == 5 and report.office == "BORDER-NORTH"


async def test_offer_keeps_the_text(service: ReportService) -> None:
    await service.offer(1, "The portal rejects my declaration with error 500 since morning")
    draft = await service.accept_offer(1)
    assert draft.step is Step.KIND and draft.description
    assert (await service.choose(1, Step.KIND, "issue")).step is Step.TOPIC


async def test_idle_drafts_dropped_after_a_day(service: ReportService, fresh_db: Database) -> None:
    await service.start(1)
    await fresh_db.execute("UPDATE conversations SET updated_at = '2000-01-01T00:00:00+00:00'")
    await service.start(2)
    assert await service.drop_idle_drafts() == [1]
    assert await service.draft_of(1) is None and await service.draft_of(2) is not None


async def test_add_information_to_own_open_report_only(service: ReportService) -> None:
    report, _ = await service.submit(1, "en", await _complete(service, 1))
    with pytest.raises(LookupError):
        await service.start_adding(2, report.id)
    await service.start_adding(1, report.id)
    _, message = await service.add_information(1, "The invoice number is 123", None)
    _, thread = await service.open_own(1, report.id)
    assert [m.body for m in thread] == ["The invoice number is 123"] and message.id == thread[0].id


async def test_pages_newest_first(service: ReportService) -> None:
    refs = []
    for _ in range(3):
        report, _ = await service.submit(2, "en", await _complete(service, 2))
        refs.append(report.reference)
    page = await service.page_of(2, 1)
    assert [r.reference for r in page.reports] == refs[::-1] and page.pages == 1
    assert (await service.page_of(2, 9)).number == 1
