"""Supporters end to end: traders who add their voice are seen on the officer's card (named only
if they chose so), hear of replies and status changes in their language, find the report in
/myreports marked as supported, and can withdraw their support."""

from __future__ import annotations

import sqlite3

from bot.sandbox import BotApiEmulator, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit
from tests.e2e.test_followup import everything_seen_by

REPORT = "Trucks held for days at the northern border crossing, no reason given."
QUIET = "Trucks held for days at the northern border crossing, no reason given, eleven trucks."
NAMED = "Our trucks are held for days at the northern border crossing, no reason given."


def _count(settings: Settings, sql: str) -> int:
    with sqlite3.connect(settings.database_path) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def add_voice(
    user: SimUser, lang: str, text: str, reference: str, *, anonymous: bool, files: int = 0
) -> None:
    """Write a report like an open one and add one's voice to it when offered."""
    await start_report(user, lang, "issue")
    await answer_until_summary(user, lang, "issue", text, anonymous=anonymous, files=files)
    await tap(user, T(lang, "report.submit"))
    heading = said(
        lang, "report.similar_found", reference=reference, topic="", place="", date="", size=1
    )
    await user.wait_for_message(heading.split("\n")[0])
    await tap(user, T(lang, "report.voice_add"))
    await user.wait_for_message(said(lang, "report.voice_added", reference=reference, count=2)[:20])


async def open_card(officer: SimUser, reference: str, lang: str = "en") -> str:
    """Open the report from the inbox and return its card's text."""
    await officer.send("/inbox")
    page = await officer.wait_for_message(
        predicate=lambda m: any(
            b["text"].endswith(reference)
            for row in (m.reply_markup or {}).get("inline_keyboard", [])
            for b in row
        )
    )
    rows = (page.reply_markup or {}).get("inline_keyboard", [])
    await tap(
        officer, next(b["text"] for row in rows for b in row if b["text"].endswith(reference))
    )
    card = await officer.wait_for_message(said(lang, "followup.card_title", reference=reference))
    return card.content


async def test_supporters_on_the_card_told_of_steps_listed_and_withdrawn(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    reporter = emulator.add_user(first_name="Ann", language_code="en")
    quiet = emulator.add_user(first_name="Lucía", last_name="Quiroga", language_code="es")
    named = emulator.add_user(first_name="Bob", last_name="Barrow", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(reporter, "en")
    await onboard(quiet, "es", organisation="Cargas Quiroga")
    await onboard(named, "en", organisation="Barrow Freight")
    await onboard(officer, "en")
    await start_report(reporter, "en", "issue")
    await answer_until_summary(reporter, "en", "issue", REPORT)
    reference = await submit(reporter, "en")
    await add_voice(quiet, "es", QUIET, reference, anonymous=True, files=1)
    await add_voice(named, "en", NAMED, reference, anonymous=False)

    # The officer reads both supporters' texts; only the one who chose so is named.
    card = await open_card(officer, reference)
    assert said("en", "followup.supporters_title", count=2) in card
    assert QUIET in card and NAMED in card
    assert said("en", "followup.supporter_anonymous") in card
    assert "Bob Barrow (Barrow Freight)" in card
    photo = await officer.wait_for_message(predicate=lambda m: m.photo is not None)
    caption = said("en", "followup.file_caption", reference=reference, number=1, total=1)
    assert photo.caption == caption  # the anonymous supporter's file, sent with the card

    # A reply and a status change reach the reporter and each supporter in their language.
    await tap(officer, T("en", "followup.btn.reply"))
    await officer.wait_for_message(said("en", "followup.prompt_reply", reference=reference)[:30])
    await officer.send("We are checking the northern crossing with the border police.")
    await officer.wait_for_message(said("en", "followup.done_reply", reference=reference))
    await reporter.wait_for_message(
        said("en", "followup.notice.reply", reference=reference, text="")[:40]
    )
    for user, lang in ((quiet, "es"), (named, "en")):
        told = await user.wait_for_message(
            said(lang, "followup.supporter.reply", reference=reference, text="")[:40]
        )
        assert "border police" in told.content
    await open_card(officer, reference)
    await tap(officer, T("en", "followup.btn.in_progress"))
    for user, lang in ((reporter, "en"), (quiet, "es"), (named, "en")):
        key = "followup.notice.status" if user is reporter else "followup.supporter.status"
        status = T(lang, "status.in_progress")
        await user.wait_for_message(said(lang, key, reference=reference, status=status))

    # /myreports lists the supported report, marked; its record shows what they added.
    await quiet.send("/myreports")
    listed = await quiet.wait_for_message(said("es", "myreports.supported_mark"))
    assert reference in listed.content
    await tap(quiet, reference)
    record = await quiet.wait_for_message(
        said("es", "myreports.card_title_supported", reference=reference)
    )
    assert QUIET in record.content and "border police" in record.content
    assert REPORT not in record.content  # nothing the reporter wrote

    # Withdrawn: gone from the card and from their list; they are not told any more.
    await tap(quiet, T("es", "myreports.withdraw"))
    await quiet.wait_for_message(said("es", "myreports.withdraw_question", reference=reference))
    await tap(quiet, T("es", "myreports.withdraw_yes"))
    await quiet.wait_for_message(said("es", "myreports.withdrawn", reference=reference))
    assert _count(bot_settings, "SELECT COUNT(*) FROM report_voices") == 1
    assert _count(bot_settings, "SELECT COUNT(*) FROM report_voice_attachments") == 0
    card = await open_card(officer, reference)
    assert said("en", "followup.supporters_title", count=1) in card
    assert QUIET not in card
    await quiet.send("/myreports")
    await quiet.wait_for_message(said("es", "myreports.empty"))

    seen = everything_seen_by(officer)
    for secret in ("Lucía", "Quiroga", str(quiet.id)):
        assert secret not in seen, secret


async def test_a_russian_supporter_hears_of_a_rejection_in_russian(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    reporter = emulator.add_user(first_name="Иван", language_code="ru")
    supporter = emulator.add_user(first_name="Пётр", language_code="ru")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(reporter, "ru")
    await onboard(supporter, "ru")
    await onboard(officer, "en")
    await start_report(reporter, "ru", "issue")
    text = "Грузовики стоят на северном пограничном переходе уже несколько дней без причины."
    await answer_until_summary(reporter, "ru", "issue", text)
    reference = await submit(reporter, "ru")
    await add_voice(supporter, "ru", text, reference, anonymous=True)

    await open_card(officer, reference)
    await tap(officer, T("en", "followup.btn.reject"))
    await officer.wait_for_message(said("en", "followup.prompt_reject", reference=reference)[:25])
    await officer.send("The crossing was closed by the neighbouring country.")
    told = await supporter.wait_for_message(
        said("ru", "followup.supporter.rejected", reference=reference, reason="")[:40]
    )
    assert "neighbouring country" in told.content
    await supporter.send("/myreports")
    await supporter.wait_for_message(said("ru", "myreports.supported_mark"))
    await tap(supporter, reference)
    record = await supporter.wait_for_message(
        said("ru", "myreports.card_title_supported", reference=reference)
    )
    assert "neighbouring country" in record.content  # the reason, in the record
