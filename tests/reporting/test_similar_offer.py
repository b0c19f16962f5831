"""The "a similar report is already open" offer shows other traders nothing a reporter typed."""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.taxonomy import OTHER_OFFICE
from bot.core.users import Language, TelegramProfile
from bot.reporting.drafts import Step
from bot.reporting.recurring import RecurringIssues
from bot.reporting.service import ReportService
from config.reference_data import load_taxonomy
from handlers.reporting.views import ReportViews
from storage.accounts.users import UserRepository
from storage.conversations import ConversationRepository
from storage.db import Database
from storage.reporting import ReportRepository
from tests.fakes import Clock

PLACE = "the back office of Juan Pérez's shop"
TEXT = "Trucks are held for days at the northern border crossing without any explanation"


async def _service(db: Database) -> ReportService:
    users = UserRepository(db)
    for uid in (1, 2):
        await users.register(TelegramProfile(id=uid, first_name=f"U{uid}"), Language.EN, "language")
    store = ReportRepository(db)
    taxonomy = load_taxonomy()
    return ReportService(
        store, ConversationRepository(db), taxonomy, clock=Clock(), recurring=RecurringIssues(store)
    )


async def _write(service: ReportService, uid: int, *, anonymous: bool) -> str:
    await service.start(uid)
    await service.choose(uid, Step.KIND, "issue")
    await service.write(uid, TEXT)
    await service.choose(uid, Step.TOPIC, "release_delays")
    await service.choose(uid, Step.OFFICE, OTHER_OFFICE)
    await service.write(uid, PLACE)
    await service.choose(uid, Step.DATE, "today")
    await service.choose(uid, Step.ATTACHMENTS, "done")
    draft = await service.choose(uid, Step.ANONYMITY, "yes" if anonymous else "no")
    return draft.key


async def test_a_typed_place_never_reaches_another_trader(fresh_db: Database) -> None:
    service = await _service(fresh_db)
    first = (await service.submit(1, "en", await _write(service, 1, anonymous=True))).report
    assert first is not None and first.office_other == PLACE
    key = await _write(service, 2, anonymous=False)
    offered = (await service.submit(2, "en", key)).similar
    assert offered is not None and offered.report.id == first.id
    assert offered.listed_office is None
    translate = Translator.from_directory()
    for lang in ("en", "es", "ru"):
        text, rows = ReportViews(translate, service.taxonomy, lang).similar(offered, key)
        assert "Juan" not in text and "shop" not in text
        assert translate(lang, "report.office_other") in text
        voice = [data for row in rows for _, data in row if data.startswith("rep:voice:")]
        assert voice == [f"rep:voice:{key}"]  # the button names no report: the server knows
