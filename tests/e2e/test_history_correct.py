"""/history and /correct read like the officer's language: names, never raw ids or codes."""

from __future__ import annotations

import sqlite3

from bot.sandbox import BotApiEmulator
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit, topic_label
from tests.e2e.test_supporters import open_card


def _labels(settings: Settings) -> tuple[str, str, str]:
    with sqlite3.connect(settings.database_path) as conn:
        kind, topic, urgency = conn.execute("SELECT kind, topic, urgency FROM reports").fetchone()
    return str(kind), str(topic), str(urgency)


async def test_history_names_people_and_statuses_in_the_officers_language(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Ximena", language_code="ru")
    officer = emulator.add_user(
        first_name="Olga", last_name="Ortiz", language_code="es", id=ADMIN_ID
    )
    await onboard(trader, "ru")
    await onboard(officer, "es")
    await start_report(trader, "ru", "issue")
    text = "Грузовики стоят на северном переходе уже три дня без объяснения причин."
    await answer_until_summary(trader, "ru", "issue", text, anonymous=True)
    reference = await submit(trader, "ru", anonymous=True)

    await open_card(officer, reference, "es")
    await tap(officer, T("es", "followup.btn.take"))
    await open_card(officer, reference, "es")
    await tap(officer, T("es", "followup.btn.reject"))
    await officer.wait_for_message(said("es", "followup.prompt_reject", reference=reference)[:20])
    await officer.send("El paso estuvo cerrado por obras.")
    await trader.wait_for_message(reference)

    await officer.send(f"/history {reference}")
    history = await officer.wait_for_message(said("es", "history.title", reference=reference))
    content = history.content
    assert "Olga Ortiz" in content
    assert said("es", "history.nobody") in content  # assigned from nobody to Olga
    assert T("es", "status.new") in content and T("es", "status.rejected") in content
    assert said("es", "history.reason", reason="El paso estuvo cerrado por obras.") in content
    for raw in (str(ADMIN_ID), str(trader.id), "rejected", "new,", "from:", "to:"):
        assert raw not in content, raw


async def test_correct_by_buttons_and_a_wrong_typed_value_names_the_allowed_ones(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="ru", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "ru")
    await start_report(trader, "en", "issue")
    await answer_until_summary(trader, "en", "issue", "The portal rejects our declarations.")
    reference = await submit(trader, "en")

    await officer.send(f"/correct {reference} urgency=urgent")
    wrong = await officer.wait_for_message("urgent")
    assert "high" in wrong.content and T("ru", "urgency.high") in wrong.content

    await officer.send(f"/correct {reference}")
    shown = await officer.wait_for_message(reference)
    assert topic_label("ru", "release_delays") in shown.content  # names, not codes
    assert "release_delays" not in shown.content
    await tap(officer, T("ru", "field.topic"))
    await officer.wait_for_message(
        said("ru", "correct.ask_value", reference=reference, field="")[:15]
    )
    await tap(officer, topic_label("ru", "it_systems"))
    done = await officer.wait_for_message(
        said("ru", "correct.done", reference=reference, changes="")[:15]
    )
    assert topic_label("ru", "it_systems") in done.content
    await officer.send(f"/correct {reference}")
    await officer.wait_for_message(said("ru", "correct.choose")[:20])
    await tap(officer, T("ru", "followup.field_urgency"))
    await tap(officer, T("ru", "urgency.high"))
    await officer.wait_for_message(said("ru", "correct.done", reference=reference, changes="")[:15])
    assert _labels(bot_settings) == ("issue", "it_systems", "high")
    # a trader pressing a forged correction button changes nothing
    await trader.press_forged(f"cor:s:{reference}:urgency:low")
    assert _labels(bot_settings) == ("issue", "it_systems", "high")
