"""One open form per user: the form started last takes typed messages, /cancel speaks for it,
another command puts a notice draft aside until /broadcast, and free text becomes a report."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said

NOTICE = "Duty rates for coffee change on 1 March & the form C-2 is replaced."
FREE_TEXT = "The scanner at the northern border was down all morning."


async def test_cancel_speaks_for_the_open_form(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    await onboard(admin, "en")
    await admin.send("/newmeeting")
    await admin.wait_for_message(said("en", "meeting.ask_title"))
    await admin.send("/cancel")
    await admin.wait_for_message(said("en", "meeting.form_cancelled"))
    await admin.send("/cancel")
    await admin.wait_for_message(said("en", "report.nothing_to_cancel"))
    await admin.send(FREE_TEXT)  # nothing open: offered as a report
    await admin.wait_for_message(said("en", "report.offer"))
    await admin.send("/cancel")
    await admin.wait_for_message(said("en", "report.cancelled"))


async def test_the_form_started_last_takes_the_text(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    await onboard(admin, "en")
    await admin.send("/newmeeting")
    await admin.wait_for_message(said("en", "meeting.ask_title"))
    await admin.send("/broadcast")  # replaces the meeting form
    await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
    await admin.send(NOTICE)
    await admin.wait_for_message(said("en", "broadcast.ask_document"))
    await admin.send("/myreports")  # another command: the draft is put aside, not lost
    await admin.wait_for_message(said("en", "myreports.empty"))
    await admin.send(FREE_TEXT)
    await admin.wait_for_message(said("en", "report.offer"))
    await admin.send("/broadcast")
    resumed = await admin.wait_for_message(said("en", "broadcast.resumed", number=1))
    assert said("en", "broadcast.ask_document") in resumed.content
    await admin.press(T("en", "button.skip"))
    await admin.wait_for_message("Written in: English")
    await admin.send("/cancel")
    await admin.wait_for_message(said("en", "broadcast.cancelled"))
    assert await bot.bot_data["services"].meeting_flow.draft_of(ADMIN_ID) is None


async def test_an_idle_notice_draft_still_takes_the_admins_text(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    await onboard(admin, "en")
    await admin.send("/broadcast")
    await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
    path = Path(bot.bot_data["settings"].database_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE conversations SET updated_at = '2000-01-01T00:00:00+00:00'")
    assert bot.job_queue is not None
    (sweep,) = bot.job_queue.get_jobs_by_name("drop-idle-drafts")
    await sweep.run(bot)
    await admin.send(NOTICE)
    await admin.wait_for_message(said("en", "broadcast.ask_document"))
    assert not any(said("en", "conversation.dropped") in m.content for m in admin.messages)
