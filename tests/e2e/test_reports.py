"""The report flow end to end, in English, Spanish and Russian."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator, make_png
from handlers.kit.context import BotApplication
from tests.e2e.conftest import T, onboard, said, tap
from tests.e2e.reporting import (
    answer_until_summary,
    office_label,
    start_report,
    submit,
    topic_label,
)

EIGHT_DAYS_AGO = datetime.now(UTC).date() - timedelta(days=8)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rows(app: BotApplication, sql: str, *params: object) -> list[tuple[object, ...]]:
    path = Path(app.bot_data["settings"].database_path)
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


PROBLEMS = {
    "en": "Our refrigerated truck has waited 3 days at the northern border crossing.",
    "es": "Nuestro camión refrigerado lleva 3 días esperando en el paso fronterizo norte.",
    "ru": "Наш рефрижератор уже 3 дня стоит на северном пограничном переходе.",
}


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
async def test_problem_with_two_photos_and_a_document(
    emulator: BotApiEmulator, bot: BotApplication, lang: str
) -> None:
    user = emulator.add_user(first_name="Tom", language_code=lang)
    await onboard(user, lang)
    await start_report(user, lang, "issue")
    await user.send(PROBLEMS[lang])
    await tap(user, topic_label(lang, "release_delays"))
    await user.wait_for_message(said(lang, "report.ask_office"))
    await tap(user, office_label(lang, "BORDER-NORTH"))
    await user.wait_for_message(said(lang, "report.ask_date"))
    await tap(user, T(lang, "report.date_other"))
    await user.wait_for_message(said(lang, "report.ask_date_typed"))
    await user.send("2026-13-45")
    await user.wait_for_message(said(lang, "report.error_date_format"))
    await user.send(f"{EIGHT_DAYS_AGO:%d.%m.%Y}")
    await user.wait_for_message(said(lang, "report.ask_attachments", maximum=5)[:30])
    await user.send_photo(make_png(640, 480))
    await user.wait_for_message(said(lang, "report.attachment_saved", count=1))
    await user.send_photo(make_png(800, 600), caption="queue")
    await user.wait_for_message(said(lang, "report.attachment_saved", count=2))
    await user.send_document(PDF, filename="waybill.pdf", mime_type="application/pdf")
    await user.wait_for_message(said(lang, "report.attachment_saved", count=3))
    await tap(user, T(lang, "report.attachments_done", count=3))
    await tap(user, T(lang, "report.anonymity_no"))
    summary = await user.wait_for_message(said(lang, "report.summary_title"))
    assert (
        EIGHT_DAYS_AGO.isoformat() in summary.content
        and office_label(lang, "BORDER-NORTH") in summary.content
    )
    reference = await submit(user, lang)
    rows = _rows(
        bot,
        "SELECT kind, topic, office, incident_date, anonymous, status"
        " FROM reports WHERE reference = ?",
        reference,
    )
    assert rows == [
        ("issue", "release_delays", "BORDER-NORTH", EIGHT_DAYS_AGO.isoformat(), 0, "new")
    ]
    files = _rows(
        bot, "SELECT kind, file_name, mime_type FROM report_attachments ORDER BY position"
    )
    assert files == [
        ("photo", None, "image/jpeg"),
        ("photo", None, "image/jpeg"),
        ("document", "waybill.pdf", "application/pdf"),
    ]


async def test_suggestion_in_spanish(emulator: BotApiEmulator, bot: BotApplication) -> None:
    user = emulator.add_user(first_name="Lucía", language_code="es")
    await onboard(user, "es")
    await start_report(user, "es", "suggestion")
    summary = await answer_until_summary(
        user,
        "es",
        "suggestion",
        "Propongo que se pueda pagar los derechos en línea.",
        topic="fees_payments",
        office="HQ",
    )
    assert said("es", "report.edit_date") not in summary.buttons[1] + summary.buttons[2]
    reference = await submit(user, "es")
    assert reference.startswith("R-")
    assert _rows(bot, "SELECT kind, language, incident_date FROM reports") == [
        ("suggestion", "es", None)
    ]


async def test_question_in_russian_anonymous(emulator: BotApiEmulator, bot: BotApplication) -> None:
    user = emulator.add_user(first_name="Пётр", language_code="ru")
    await onboard(user, "ru")
    await start_report(user, "ru", "question")
    await answer_until_summary(
        user,
        "ru",
        "question",
        "Какие документы нужны для экспорта кофе?",
        topic="documentation",
        anonymous=True,
    )
    reference = await submit(user, "ru", anonymous=True)
    assert _rows(
        bot, "SELECT anonymous, reporter_id FROM reports WHERE reference = ?", reference
    ) == [(1, user.id)]


async def test_edit_before_submit(emulator: BotApiEmulator, bot: BotApplication) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(user, "en")
    await start_report(user, "en", "suggestion")
    await answer_until_summary(user, "en", "suggestion", "Open the southern crossing at night too.")
    await tap(user, T("en", "report.edit_topic"))
    await user.wait_for_message(said("en", "report.ask_topic"))
    await tap(user, topic_label("en", "border_cooperation"))
    summary = await user.wait_for_message(said("en", "report.summary_title"))
    assert topic_label("en", "border_cooperation") in summary.content
    await tap(user, T("en", "report.edit_office"))
    await tap(user, T("en", "report.office_other"))
    await user.wait_for_message(said("en", "report.ask_office_other"))
    await user.send("Río Seco <checkpoint>")
    summary = await user.wait_for_message(said("en", "report.summary_title"))
    assert "Río Seco <checkpoint>" in summary.content
    await tap(user, T("en", "report.edit_description"))
    await user.wait_for_message(said("en", "report.ask_description_suggestion"))
    await tap(user, T("en", "button.keep"))
    await user.wait_for_message(said("en", "report.summary_title"))
    await tap(user, T("en", "report.edit_kind"))
    await tap(user, T("en", "kind.action_issue"))
    await user.wait_for_message(said("en", "report.ask_date"))  # a problem needs its date
    await tap(user, T("en", "report.date_today"))
    await user.wait_for_message(said("en", "report.summary_title"))
    await submit(user, "en")
    assert _rows(bot, "SELECT kind, topic, office, office_other FROM reports") == [
        ("issue", "border_cooperation", "other", "Río Seco <checkpoint>")
    ]


async def test_back_and_cancel(emulator: BotApiEmulator, bot: BotApplication) -> None:
    user = emulator.add_user(first_name="Ana", language_code="es")
    await onboard(user, "es")
    await start_report(user, "es", "issue")
    await user.send("El portal no funciona desde esta mañana.")
    await user.wait_for_message(said("es", "report.ask_topic"))
    await tap(user, T("es", "button.back"))
    back = await user.wait_for_message(said("es", "report.ask_description_issue"))
    assert "El portal no funciona" in back.content
    await tap(user, T("es", "button.back"))
    await user.wait_for_message(said("es", "report.ask_kind"))
    await tap(user, T("es", "button.cancel"))
    await user.wait_for_message(said("es", "report.cancelled"))
    await start_report(user, "es", "question")
    await user.send("/cancel")
    await user.wait_for_message(said("es", "report.cancelled"))
    await user.send("/cancel")
    await user.wait_for_message(said("es", "report.nothing_to_cancel"))
    assert _rows(bot, "SELECT COUNT(*) FROM reports") == [(0,)]


async def test_free_text_becomes_a_report(emulator: BotApiEmulator, bot: BotApplication) -> None:
    user = emulator.add_user(first_name="Ivan", language_code="ru")
    await onboard(user, "ru")
    text = "Сайт таможни не работает уже третий день, декларации не принимаются."
    await user.send(text)
    await user.wait_for_message(said("ru", "report.offer"))
    await tap(user, T("ru", "report.offer_yes"))
    await user.wait_for_message(said("ru", "report.ask_kind"))
    await tap(user, T("ru", "kind.action_issue"))
    await user.wait_for_message(said("ru", "report.ask_topic"))  # the description is already there
    await tap(user, topic_label("ru", "it_systems"))
    await tap(user, T("ru", "report.office_none"))
    await user.wait_for_message(said("ru", "report.ask_date"))
    await tap(user, T("ru", "report.date_today"))
    await user.wait_for_message(said("ru", "report.ask_attachments", maximum=5)[:30])
    await tap(user, T("ru", "report.attachments_none"))
    await user.wait_for_message(said("ru", "report.ask_anonymity")[:20])
    await tap(user, T("ru", "report.anonymity_no"))
    await user.wait_for_message(said("ru", "report.summary_title"))
    await submit(user, "ru")
    assert _rows(bot, "SELECT description, office FROM reports") == [(text, None)]
    await user.send("Спасибо")
    await user.wait_for_message(said("ru", "report.offer"))
    await tap(user, T("ru", "report.offer_no"))
    await user.wait_for_message(said("ru", "report.offer_declined"))


async def test_main_menu_button_starts_a_report(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="es")
    await onboard(user, "es")
    await tap(user, T("es", "menu.report"))
    await user.wait_for_message(said("es", "report.ask_kind"))
    await tap(user, T("es", "menu.myreports"))
    await user.wait_for_message(said("es", "myreports.empty"))


async def test_bad_input_is_explained_and_the_step_asked_again(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Tom", language_code="en")
    await onboard(user, "en")
    await start_report(user, "en", "issue")
    await user.send_sticker()
    again = await user.wait_for_message(said("en", "report.error_unsupported"))
    assert said("en", "report.ask_description_issue") in again.content
    await user.send_voice()  # kept at the files step; here, text is asked for
    await user.wait_for_message(said("en", "report.error_text_expected"))
    await user.send_location(4.6, -74.1)
    await user.wait_for_message(said("en", "report.error_text_expected"))
    await user.send("short")
    await user.wait_for_message(said("en", "report.error_description_short", minimum=10))
    await user.send("x" * 5000)
    await user.wait_for_message(
        said("en", "report.error_description_long", maximum=3500, length=5000)
    )
    await user.send_photo()
    await user.wait_for_message(said("en", "report.error_text_expected"))
    await user.send("Goods held at the airport for a week without explanation.")
    await user.wait_for_message(said("en", "report.ask_topic"))
    await user.send("release delays")
    await user.wait_for_message(said("en", "report.error_choose_button"))
    await tap(user, topic_label("en", "release_delays"))
    await tap(user, T("en", "report.office_none"))
    await tap(user, T("en", "report.date_today"))
    await user.wait_for_message(said("en", "report.ask_attachments", maximum=5)[:30])
    await user.send_document(
        b"MZ\x90\x00", filename="setup.exe", mime_type="application/x-msdownload"
    )
    await user.wait_for_message(said("en", "report.error_file_refused"))
    await user.send("here is the file")
    await user.wait_for_message(said("en", "report.error_expect_file"))
    big = b"%PDF-1.4\n" + bytes(21 * 1024 * 1024)  # over the 20 MB a bot can download
    await user.send_document(big, filename="scan.pdf", mime_type="application/pdf")
    await user.wait_for_message(said("en", "report.error_file_large", megabytes=20))
    await user.send_document(PDF, filename="scan.pdf", mime_type="application/pdf")
    await user.wait_for_message(said("en", "report.attachment_saved", count=1))


async def test_rate_limit_is_explained(
    emulator: BotApiEmulator, start_bot: object, make_settings: object
) -> None:
    settings = make_settings(  # type: ignore[operator]
        bot_api_url=emulator.base_url, bot_api_file_url=emulator.file_base_url, reports_per_hour=1
    )
    await start_bot(settings)  # type: ignore[operator]
    user = emulator.add_user(first_name="Tom", language_code="en")
    await onboard(user, "en")
    await start_report(user, "en", "question")
    await answer_until_summary(user, "en", "question", "Where do I find the tariff schedule?")
    await submit(user, "en")
    await start_report(user, "en", "question")
    await answer_until_summary(user, "en", "question", "And where are the rules of origin?")
    await tap(user, T("en", "report.submit"))
    limited = await user.wait_for_message(
        said("en", "report.rate_limited", limit=1, minutes=60)[:40]
    )
    assert "min" in limited.content


async def test_myreports_pages_and_adding_information(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(user, "en")
    references = []
    for number in range(7):
        await start_report(user, "en", "question")
        await answer_until_summary(
            user, "en", "question", f"Question number {number} about tariffs?"
        )
        references.append(await submit(user, "en"))
    await user.send("/myreports")
    first = await user.wait_for_message(said("en", "myreports.title", page=1, pages=2, total=7))
    assert first.buttons[0] == [references[-1]] and len(first.buttons) == 6
    await tap(user, T("en", "button.next"))
    second = await user.wait_for_message(said("en", "myreports.title", page=2, pages=2, total=7))
    assert [row[0] for row in second.buttons[:2]] == [references[1], references[0]]
    await tap(user, references[0])
    card = await user.wait_for_message(said("en", "myreports.card_title", reference=references[0]))
    assert "Question number 0" in card.content and said("en", "status.new") in card.content
    await tap(user, T("en", "myreports.add_info"))
    await user.wait_for_message(said("en", "myreports.ask_info", reference=references[0]))
    await user.send("The goods are 500 kg of roasted coffee.")
    await user.wait_for_message(said("en", "myreports.info_added", reference=references[0]))
    await user.send_document(
        PDF, filename="invoice.pdf", mime_type="application/pdf"
    )  # not adding now
    await user.send("/myreports")
    await user.wait_for_message(said("en", "myreports.title", page=1, pages=2, total=7))
    await tap(user, T("en", "button.next"))
    await user.wait_for_message(said("en", "myreports.title", page=2, pages=2, total=7))
    await tap(user, references[0])
    card = await user.wait_for_message(said("en", "myreports.card_title", reference=references[0]))
    assert "500 kg of roasted coffee" in card.content
    await tap(user, T("en", "myreports.add_info"))
    await user.wait_for_message(said("en", "myreports.ask_info", reference=references[0]))
    await user.send_document(PDF, filename="invoice.pdf", mime_type="application/pdf")
    await user.wait_for_message(said("en", "myreports.info_added", reference=references[0]))
    attached = _rows(bot, "SELECT attachment FROM report_messages WHERE attachment IS NOT NULL")
    assert len(attached) == 1 and "invoice.pdf" in str(attached[0][0])


async def test_group_chat_gets_a_private_link_and_the_link_starts_the_flow(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    ana = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(ana, "en")
    group = emulator.add_group(title="Brokers", members=[ana])
    await ana.send("/report", chat=group)
    reply = await ana.wait_for_message(chat=group)
    assert f"https://t.me/{bot.bot.username}?start=report" in reply.content
    await ana.send("/start report")
    await ana.wait_for_message(said("en", "report.ask_kind"))


async def test_idle_draft_is_dropped_with_a_notice(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="es")
    await onboard(user, "es")
    await start_report(user, "es", "issue")
    path = Path(bot.bot_data["settings"].database_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE conversations SET updated_at = '2000-01-01T00:00:00+00:00'")
    assert bot.job_queue is not None
    (sweep,) = bot.job_queue.get_jobs_by_name("drop-idle-drafts")
    await sweep.run(bot)
    await user.wait_for_message(said("es", "report.draft_dropped"))
    await user.send("Esto ya no es parte de un informe, sino un mensaje nuevo.")
    await user.wait_for_message(said("es", "report.offer"))


async def test_report_before_onboarding_asks_to_finish(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await user.send("/report")
    await user.wait_for_message(said("en", "help.finish_onboarding"))
