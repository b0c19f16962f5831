"""Follow-up end to end: an anonymous report answered, resolved, rated "not fixed" and reopened;
officers never learn who filed it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from bot.sandbox import BotApiEmulator, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit

ORGANISATION = "Andes Cargo SRL"


def _status(settings: Settings, reference: str) -> str:
    with sqlite3.connect(settings.database_path) as conn:
        return str(
            conn.execute("SELECT status FROM reports WHERE reference = ?", (reference,)).fetchone()[
                0
            ]
        )


async def open_from_inbox(officer: SimUser, reference: str) -> None:
    """Press the report's button on the inbox page that lists it (its urgency mark varies)."""
    page = await officer.wait_for_message(reference)
    rows = (page.reply_markup or {}).get("inline_keyboard", [])
    label = next(b["text"] for row in rows for b in row if b["text"].endswith(reference))
    await tap(officer, label)


def everything_seen_by(user: SimUser) -> str:
    """Return every text, caption, button and file name the user was ever shown."""
    parts: list[str] = []
    for message in user.messages:
        for version in (message, *message.edits):
            parts.append(version.content)
            for row in (version.reply_markup or {}).get("inline_keyboard", []):
                parts += [button.get("text", "") for button in row]
            if version.document is not None:
                parts.append(version.document.filename or "")
    return "\n".join(parts)


async def test_anonymous_report_answered_resolved_and_reopened(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    trader = emulator.add_user(
        first_name="Ximena", last_name="Quispe", username="xime_trade", language_code="es"
    )
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "es", organisation=ORGANISATION)
    await onboard(officer, "en")

    await start_report(trader, "es", "issue")
    await answer_until_summary(
        trader, "es", "issue", "El contenedor lleva nueve días retenido en el puerto sin motivo.",
        office="PORT-MAIN", anonymous=True,
    )  # fmt: skip
    reference = await submit(trader, "es", anonymous=True)

    # The officer finds it in the inbox and opens it: labels, but no identity.
    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    assert said("en", "followup.anonymous") in card.content

    await tap(officer, T("en", "followup.btn.take"))
    answer = await officer.wait_for_callback_answer()
    assert answer.text == said("en", "followup.done_take", reference=reference, status="New")
    await officer.wait_for_message("Olga")  # the card, edited: assigned to her
    await tap(officer, T("en", "followup.btn.reply"))
    await officer.wait_for_message(said("en", "followup.prompt_reply", reference=reference)[:30])
    await officer.send("Please send us the container number & the declaration date.")
    await officer.wait_for_message(said("en", "followup.done_reply", reference=reference))

    # The trader gets the reply in Spanish and answers through the bot.
    reply = await trader.wait_for_message(
        said("es", "followup.notice.reply", reference=reference, text="")[:40]
    )
    assert "container number & the declaration date" in reply.content
    await tap(trader, T("es", "followup.btn.answer"))
    await trader.wait_for_message(said("es", "myreports.ask_info", reference=reference))
    await trader.send("Contenedor MSCU1234567, declaración del 3 de noviembre.")
    await trader.wait_for_message(said("es", "myreports.info_added", reference=reference))
    answered = await officer.wait_for_message(
        said("en", "followup.officer.reporter_replied", reference=reference, text="")[:40]
    )
    assert "MSCU1234567" in answered.content
    assert _status(bot_settings, reference) == "acknowledged"  # answering acknowledged it

    # Resolved: the trader says it is not fixed, rates 2; the report reopens, the officer hears.
    await tap(officer, T("en", "inbox.open", reference=reference))
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.resolved"))
    await trader.wait_for_message(said("es", "followup.ask.fixed", reference=reference))
    await tap(trader, T("es", "survey.fixed_no"))
    await trader.wait_for_message(said("es", "survey.ask_rating"))
    await tap(trader, "2")
    await trader.wait_for_message(
        said("es", "survey.thanks_reopened", reference=reference, rating=2)
    )
    await officer.wait_for_message(
        said("en", "followup.officer.reopened", reference=reference, rating=2)
    )
    assert _status(bot_settings, reference) == "in_progress"
    await trader.send("Sigue retenido, nadie vino a inspeccionar.")
    await trader.wait_for_message(said("es", "survey.comment_thanks"))
    await officer.wait_for_message("nadie vino a inspeccionar")

    # The audit log tells the story, without the reporter.
    await officer.send(f"/history {reference}")
    history = await officer.wait_for_message(said("en", "history.title", reference=reference))
    for action in ("assign", "reply", "reporter_reply", "status", "rating", "comment"):
        assert said("en", f"history.action_{action}") in history.content

    seen = everything_seen_by(officer)
    for secret in ("Ximena", "Quispe", "xime_trade", str(trader.id), ORGANISATION):
        assert secret not in seen, secret


