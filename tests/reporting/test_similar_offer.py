"""The "a similar report is already open" offer shows other traders nothing a reporter typed."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import Translator
from bot.core.taxonomy import OTHER_OFFICE
from bot.core.users import Language, TelegramProfile
from bot.reporting.drafts import Step
from bot.reporting.recurring import Match, RecurringIssues
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


async def _write(service: ReportService, uid: int, *, anonymous: bool, text: str = TEXT) -> str:
    await service.start(uid)
    await service.choose(uid, Step.KIND, "issue")
    await service.write(uid, text)
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


SPANISH = "Los camiones esperan varios días en el paso fronterizo del norte sin explicación alguna"


class MeaningTable:
    """A hand-written embedder: texts about one problem share a vector, the rest another."""

    def __init__(self, same: set[str]) -> None:
        self.same = same
        self.calls = 0

    async def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return [[1.0, 0.0] if text in self.same else [0.0, 1.0] for text in texts]


async def _offer_across_languages(db: Database, embed: MeaningTable | None) -> Match | None:
    users = UserRepository(db)
    for uid in (1, 2):
        await users.register(TelegramProfile(id=uid, first_name=f"U{uid}"), Language.EN, "language")
    store = ReportRepository(db)
    service = ReportService(
        store,
        ConversationRepository(db),
        load_taxonomy(),
        clock=Clock(),
        recurring=RecurringIssues(store, embed=embed),
    )
    for uid, text in ((1, TEXT), (2, SPANISH)):
        key = await _write(service, uid, anonymous=False, text=text)
        done = await service.submit(uid, "en" if uid == 1 else "es", key)
    return done.similar


async def test_the_same_problem_in_another_language_is_offered(fresh_db: Database) -> None:
    embed = MeaningTable({TEXT, SPANISH})
    offered = await _offer_across_languages(fresh_db, embed)
    assert offered is not None and offered.report.description == TEXT


async def test_without_embeddings_other_words_are_not_offered(fresh_db: Database) -> None:
    assert await _offer_across_languages(fresh_db, None) is None


async def test_an_unrelated_meaning_is_not_offered(fresh_db: Database) -> None:
    assert await _offer_across_languages(fresh_db, MeaningTable({TEXT})) is None
