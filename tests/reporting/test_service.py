"""ReportService over real SQLite repositories: drafts, submit once, rate limit, threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import NoDraft, UserError
from bot.core.taxonomy import Kind
from bot.core.users import Language, TelegramProfile
from bot.reporting.drafts import Step
from bot.reporting.model import Attachment, AttachmentKind, Status
from bot.reporting.my_reports import MyReportsService
from bot.reporting.recurring import RecurringIssues
from bot.reporting.service import RateLimited, ReportService
from bot.sorting.service import SortingService
from config.reference_data import load_taxonomy
from storage.accounts.users import UserRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.reporting import ReportRepository
from tests.fakes import Clock


@pytest.fixture
async def sorting(fresh_db: Database) -> SortingService:
    service = SortingService(ReportRepository(fresh_db))
    await service.load()
    return service


@pytest.fixture
async def service(fresh_db: Database, sorting: SortingService) -> ReportService:
    users = UserRepository(fresh_db)
    for uid in (1, 2, 3):
        await users.register(TelegramProfile(id=uid, first_name=f"U{uid}"), Language.EN, "language")
    store = ReportRepository(fresh_db)
    return ReportService(
        store,
        ConversationRepository(fresh_db),
        load_taxonomy(),
        reports_per_hour=3,
        clock=Clock(),
        sorter=sorting,
        recurring=RecurringIssues(store),
    )


@pytest.fixture
def mine(fresh_db: Database) -> MyReportsService:
    return MyReportsService(ReportRepository(fresh_db), ConversationRepository(fresh_db))


async def _complete(
    service: ReportService,
    uid: int,
    kind: str = "suggestion",
    text: str = "Please let us pay duties online at all offices.",
    topic: str = "fees_payments",
    office: str = "none",
) -> str:
    await service.start(uid)
    await service.choose(uid, Step.KIND, kind)
    await service.write(uid, text)
    await service.choose(uid, Step.TOPIC, topic)
    await service.choose(uid, Step.OFFICE, office)
    if kind == "issue":
        await service.choose(uid, Step.DATE, "today")
    await service.choose(uid, Step.ATTACHMENTS, "done")
    draft = await service.choose(uid, Step.ANONYMITY, "no")
    assert draft.step is Step.SUMMARY
    return draft.key


async def test_submit_stores_once_and_clears_the_draft(service: ReportService) -> None:
    key = await _complete(service, 1)
    done = await service.submit(1, "en", key)
    report, created = done.report, done.created
    assert report is not None
    assert created and report.reference.startswith("R-") and report.status is Status.NEW
    assert report.kind is Kind.SUGGESTION and report.topic == "fees_payments"
    again = await service.submit(1, "en", key)
    assert not again.created and again.report is not None and again.report.id == report.id
    assert await service.draft_of(1) is None
    with pytest.raises(NoDraft):
        await service.submit(2, "en", key)  # someone else's draft key


async def test_references_count_up(service: ReportService) -> None:
    first = (await service.submit(1, "en", await _complete(service, 1))).report
    assert first is not None
    second = (await service.submit(2, "en", await _complete(service, 2), as_new=True)).report
    assert second is not None
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
    with pytest.raises(UserError):
        await service.choose(1, Step.TOPIC, "fees_payments")  # not at that step yet
    with pytest.raises(UserError):
        await service.write(1, "some text")  # kind is a button step
    with pytest.raises(UserError):
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
    report = (
        await service.submit(1, "en", (await service.choose(1, Step.ANONYMITY, "yes")).key)
    ).report
    assert report is not None
    assert report.anonymous and len(report.attachments) == 5 and report.office == "BORDER-NORTH"


async def test_offer_keeps_the_text(service: ReportService) -> None:
    await service.offer(1, "The portal rejects my declaration with error 500 since morning")
    draft = await service.accept_offer(1)
    assert draft.step is Step.KIND and draft.description
    assert (await service.choose(1, Step.KIND, "issue")).step is Step.TOPIC


async def test_add_information_to_own_open_report_only(
    service: ReportService, mine: MyReportsService
) -> None:
    report = (await service.submit(1, "en", await _complete(service, 1))).report
    assert report is not None
    with pytest.raises(LookupError):
        await mine.start_adding(2, report.id)
    with pytest.raises(NoDraft):
        await mine.adding_to(1)
    await mine.start_adding(1, report.id)
    assert await mine.adding_to(1) == report.id
    await mine.stop_adding(1)
    with pytest.raises(NoDraft):
        await mine.adding_to(1)


async def test_pages_newest_first(service: ReportService, mine: MyReportsService) -> None:
    refs = []
    for _ in range(3):
        report = (await service.submit(2, "en", await _complete(service, 2))).report
        assert report is not None
        refs.append(report.reference)
    page = await mine.page_of(2, 1)
    assert [r.reference for r in page.reports] == refs[::-1] and page.pages == 1
    assert (await mine.page_of(2, 9)).number == 1


async def test_classifier_suggests_and_fills_not_sure(service: ReportService) -> None:
    await service.start(1)
    await service.choose(1, Step.KIND, "issue")
    draft = await service.write(
        1, "The customs portal is down, we cannot log in to submit declarations"
    )
    assert draft.topic_suggested == "it_systems"
    await service.choose(1, Step.TOPIC, "not_sure")
    await service.choose(1, Step.OFFICE, "none")
    await service.choose(1, Step.DATE, "today")
    await service.choose(1, Step.ATTACHMENTS, "done")
    key = (await service.choose(1, Step.ANONYMITY, "no")).key
    report = (await service.submit(1, "en", key)).report
    assert report is not None
    assert report.topic == "it_systems" and report.topic_source == "classifier"
    assert report.urgency in ("high", "normal") and report.text_language == "en"


async def test_similar_open_report_offers_a_voice(service: ReportService) -> None:
    text = "Trucks are held for days at the northern border crossing without any explanation"
    first = (
        await service.submit(
            1, "en", await _complete(service, 1, "issue", text, "release_delays", "BORDER-NORTH")
        )
    ).report
    assert first is not None
    again = "Our trucks are held at the northern border crossing for days, no explanation given"
    key = await _complete(service, 2, "issue", again, "release_delays", "BORDER-NORTH")
    offered = await service.submit(2, "en", key)
    assert offered.report is None and offered.similar is not None
    assert offered.similar.report.id == first.id and offered.similar.size == 1
    match = await service.add_voice(2, "en", key)
    assert match.size == 2 and await service.draft_of(2) is None
    # someone else, same thing, chooses to file their own report anyway
    key = await _complete(service, 3, "issue", again, "release_delays", "BORDER-NORTH")
    own = await service.submit(3, "en", key, as_new=True)
    assert own.report is not None and own.report.id != first.id
    # a different place is not the same thing
    key = await _complete(service, 2, "issue", text, "release_delays", "BORDER-SOUTH")
    assert (await service.submit(2, "en", key)).report is not None


async def test_a_voice_needs_the_offer_made_for_that_draft(service: ReportService) -> None:
    text = "Trucks are held for days at the northern border crossing without any explanation"
    first = (
        await service.submit(
            1, "en", await _complete(service, 1, "issue", text, "release_delays", "BORDER-NORTH")
        )
    ).report
    assert first is not None
    # a draft that was never offered a similar report cannot back any report
    unrelated = "Please publish the opening hours of the southern office on your website"
    key = await _complete(service, 2, "suggestion", unrelated, "fees_payments", "BORDER-SOUTH")
    with pytest.raises(NoDraft):
        await service.add_voice(2, "en", key)
    with pytest.raises(NoDraft):  # nor can another user's draft key
        await service.add_voice(3, "en", key)
    assert await service.group_size(first.id) == 1
    assert await service.draft_of(2) is not None  # the trader's own draft is untouched


async def test_correction_changes_a_later_prediction(
    service: ReportService, sorting: SortingService, fresh_db: Database
) -> None:
    text = "The warehouse keeper at the terminal demands extra money to release our pallets"
    before = (await sorting.classify(text, "en")).topic
    key = await _complete(service, 1, "issue", text, "not_sure", "none")
    report = (await service.submit(1, "en", key)).report
    assert report is not None
    target = "integrity" if before != "integrity" else "fees_payments"
    corrected = await sorting.correct(report, officer_id=99, topic=target, urgency="high")
    assert corrected.topic == target and corrected.topic_source == "officer"
    later = "The warehouse keeper at the terminal again demands extra money for our pallets"
    assert (await sorting.classify(later, "en")).topic == target
    # a fresh classifier built from the stored corrections (a restart) knows it too
    rebuilt = SortingService(ReportRepository(fresh_db))
    await rebuilt.load()
    assert (await rebuilt.classify(later, "en")).topic == target


async def test_a_typed_office_name_is_searched_and_one_match_taken(service: ReportService) -> None:
    await service.start(1)
    await service.choose(1, Step.KIND, "suggestion")
    await service.write(1, "Please let us pay duties online at all offices.")
    await service.choose(1, Step.TOPIC, "fees_payments")
    several = await service.write(1, "border", language="en")  # several offices: their buttons
    assert several.step is Step.OFFICE and several.office_search == "border"
    with pytest.raises(UserError):
        await service.write(1, "nowhere at all", language="en")
    paged = await service.browse_offices(1, 2)
    assert paged.office_search == "" and paged.office_page == 2
    taken = await service.write(1, "  PORT-MAIN ", language="en")  # a code: that office
    assert taken.office == "PORT-MAIN" and taken.step is Step.ATTACHMENTS
    with pytest.raises(UserError):
        await service.browse_offices(1, 0)  # no longer at the office question


async def test_a_new_draft_lists_the_traders_recent_offices(service: ReportService) -> None:
    await service.submit(1, "en", await _complete(service, 1, office="HQ"))
    await service.submit(1, "en", await _complete(service, 1, office="none"), as_new=True)
    await service.submit(
        1,
        "en",
        await _complete(service, 1, office="PORT-MAIN", text="Another thing entirely, online."),
        as_new=True,
    )
    assert (await service.start(1)).recent_offices == ("PORT-MAIN", "HQ")
    assert (await service.start(2)).recent_offices == ()
