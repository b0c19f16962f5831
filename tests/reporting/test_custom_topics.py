"""An administration's topics.toml: added topics are offered, dropped ones never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.labels import TOPICS
from bot.core.taxonomy import Taxonomy
from bot.core.users import Language, TelegramProfile
from bot.reporting.drafts import Step
from bot.reporting.service import ReportService
from bot.sorting.service import InvalidLabel, SortingService
from config.reference_data import load_taxonomy
from storage.accounts.users import UserRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.reporting import ReportRepository
from tests.config.reference_files import CUSTOM_OFFICES, CUSTOM_TOPICS, write_reference_data
from tests.records import new_report

PAY_ONLINE = "Please let us pay customs duties and fees online by card, the payment desk is slow."
WITHOUT_FEES = CUSTOM_TOPICS.replace('code = "fees_payments"', 'code = "money"')


async def _service(db: Database, taxonomy: Taxonomy) -> ReportService:
    await UserRepository(db).register(TelegramProfile(id=1, first_name="U"), Language.EN, "x")
    sorting = SortingService(ReportRepository(db))
    await sorting.load()
    return ReportService(ReportRepository(db), ConversationRepository(db), taxonomy, sorter=sorting)


async def _file(service: ReportService, topic: str, office: str) -> tuple[str | None, str | None]:
    """File a report choosing topic; return (the topic suggested, the topic stored)."""
    await service.start(1)
    await service.choose(1, Step.KIND, "suggestion")
    suggested = (await service.write(1, PAY_ONLINE)).topic_suggested
    await service.choose(1, Step.TOPIC, topic)
    await service.choose(1, Step.OFFICE, office)
    await service.choose(1, Step.ATTACHMENTS, "done")
    draft = await service.choose(1, Step.ANONYMITY, "no")
    report = (await service.submit(1, "en", draft.key, as_new=True)).report
    assert report is not None
    return suggested, report.topic


async def test_the_shipped_topics_are_guessed(fresh_db: Database) -> None:
    service = await _service(fresh_db, load_taxonomy())
    assert await _file(service, "not_sure", "none") == ("fees_payments", "fees_payments")


async def test_a_dropped_topic_is_never_guessed(fresh_db: Database, tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_reference_data(tmp_path, WITHOUT_FEES, CUSTOM_OFFICES))
    service = await _service(fresh_db, taxonomy)
    assert await _file(service, "not_sure", "SJO") == (None, None)


async def test_an_added_topic_can_be_chosen(fresh_db: Database, tmp_path: Path) -> None:
    taxonomy = load_taxonomy(write_reference_data(tmp_path, WITHOUT_FEES, CUSTOM_OFFICES))
    service = await _service(fresh_db, taxonomy)
    assert await _file(service, "phytosanitary", "SJO") == (None, "phytosanitary")


async def test_officers_correct_to_an_added_topic_and_the_classifier_still_loads(
    fresh_db: Database, tmp_path: Path
) -> None:
    taxonomy = load_taxonomy(write_reference_data(tmp_path, WITHOUT_FEES, CUSTOM_OFFICES))
    topics = frozenset(topic.code for topic in taxonomy.topics)
    await UserRepository(fresh_db).register(TelegramProfile(id=1, first_name="U"), Language.EN, "x")
    store = ReportRepository(fresh_db)
    report, _ = await store.create(new_report(1, "k"))
    sorting = SortingService(store, topics=topics)
    with pytest.raises(InvalidLabel, match="unknown topic 'fees_payments'"):
        await sorting.correct(report, 9, topic="fees_payments")  # dropped by this administration
    assert await store.corrections() == []
    corrected = await sorting.correct(report, 9, topic="phytosanitary", urgency="high")
    assert (corrected.topic, corrected.urgency) == ("phytosanitary", "high")
    restarted = SortingService(store, topics=topics)  # replays the stored correction
    await restarted.load()
    assert (await restarted.classify(PAY_ONLINE)).topic in TOPICS
