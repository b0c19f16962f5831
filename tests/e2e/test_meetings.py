"""Consultation meetings in Telegram: an officer schedules one, the invited answer with the
buttons and get a calendar file, changes and cancellation reach those who answered, forged
presses are refused; minutes with action items, and reporters told the outcome."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.container import Services
from bot.meetings.model import MeetingDetails
from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from bot.sandbox.messaging import message_api
from bot.sandbox.state import CallbackQueryState
from config.settings import Settings
from handlers.kit.context import BotApplication
from handlers.meetings.jobs import wake
from storage.db import Database
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, run_due_jobs, said, tap, wait_until
from tests.fakes import Clock
from tests.meetings.helpers import add_report

MADRID = ZoneInfo("Europe/Madrid")


def forge_press(emulator: BotApiEmulator, user: SimUser, data: str) -> None:
    """Send the bot a button press with any callback data, as a modified client could."""
    world = emulator.world
    message = world.chat_messages(user.id)[-1]
    query_id = world.new_callback_id()
    world.callback_queries[query_id] = CallbackQueryState(
        query_id, user.id, user.id, message.message_id, data, "forged", time.monotonic()
    )
    query: dict[str, Any] = {
        "id": query_id,
        "from": user.api(),
        "message": message_api(world, message),
        "chat_instance": "1",
        "data": data,
    }
    user._last_query = query_id  # so that wait_for_callback_answer() waits for this one
    emulator.push_update({"callback_query": query})


def event_of(message: BotMessage) -> Any:
    """Return the one event of a calendar file (parsed with the icalendar library)."""
    assert message.document is not None and (message.document.filename or "").endswith(".ics")
    return Calendar.from_ical(message.document.data).walk("VEVENT")[0]


def rsvp_of(database: Path, meeting_id: int, user_id: int) -> str | None:
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT answer FROM meeting_rsvps WHERE meeting_id = ? AND user_id = ?",
            (meeting_id, user_id),
        ).fetchone()
    return row[0] if row else None


def services_of(app: BotApplication) -> Services:
    return app.bot_data["services"]  # type: ignore[no-any-return]


async def test_schedule_answer_change_and_cancel(
    emulator: BotApiEmulator, make_settings: SettingsFactory, start_bot: Callable[..., Any]
) -> None:
    settings: Settings = make_settings(
        bot_api_url=emulator.base_url, admin_ids=str(ADMIN_ID), timezone="Europe/Madrid"
    )
    await start_bot(settings)
    officer = emulator.add_user(first_name="Sam", language_code="en", id=ADMIN_ID)
    lucia = emulator.add_user(first_name="Lucía", language_code="es")
    tom = emulator.add_user(first_name="Tom", language_code="en")
    dmitri = emulator.add_user(first_name="Dmitri", language_code="ru")
    await onboard(officer, "en")
    await onboard(lucia, "es", organisation="Andina Comercial")
    await onboard(tom, "en", organisation=None)
    await onboard(dmitri, "ru", role="broker")
    pia = emulator.add_user(first_name="Pia", language_code="en")
    await onboard(pia, "en")
    emulator.faults.fail_next(  # she blocked the bot since: her invitation gets a 403
        "sendMessage", 403, description="Forbidden: bot was blocked by the user", chat_id=pia.id
    )
    emulator.faults.fail_next("sendMessage", 502, chat_id=tom.id)  # retried: it surely failed
    menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": officer.id})]
    assert {"meetings", "newmeeting", "actions"} <= set(menu)

    # The officer fills in the form; every step answered in turn.
    local = (datetime.now(MADRID) + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    await officer.send("/newmeeting")
    await officer.wait_for_message(said("en", "meeting.ask_title"))
    await officer.send("Release times at the port")
    await officer.wait_for_message("Europe/Madrid")
    await officer.send(f"{local:%Y-%m-%d %H:%M}")
    await officer.wait_for_message(said("en", "meeting.ask_place"))
    await officer.send("Customs House, room 2")
    await officer.wait_for_message(said("en", "meeting.ask_link"))
    await officer.send("https://meet.example.org/port")
    await officer.wait_for_message(said("en", "meeting.ask_agenda"))
    await officer.send("1. Scanner queues\n2. Weekend opening")
    await officer.wait_for_message(said("en", "meeting.ask_audience"))
    trader = T("en", "role.trader")
    await tap(officer, T("en", "meeting.audience.role", role=trader))
    await officer.wait_for_message(said("en", "meeting.ask_repeat"))
    await tap(officer, T("en", "meeting.repeat.none"))
    await officer.wait_for_message(said("en", "meeting.summary_new"))
    await tap(officer, T("en", "meeting.button_create"))
    await officer.wait_for_message("Release times at the port")

    # Traders are invited (with a calendar file); the broker is not.
    invitation = await lucia.wait_for_message(said("es", "meeting.invitation"), timeout=10)
    assert "Scanner queues" in invitation.content and "(Europe/Madrid)" in invitation.content
    event = event_of(await lucia.wait_for_document(timeout=10))
    assert event.decoded("dtstart") == local.astimezone(UTC)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["location"]) == "Customs House, room 2"
    await tom.wait_for_message(said("en", "meeting.invitation"), timeout=10)
    await tom.wait_for_document(timeout=10)
    invited = said("en", "meeting.invitation")
    assert len([m for m in tom.messages if invited in m.content]) == 1
    assert not emulator.faults.pending  # both faults were met
    meeting_id = int(event["uid"].split("@")[0].removeprefix("meeting-"))
    assert str(event["uid"]).endswith("@customs_feedback_bot.t.me")  # this deployment's UIDs
    await asyncio.sleep(0.5)
    with sqlite3.connect(settings.database_path) as conn:
        blocked = conn.execute("SELECT blocked_bot FROM users WHERE id = ?", (pia.id,)).fetchone()
        outcome = conn.execute(
            "SELECT d.outcome FROM meeting_deliveries d JOIN meeting_jobs j ON j.id = d.job_id"
            " WHERE j.kind = 'invite' AND d.user_id = ?",
            (pia.id,),
        ).fetchone()
    assert blocked == (1,) and outcome == ("blocked",)

    await tap(lucia, f"✅ {T('es', 'rsvp.button_attend')}")
    answer = await lucia.wait_for_callback_answer()
    assert answer.text is not None and T("es", "rsvp.attend") in answer.text
    await lucia.wait_for_message(said("es", "rsvp.yours", answer=f"✅ {T('es', 'rsvp.attend')}"))
    await tap(tom, f"🤔 {T('en', 'rsvp.button_maybe')}")
    await tom.wait_for_message(said("en", "rsvp.yours", answer=f"🤔 {T('en', 'rsvp.maybe')}"))

    # Forged presses: the broker was not invited; a trader is no officer.
    forge_press(emulator, dmitri, f"rsvp:{meeting_id}:attend")
    refused = await dmitri.wait_for_callback_answer()
    assert refused.show_alert and refused.text == T("ru", "rsvp.not_invited")
    forge_press(emulator, tom, f"mtg:cancelyes:{meeting_id}")
    refused = await tom.wait_for_callback_answer()
    assert refused.text == T("en", "access.officers_only")
    forge_press(emulator, tom, "mtgf:submit")
    assert (await tom.wait_for_callback_answer()).text == T("en", "access.officers_only")
    await tom.send("/newmeeting")
    await tom.wait_for_message(said("en", "access.officers_only"))
    database = settings.database_path
    assert rsvp_of(database, meeting_id, dmitri.id) is None
    await dmitri.send("/meetings")
    await dmitri.wait_for_message(said("ru", "meeting.list_empty"))
    assert not [m for m in dmitri.messages if m.document]

    await lucia.send("/meetings")
    listed = await lucia.wait_for_message(said("es", "meeting.list_title"))
    assert (
        "Release times at the port" in listed.content and T("es", "rsvp.attend") in listed.content
    )

    # The officer sees the answers and the organisations attending.
    await officer.send("/meetings")
    await officer.wait_for_message(said("en", "meeting.list_title"))
    await tap(officer, f"{local:%d.%m %H:%M} · Release times at the port")
    card = await officer.wait_for_message(said("en", "meeting.counts", attend=1, maybe=1, cannot=0))
    assert "Andina Comercial" in card.content

    # Moving the meeting: those who answered are told, with a new calendar file.
    moved = local + timedelta(days=1, hours=2)
    await tap(officer, T("en", "meeting.button_edit"))
    await officer.wait_for_message(said("en", "meeting.summary_edit"))
    await tap(officer, f"✏️ {T('en', 'meeting.field.when')}")
    await officer.send(f"{moved:%d.%m.%Y %H:%M}-13:30")
    await officer.wait_for_message(said("en", "meeting.summary_edit"))
    await tap(officer, T("en", "meeting.button_save"))
    fields = T("en", "meeting.field.when")
    await officer.wait_for_message(
        said("en", "meeting.updated", title="Release times at the port", fields=fields)
    )
    for user, lang in ((lucia, "es"), (tom, "en")):
        notice = await user.wait_for_message(T(lang, "meeting.field.when"), timeout=10)
        assert "Release times at the port" in notice.content
        event = event_of(await user.wait_for_document(timeout=10))
        assert event.decoded("dtstart") == moved.astimezone(UTC)
        assert event.decoded("dtend") == moved.replace(hour=13, minute=30).astimezone(UTC)
        assert int(event["sequence"]) == 1
    assert len([m for m in dmitri.messages if "Release" in m.content]) == 0

    # Cancelling: confirmed first, then everyone who answered is told.
    await officer.send("/meetings")
    await officer.wait_for_message(said("en", "meeting.list_title"))
    await tap(officer, f"{moved:%d.%m %H:%M} · Release times at the port")
    await officer.wait_for_message(said("en", "meeting.counts", attend=1, maybe=1, cannot=0))
    await tap(officer, T("en", "meeting.button_cancel"))
    await officer.wait_for_message("?")
    await tap(officer, T("en", "meeting.cancel_yes"))
    await officer.wait_for_message(
        said("en", "meeting.cancel_done", title="Release times at the port", count=2)
    )
    for user, lang in ((lucia, "es"), (tom, "en")):
        await user.wait_for_message(
            said(lang, "meeting.cancelled_notice", title="Release times at the port"), timeout=10
        )
    await lucia.press(f"❌ {T('es', 'rsvp.button_cannot')}", message=invitation)  # an old button
    late = await lucia.wait_for_callback_answer()
    assert late.text == T("es", "rsvp.cancelled")


async def test_minutes_action_items_and_the_outcome_told_to_reporters(
    emulator: BotApiEmulator, bot: BotApplication, clock: Clock
) -> None:
    app = bot
    lead = app.bot_data["settings"].agenda_pack_before
    officer = emulator.add_user(first_name="Sam", language_code="en", id=ADMIN_ID, username="sam")
    ana = emulator.add_user(first_name="Ana", language_code="es")
    boris = emulator.add_user(first_name="Boris", language_code="ru")
    await onboard(officer, "en")
    await onboard(ana, "es", organisation="Andina")
    await onboard(boris, "ru", organisation="Kedr")
    db: Database = app.bot_data["database"]
    hidden = await add_report(db, ana.id, "k1", anonymous=True)  # anonymous: never named
    named = await add_report(db, boris.id, "k2")

    services = services_of(app)
    start = clock.now.replace(microsecond=0) + lead + timedelta(days=1)
    await services.meetings.create(
        MeetingDetails(
            title="Scanner follow-up", starts_at=start, ends_at=start + timedelta(hours=1),
            zone="UTC", place="Room 1",
        ),
        officer.id,
    )  # fmt: skip
    wake(app)
    await ana.wait_for_message(said("es", "meeting.invitation"), timeout=10)
    await tap(ana, f"✅ {T('es', 'rsvp.button_attend')}")
    await ana.wait_for_callback_answer()
    database = app.bot_data["settings"].database_path

    def invited() -> bool:
        with sqlite3.connect(database) as conn:
            row = conn.execute("SELECT state FROM meeting_jobs WHERE kind = 'invite'").fetchone()
        return bool(row == ("done",))

    await wait_until(invited, 10, "the invitations to go out")  # nothing else is due yet

    # The agenda pack reaches the officer before the meeting: the two reports recur.
    clock.now = start - lead + timedelta(seconds=1)
    await run_due_jobs(app, clock)
    pack = await officer.wait_for_message(
        said("en", "agenda.title", title="Scanner follow-up"), timeout=15
    )
    assert said("en", "agenda.overdue", count=0) in pack.content
    assert "2 reports" in pack.content

    clock.now = start + timedelta(minutes=1)  # the meeting has begun: its minutes can be taken
    await officer.send("/meetings")
    await officer.wait_for_message(said("en", "meeting.list_title"))
    await tap(officer, f"{start:%d.%m %H:%M} · Scanner follow-up")
    await tap(officer, T("en", "meeting.button_minutes"))
    await officer.wait_for_message(said("en", "meeting.ask_minutes"))
    await officer.send("Agreed to open a second scanner lane.")
    await officer.wait_for_message(said("en", "meeting.ask_attendance"))
    await tap(officer, T("en", "meeting.attendance_from_rsvp", count=1))
    await officer.wait_for_message(said("en", "meeting.ask_organisations"))
    await tap(officer, T("en", "meeting.organisations_from_rsvp", count=1))
    await officer.wait_for_message(said("en", "meeting.ask_actions"))
    await officer.send("Open a second lane; @nobody; 2030-01-10")
    await officer.wait_for_message(said("en", "action.error_owner", owner="@nobody"))
    due = (clock.now + timedelta(days=10)).date()
    await officer.send(f"Open a second lane; @sam; {due}; {hidden.reference} {named.reference}")
    await officer.wait_for_message(said("en", "meeting.actions_so_far", count=1))
    await tap(officer, T("en", "meeting.actions_done"))
    review = await officer.wait_for_message(said("en", "meeting.review"))
    assert "Andina" in review.content and hidden.reference in review.content
    await tap(officer, T("en", "meeting.button_save_minutes"))
    await officer.wait_for_message(said("en", "meeting.minutes_saved", title="Scanner follow-up"))

    await officer.send("/actions")
    listing = await officer.wait_for_message(said("en", "action.list_title", count=1))
    assert "Open a second lane" in listing.content
    await tap(officer, "✅ 1. Open a second lane")
    await officer.wait_for_message(said("en", "action.ask_outcome", what="Open a second lane"))
    await officer.send("Lane 2 opened on weekdays from 1 December.")
    done = await officer.wait_for_message(
        said("en", "action.done_told", what="Open a second lane", count=2)
    )
    assert "Ana" not in done.content and "Boris" not in done.content
    told = await ana.wait_for_message(hidden.reference, timeout=10)
    assert "Lane 2 opened" in told.content and named.reference not in told.content
    told = await boris.wait_for_message(named.reference, timeout=10)
    assert hidden.reference not in told.content
    await officer.send("/actions")
    await officer.wait_for_message(said("en", "action.none_open"))
    assert not [m for m in officer.messages if "Lane 2 opened" in m.content]  # not a reporter

    # The outcome resolves the reports: the officer says so, each report follows, its reporter
    # is asked "Is it fixed?" in their language, and the record tells the whole story.
    await officer.press(T("en", "action.resolve_reports", count=2), message=done)
    await officer.wait_for_message(
        said("en", "action.reports_resolved", references="").split(":")[0]
    )
    await ana.wait_for_message(said("es", "followup.ask.fixed", reference=hidden.reference))
    await boris.wait_for_message(said("ru", "followup.ask.fixed", reference=named.reference))
    with sqlite3.connect(database) as conn:
        statuses = conn.execute("SELECT DISTINCT status FROM reports").fetchall()
    assert statuses == [("resolved",)]
    await boris.send("/myreports")
    await boris.wait_for_message(said("ru", "myreports.title", page=1, pages=1, total=1))
    await tap(boris, named.reference)
    record = await boris.wait_for_message(said("ru", "myreports.card_title", reference=""))
    assert "Lane 2 opened" in record.content and T("ru", "status.resolved") in record.content
