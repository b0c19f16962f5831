"""Demo data for the sandbox: synthetic traders who filed reports through the bot's services."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.accounts import onboarding
from bot.container import Services
from bot.core.users import TelegramProfile
from bot.reporting.drafts import Draft, Step
from bot.sandbox.core import SandboxCore
from handlers.kit.context import SERVICES_KEY, BotApplication

if TYPE_CHECKING:
    from bot.digests.demo_data import DemoSummary

FIRST_DEMO_ID = 6_000_001
HISTORY_DAYS = 70  # the last complete week and month, and the periods they are compared with
HISTORY_PER_REPORT = 15  # earlier reports per live demo report
HISTORY_SEED = 16
DEMO_ORGANISATION = "Demo Trading {number}"
# language, kind, topic, office, description
DEMO_REPORTS = (
    (
        "es",
        "issue",
        "release_delays",
        "BORDER-NORTH",
        "Nuestro camión lleva dos días esperando el despacho en el paso fronterizo norte.",
    ),
    (
        "en",
        "issue",
        "it_systems",
        "HQ",
        "The single window portal rejects our declarations with an unknown error since Monday.",
    ),
    (
        "ru",
        "question",
        "fees_payments",
        "PORT-MAIN",
        "Как оплатить таможенный сбор онлайн, если наш банк не поддерживает новую систему?",
    ),
    (
        "en",
        "suggestion",
        "documentation",
        "AIRPORT-INTL",
        "Please accept scanned certificates of origin instead of paper originals at the airport.",
    ),
    (
        "es",
        "issue",
        "inspections",
        "PORT-MAIN",
        "Los contenedores pasan dos veces por el escáner sin explicación y perdemos el barco.",
    ),
    (
        "ru",
        "issue",
        "classification_valuation",
        "INLAND-CAPITAL",
        "Таможня не принимает нашу стоимость сделки и требует новые документы без объяснений.",
    ),
    (
        "en",
        "question",
        "transparency",
        "BORDER-SOUTH",
        "Where can we find the current list of documents required to export fresh fruit?",
    ),
    (
        "es",
        "suggestion",
        "border_cooperation",
        "BORDER-SOUTH",
        "Propongo horarios conjuntos con la aduana vecina para evitar colas nocturnas en el sur.",
    ),
)
_ONBOARDING_ANSWERS = {
    onboarding.Step.ROLE: "trader",
    onboarding.Step.SIZE: "small",
    onboarding.Step.WOMEN_LED: "undisclosed",
    onboarding.Step.PRIVACY: "accept",
}


async def add_demo_reports(app: BotApplication, emulator: SandboxCore, count: int) -> int:
    """Make sure demo traders 1..count each filed one report; return how many were new."""
    services: Services = app.bot_data[SERVICES_KEY]
    created = 0
    for index in range(count):
        user_id = FIRST_DEMO_ID + index
        language, kind, topic, office, description = DEMO_REPORTS[index % len(DEMO_REPORTS)]
        name = f"Demo trader {index + 1}"
        if user_id not in emulator.sim_users:
            emulator.add_user(name, language_code=language, id=user_id)
        profile = TelegramProfile(id=user_id, first_name=name, language_code=language)
        await _register(services, profile)
        if (await services.my_reports.page_of(user_id, 1)).total:
            continue
        answers = {
            Step.KIND: kind,
            Step.TOPIC: topic,
            Step.OFFICE: office,
            Step.DATE: "yesterday",
            Step.ATTACHMENTS: "done",
            Step.ANONYMITY: "yes" if index % 3 == 2 else "no",
        }
        draft = await services.reports.start(user_id)
        while draft.step is not Step.SUMMARY:
            draft = await _answer(services, user_id, draft, answers, description)
        await services.reports.submit(user_id, language, draft.key, as_new=True)
        created += 1
    return created


async def _register(services: Services, profile: TelegramProfile) -> None:
    """Register a demo trader and answer every onboarding question."""
    progress = await services.users.start(profile)
    while progress.step is not None:
        if progress.step is onboarding.Step.ORGANISATION:
            number = profile.id - FIRST_DEMO_ID + 1
            organisation = DEMO_ORGANISATION.format(number=number)
            progress = await services.users.answer_organisation(profile.id, organisation)
        elif progress.step is onboarding.Step.LANGUAGE:
            language = profile.language_code or "en"
            progress = await services.users.answer(profile.id, progress.step, language)
        else:
            answer = _ONBOARDING_ANSWERS[progress.step]
            progress = await services.users.answer(profile.id, progress.step, answer)


async def _answer(
    services: Services, user_id: int, draft: Draft, answers: dict[Step, str], description: str
) -> Draft:
    """Answer the draft's current step the way the demo trader would."""
    if draft.step is Step.DESCRIPTION:
        return await services.reports.write(user_id, description)
    if draft.step not in answers:
        raise RuntimeError(f"demo data cannot answer report step {draft.step}")
    return await services.reports.choose(user_id, draft.step, answers[draft.step])


async def add_demo_history(database: Path, emulator: SandboxCore, count: int) -> DemoSummary | None:
    """Fill the weeks before today with earlier reports by demo traders, once per database.

    They are what /digest week and /digest month show. Each demo trader also gets a chat in
    the emulator, so whatever the bot sends them arrives there and goes no further. Returns
    what was generated, or None when the database has its history already.
    """
    from bot.digests.demo_data import USER_ID_BASE, generate
    from config.reference_data import load_taxonomy
    from storage.db import Database
    from storage.digests.demo_data import DemoDataWriter

    db = await Database.open(database)
    try:
        writer = DemoDataWriter(db)
        summary = None
        if not await writer.demo_reports():
            summary = await generate(
                writer, load_taxonomy(), count * HISTORY_PER_REPORT, HISTORY_SEED,
                datetime.now(UTC), days=HISTORY_DAYS, parallel=False,
            )  # fmt: skip
        traders = await writer.demo_traders(USER_ID_BASE)
    finally:
        await db.close()
    for user_id, first_name, last_name, language in traders:
        if user_id not in emulator.sim_users:
            emulator.add_user(first_name, last_name, language_code=language, id=user_id)
    return summary
