"""Adding one's voice: only to the report the bot offered for that draft, whatever the button
data says; and the offer never shows the place an anonymous reporter typed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator, SimUser
from handlers.kit.context import BotApplication
from tests.e2e.conftest import T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit, topic_label

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

PLACE = "Depósito de Juan Pérez, calle 9"
TEXT = "Trucks are held for days at the northern border crossing without any explanation."


def _rows(app: BotApplication, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(app.bot_data["settings"].database_path)) as conn:
        return conn.execute(sql).fetchall()


async def _typed_place_report(user: SimUser, text: str) -> None:
    """Write an issue at a typed place, up to its summary."""
    await start_report(user, "en", "issue")
    await user.send(text)
    await tap(user, topic_label("en", "release_delays"))
    await user.wait_for_message(said("en", "report.ask_office"))
    await tap(user, T("en", "report.office_other"))
    await user.wait_for_message(said("en", "report.ask_office_other"))
    await user.send(PLACE)
    await tap(user, T("en", "report.date_today"))
    await tap(user, T("en", "report.attachments_none"))
    await tap(user, T("en", "report.anonymity_yes"))
    await user.wait_for_message(said("en", "report.summary_title"))


async def test_a_voice_goes_to_the_offered_report_only(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    ann = emulator.add_user(first_name="Ann", language_code="en")
    tom = emulator.add_user(first_name="Tom", language_code="en")
    await onboard(ann, "en")
    await onboard(tom, "en")
    await _typed_place_report(ann, TEXT)
    anonymous = await submit(ann, "en", anonymous=True)
    await start_report(ann, "en", "suggestion")
    await answer_until_summary(ann, "en", "suggestion", "Please publish the opening hours online.")
    named = await submit(ann, "en")
    (named_id,) = _rows(bot, f"SELECT id FROM reports WHERE reference = '{named}'")[0]
    # Tom's draft about something else: no offer was made, so no voice can be added.
    await start_report(tom, "en", "question")
    summary = await answer_until_summary(tom, "en", "question", "Where are the tariff rules?")
    key = next(
        b["callback_data"].split(":")[2]
        for row in (summary.reply_markup or {})["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("rep:submit:")
    )
    for data in (f"rep:voice:{key}-{named_id}", f"rep:voice:{key}"):
        await tom.press_forged(data)
        answer = await tom.wait_for_callback_answer()
        assert answer.text == T("en", "button.stale"), data
    assert _rows(bot, "SELECT * FROM report_voices") == []
    assert _rows(bot, "SELECT COUNT(*) FROM reports") == [(2,)]
    # Tom writes the same thing as Ann's anonymous report: he is offered it, without her place.
    await tap(tom, T("en", "button.cancel"))
    await _typed_place_report(tom, "Our trucks are held at the northern border crossing for days.")
    await tap(tom, T("en", "report.submit"))
    offer = await tom.wait_for_message(anonymous)
    assert T("en", "report.office_other") in offer.content
    assert "Juan" not in offer.content and "calle" not in offer.content
    offered_key = next(
        b["callback_data"].removeprefix("rep:voice:")
        for row in (offer.reply_markup or {})["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("rep:voice:")
    )
    await tom.press_forged(f"rep:voice:{offered_key}-{named_id}")  # names another report
    await tom.wait_for_message(said("en", "report.voice_added", reference=anonymous, size=2))
    voices = _rows(bot, "SELECT r.reference, v.user_id FROM report_voices v JOIN reports r"
                        " ON r.id = v.report_id")  # fmt: skip
    assert voices == [(anonymous, tom.id)]
