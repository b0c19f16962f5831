"""Meeting reminders from the real `feedback-bot run` process, stopped and killed between them:
each reminder reaches every attending user exactly once, and one due while the bot was down
longer than the grace window is recorded as missed, per person."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.i18n import Translator
from bot.sandbox import BotApiEmulator, SimUser
from config.reference_data import load_taxonomy
from handlers.meetings.views import MeetingViews
from tests.e2e.conftest import ADMIN_ID, Processes, T, onboard, said, tap, wait_until

pytestmark = pytest.mark.slow
TITLE = "Weekly port consultation"
FIRST, SECOND, THIRD = 36, 24, 12  # seconds before the start: the three reminders
GRACE = 10  # seconds: DELIVERY_GRACE in this test (more than a slow start of the bot takes)
SETUP = 15  # seconds the officer has to create the meeting and the users to answer
ENV = {"MEETING_REMINDERS": f"{FIRST}s, {SECOND}s, {THIRD}s", "DELIVERY_GRACE": f"{GRACE}s"}


async def until(moment: datetime) -> None:
    """Sleep until a moment (UTC)."""
    await asyncio.sleep(max((moment - datetime.now(UTC)).total_seconds(), 0))


def reminder_text(lang: str, lead: int) -> str:
    """Return the first line of a reminder as the user reads it."""
    views = MeetingViews(Translator.from_directory(), load_taxonomy(), lang)
    return said(lang, "reminder.title", title=TITLE, lead=views.lead(lead))


def reminders(user: SimUser, lang: str, lead: int) -> int:
    """Count the reminders at one offset a user got."""
    text = reminder_text(lang, lead)
    return len([m for m in user.messages if text in m.content])


def deliveries(database: Path, lead: int) -> tuple[str, dict[int, str]]:
    """Return a reminder job's state and each recipient's outcome."""
    with sqlite3.connect(database) as conn:
        job_id, state = conn.execute(
            "SELECT id, state FROM meeting_jobs WHERE kind = 'reminder' AND lead = ?", (lead,)
        ).fetchone()
        rows = conn.execute(
            "SELECT user_id, outcome FROM meeting_deliveries WHERE job_id = ?", (job_id,)
        ).fetchall()
    return state, dict(rows)


async def recorded(database: Path, lead: int, people: int) -> None:
    """Wait until the outcome of a reminder is recorded for each recipient (just after the send)."""

    def done() -> bool:
        state, outcomes = deliveries(database, lead)
        return state == "done" and len(outcomes) == people

    await wait_until(done, 10, f"the {lead} s reminder's outcomes")


async def test_reminders_arrive_once_across_sigterm_and_kill(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    officer = emulator.add_user(first_name="Sam", language_code="en", id=ADMIN_ID)
    ana = emulator.add_user(first_name="Ana", language_code="es")  # attends
    tom = emulator.add_user(first_name="Tom", language_code="en")  # maybe
    olga = emulator.add_user(first_name="Olga", language_code="ru")  # cannot
    bot = processes(**ENV)
    await bot.start()
    for user, lang in ((officer, "en"), (ana, "es"), (tom, "en"), (olga, "ru")):
        await onboard(user, lang)

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=FIRST + SETUP)
    await officer.send("/newmeeting")
    await officer.wait_for_message(said("en", "meeting.ask_title"))
    for answer, question in (
        (TITLE, "meeting.ask_place"),
        ("Customs House, room 2", "meeting.ask_link"),
        ("https://meet.example.org/port", "meeting.ask_agenda"),
    ):
        if question == "meeting.ask_place":
            await officer.send(answer)
            await officer.wait_for_message("UTC")
            await officer.send(f"{start:%Y-%m-%d %H:%M:%S}")
        else:
            await officer.send(answer)
        await officer.wait_for_message(said("en", question))
    await tap(officer, T("en", "button.skip"))
    await tap(officer, T("en", "meeting.audience.everyone"))
    await officer.wait_for_message(said("en", "meeting.ask_repeat"))
    await tap(officer, T("en", "meeting.repeat.none"))
    await tap(officer, T("en", "meeting.button_create"))
    for user, lang, choice in ((ana, "es", "attend"), (tom, "en", "maybe"), (olga, "ru", "cannot")):
        await user.wait_for_message(said(lang, "meeting.invitation"), timeout=10)
        icon = {"attend": "✅", "maybe": "🤔", "cannot": "❌"}[choice]
        await tap(user, f"{icon} {T(lang, f'rsvp.button_{choice}')}")
        await user.wait_for_callback_answer()
    assert datetime.now(UTC) < start - timedelta(seconds=FIRST + 1), "setup took too long"

    # Down with SIGTERM across the first reminder, for longer than the grace window.
    assert await bot.terminate() == 0
    await until(start - timedelta(seconds=FIRST - GRACE - 2))
    bot = processes(**ENV)
    await bot.start()  # the first reminder is over 12 s late: recorded as missed, not sent

    await until(start - timedelta(seconds=SECOND))
    for user, lang in ((ana, "es"), (tom, "en")):
        message = await user.wait_for_message(reminder_text(lang, SECOND), timeout=15)
        assert "Customs House, room 2" in message.content
        assert "https://meet.example.org/port" in message.content
        assert f"{start:%H:%M}" in message.content and "(UTC)" in message.content
    await recorded(bot.database, SECOND, 2)
    await bot.kill()  # a crash after the second reminder went out
    bot = processes(**ENV)
    await bot.start()  # nothing is sent again

    await until(start - timedelta(seconds=THIRD + 6))
    assert await bot.terminate() == 0  # down when the third reminder falls due...
    await until(start - timedelta(seconds=THIRD))
    bot = processes(**ENV)
    await bot.start()  # ...and back within the grace window: it is sent late
    for user, lang in ((ana, "es"), (tom, "en")):
        await user.wait_for_message(reminder_text(lang, THIRD), timeout=15)
    await recorded(bot.database, THIRD, 2)
    await bot.kill()
    bot = processes(**ENV)
    await bot.start()
    await asyncio.sleep(2)  # the schedule rebuilt at start finds nothing left to send

    for user, lang in ((ana, "es"), (tom, "en")):
        got = [reminders(user, lang, lead) for lead in (FIRST, SECOND, THIRD)]
        assert got == [0, 1, 1], user
    assert not [m for m in olga.messages if "⏰" in m.content]  # she cannot come
    assert not [m for m in officer.messages if "⏰" in m.content]  # he did not answer
    assert await bot.terminate() == 0
    database = bot.database
    assert deliveries(database, FIRST) == ("missed", {ana.id: "missed", tom.id: "missed"})
    assert deliveries(database, SECOND) == ("done", {ana.id: "sent", tom.id: "sent"})
    assert deliveries(database, THIRD) == ("done", {ana.id: "sent", tom.id: "sent"})