async def test_a_named_report_shows_its_reporter_to_officers(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Boris", language_code="ru")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "ru", organisation="Kedr LLC")
    await onboard(officer, "en")
    await start_report(trader, "ru", "question")
    await answer_until_summary(trader, "ru", "question", "Сколько дней длится выпуск товаров?")
    reference = await submit(trader, "ru")
    await officer.send(f"/history {reference}")
    await officer.wait_for_message(said("en", "history.empty", reference=reference))
    await officer.send("/inbox unassigned")
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    assert "Boris (Kedr LLC)" in card.content


async def test_internal_notes_never_reach_the_reporter(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "en")
    await start_report(trader, "en", "suggestion")
    await answer_until_summary(
        trader, "en", "suggestion", "Open the port gate at six in the morning."
    )
    reference = await submit(trader, "en")
    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.note"))
    await officer.wait_for_message(said("en", "followup.prompt_note", reference=reference))
    await officer.send("Ask the port director; budget question.")
    await officer.wait_for_message(said("en", "followup.done_note", reference=reference))
    await trader.send("/myreports")
    await tap(trader, reference)
    own = await trader.wait_for_message(said("en", "myreports.card_title", reference=reference))
    assert "budget question" not in everything_seen_by(trader) and "Open the port" in own.content


async def test_a_high_urgency_report_reaches_the_officers_group_at_once(
    emulator: BotApiEmulator, make_settings: SettingsFactory, start_bot: Callable[..., Any]
) -> None:
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    trader = emulator.add_user(first_name="Sam", language_code="en")
    group = emulator.add_group("Customs liaison officers", [officer])
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        officers_chat_id=str(group.id),
    )
    await start_bot(settings)
    await onboard(officer, "en")
    await onboard(trader, "en")
    await start_report(trader, "en", "issue")
    await answer_until_summary(
        trader, "en", "issue",
        "URGENT: our perishable cargo of fresh fish is spoiling at the border crossing, held"
        " since this morning. Please act today!", anonymous=True,
    )  # fmt: skip
    reference = await submit(trader, "en", anonymous=True)
    heading = said("en", "followup.officer.urgent", reference=reference, kind="", topic="",
                   office="", excerpt="").split("\n")[0]  # fmt: skip
    alert = await group.wait_for_message(heading)
    assert reference in alert.content and "fresh fish" in alert.content
    assert "Sam" not in alert.content
    await officer.press(T("en", "inbox.open", reference=reference), chat=group)
    card = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    assert said("en", "followup.anonymous") in card.content and "🔴" in card.content


async def test_an_idle_typed_answer_is_dropped_in_neutral_words(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Oleg", language_code="ru", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "ru")
    await start_report(trader, "en", "question")
    await answer_until_summary(trader, "en", "question", "How long does release take?")
    reference = await submit(trader, "en")
    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    await tap(officer, T("ru", "followup.btn.reply"))
    await officer.wait_for_message(said("ru", "followup.prompt_reply", reference=reference)[:30])
    with sqlite3.connect(bot_settings.database_path) as conn:
        conn.execute("UPDATE conversations SET updated_at = '2000-01-01T00:00:00+00:00'")
    assert bot.job_queue is not None
    (sweep,) = bot.job_queue.get_jobs_by_name("drop-idle-drafts")
    await sweep.run(bot)
    await officer.wait_for_message(said("ru", "conversation.dropped"))
    assert not any(said("ru", "report.draft_dropped") in m.content for m in officer.messages)
