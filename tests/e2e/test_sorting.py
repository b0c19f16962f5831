"""Sorting in the flow: the topic suggestion, "add my voice", and an officer's correction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import (
    answer_until_summary,
    office_label,
    start_report,
    submit,
    topic_label,
)


def _rows(app: BotApplication, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(app.bot_data["settings"].database_path)) as conn:
        return conn.execute(sql).fetchall()


async def test_topic_step_shows_the_suggestion_first(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="es")
    await onboard(user, "es")
    await start_report(user, "es", "issue")
    await user.send(
        "El portal de la ventanilla única da error y no podemos presentar declaraciones."
    )
    question = await user.wait_for_message(said("es", "report.ask_topic"))
    suggested = T("es", "report.topic_suggested", topic=topic_label("es", "it_systems"))
    assert question.buttons[0] == [suggested]
    await tap(user, suggested)
    await user.wait_for_message(said("es", "report.ask_office"))


async def test_not_sure_is_filled_by_the_classifier(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ivan", language_code="ru")
    await onboard(user, "ru")
    await start_report(user, "ru", "issue")
    await answer_until_summary(
        user,
        "ru",
        "issue",
        "Система электронного декларирования не работает с утра, ошибка при входе.",
        topic=None,
    )
    await submit(user, "ru")
    assert _rows(bot, "SELECT topic, topic_source, text_language FROM reports") == [
        ("it_systems", "classifier", "ru")
    ]


async def test_add_my_voice_to_a_matching_open_report(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    first, second = (emulator.add_user(first_name=n, language_code="en") for n in ("Ann", "Bob"))
    await onboard(first, "en")
    await onboard(second, "en")
    await start_report(first, "en", "issue")
    await answer_until_summary(
        first,
        "en",
        "issue",
        "Trucks held for days at the northern border crossing, no reason given.",
    )
    reference = await submit(first, "en")
    await start_report(second, "en", "issue")
    await answer_until_summary(
        second, "en", "issue", "Our trucks are held at the northern border crossing for days."
    )
    await tap(second, T("en", "report.submit"))
    heading = said(
        "en", "report.similar_found", reference=reference, topic="", place="", date="", size=1
    )
    offer = await second.wait_for_message(heading.split("\n")[0])
    assert office_label("en", "BORDER-NORTH") in offer.content
    assert "Ann" not in offer.content  # nothing about who filed it
    await tap(second, T("en", "report.voice_add"))
    await second.wait_for_message(said("en", "report.voice_added", reference=reference, count=2))
    assert _rows(bot, "SELECT COUNT(*) FROM reports") == [(1,)]
    assert _rows(bot, "SELECT user_id FROM report_voices") == [(second.id,)]


async def test_officer_correction_changes_a_later_prediction(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "en")
    text = "The warehouse keeper at the terminal asks for an extra envelope before loading pallets."
    await start_report(trader, "en", "issue")
    await answer_until_summary(trader, "en", "issue", text, topic=None, office="PORT-MAIN")
    reference = await submit(trader, "en")
    guessed = _rows(bot, "SELECT topic FROM reports")[0][0]
    target = "integrity" if guessed != "integrity" else "fees_payments"
    await trader.send(f"/correct {reference} topic={target}")
    await trader.wait_for_message(said("en", "access.officers_only"))  # traders may not
    await officer.send(f"/correct {reference} topic={target} urgency=high")
    await officer.wait_for_message(
        said("en", "correct.done", reference=reference, changes="x").split(":")[0]
    )
    assert _rows(bot, "SELECT topic, topic_source, urgency FROM reports") == [
        (target, "officer", "high")
    ]
    # the next trader writing about the same thing gets the corrected topic suggested
    await start_report(trader, "en", "issue")
    await trader.send(
        "The warehouse keeper at the terminal asks for an extra envelope again before loading."
    )
    question = await trader.wait_for_message(said("en", "report.ask_topic"))
    assert question.buttons[0] == [
        T("en", "report.topic_suggested", topic=topic_label("en", target))
    ]


async def test_officer_sees_sorting_and_group_size(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    first, second = (emulator.add_user(first_name=n, language_code="en") for n in ("Ann", "Bob"))
    officer = emulator.add_user(first_name="Olga", language_code="es", id=ADMIN_ID)
    for user in (first, second):
        await onboard(user, "en")
    await onboard(officer, "es")
    text = "Containers wait for days at the main seaport scanner, nobody explains why."
    await start_report(first, "en", "issue")
    await answer_until_summary(first, "en", "issue", text, office="PORT-MAIN", anonymous=True)
    reference = await submit(first, "en", anonymous=True)
    await start_report(second, "en", "issue")
    await answer_until_summary(second, "en", "issue", text, office="PORT-MAIN")
    await tap(second, T("en", "report.submit"))
    await tap(second, T("en", "report.voice_add"))
    await second.wait_for_message(said("en", "report.voice_added", reference=reference, count=2))
    await officer.send(f"/correct {reference}")
    view = await officer.wait_for_message(reference)
    assert "Comerciantes que lo respaldan: 2." in view.content
    assert "Ann" not in view.content and str(first.id) not in view.content  # anonymous stays so
