"""An administration with 300 offices: traders find theirs by typing part of a name (in en, es
or ru, accents and case ignored), page through the list (their recent offices first), and
/subscribe finds offices the same way, all within Telegram's limits."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from handlers.kit.context import BotApplication
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import start_report
from tests.kit.office_lists import write_many_offices

DESCRIPTIONS = {
    "en": "The inspection of our refrigerated cargo took three whole days.",
    "es": "La inspección de nuestra carga refrigerada tardó tres días enteros.",
    "ru": "Досмотр нашего рефрижераторного груза занял целых три дня.",
}
# What each trader types, the button they then press (None: one match, taken), and its code.
SEARCHES = {
    "en": ("guapiles PORT", "Guápiles seaport", "P13-SEA"),
    "es": ("almacen limon", None, "P01-BW"),
    "ru": ("лимон склад", "Таможенный склад Лимон", "P01-BW"),
}


@pytest.fixture
async def big_bot(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    start_bot: Callable[..., Any],
    tmp_path: Path,
) -> BotApplication:
    """Run the bot of an administration with 300 offices."""
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        config_dir=write_many_offices(tmp_path / "offices300"),
    )
    app: BotApplication = await start_bot(settings)
    return app


def _office_of(app: BotApplication, trader: SimUser) -> object:
    path = Path(app.bot_data["settings"].database_path)
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT office FROM reports WHERE reporter_id = ? ORDER BY id DESC", (trader.id,)
        ).fetchone()
    return row[0] if row else None


def _buttons(message: BotMessage) -> list[str]:
    return [label for row in message.buttons for label in row]


async def _to_office_question(trader: SimUser, lang: str) -> BotMessage:
    await start_report(trader, lang, "issue")
    await trader.send(DESCRIPTIONS[lang])
    await trader.wait_for_message(said(lang, "report.ask_topic"))
    await tap(trader, T(lang, "report.topic_not_sure"))
    return await trader.wait_for_message(said(lang, "report.ask_office"))


async def _finish(trader: SimUser, lang: str) -> None:
    await tap(trader, T(lang, "report.date_yesterday"))
    await trader.wait_for_message(said(lang, "report.ask_attachments", maximum=5)[:30])
    await tap(trader, T(lang, "report.attachments_none"))
    await trader.wait_for_message(said(lang, "report.ask_anonymity")[:25])
    await tap(trader, T(lang, "report.anonymity_no"))
    await trader.wait_for_message(said(lang, "report.summary_title"))
    await tap(trader, T(lang, "report.submit"))
    await trader.wait_for_message(said(lang, "report.confirm", reference="{r}", status="{s}")[:8])


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
async def test_a_trader_finds_an_office_by_typing_part_of_its_name(
    emulator: BotApiEmulator, big_bot: BotApplication, lang: str
) -> None:
    trader = emulator.add_user(first_name="Ana", language_code=lang)
    await onboard(trader, lang)
    asked = await _to_office_question(trader, lang)
    assert len(_buttons(asked)) < 20  # a page, not 300 buttons
    assert said(lang, "offices.type_hint") in asked.content

    await trader.send("xyzzy")  # nothing by that name: said so, the list stays
    refused = await trader.wait_for_message(said(lang, "offices.no_match"))
    assert T(lang, "report.office_other") in _buttons(refused)

    typed, button, code = SEARCHES[lang]
    await trader.send(typed)
    if button is None:  # the one office that matches is taken, and named
        taken = await trader.wait_for_message(said(lang, "report.ask_date"))
        assert taken.content.startswith("📍"), taken.content
    else:
        matches = said(lang, "offices.matches", search="{s}", count=2)[:8]
        found = await trader.wait_for_message(matches)
        assert button in _buttons(found)
        await tap(trader, button)
        await trader.wait_for_message(said(lang, "report.ask_date"))
    await _finish(trader, lang)
    assert _office_of(big_bot, trader) == code


async def test_the_list_pages_with_the_traders_recent_offices_first(
    emulator: BotApiEmulator, big_bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(trader)
    first = await _to_office_question(trader, "en")
    assert ["◀️ 38", "2 ▶️"] in first.buttons and "(1/38)" in first.content
    assert "Peñas border post" in _buttons(first)  # the list in the administration's order
    await tap(trader, "2 ▶️")
    second = await trader.wait_for_message("(2/38)")
    assert ["◀️ 1", "3 ▶️"] in second.buttons
    assert "Peñas border post" not in _buttons(second)
    await tap(trader, "◀️ 1")
    await trader.wait_for_message("(1/38)")
    await tap(trader, "◀️ 38")  # from the first page to the last
    await trader.wait_for_message("(38/38)")
    await tap(trader, "Alajuela mountain pass")
    await trader.wait_for_message(said("en", "report.ask_date"))
    await _finish(trader, "en")

    again = await _to_office_question(trader, "en")
    assert again.buttons[0] == ["Alajuela mountain pass"]  # used last time: first
    assert _office_of(big_bot, trader) == "P19-PASS"


async def test_subscribe_finds_offices_the_same_way(
    emulator: BotApiEmulator, big_bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    await onboard(trader, "es")
    await trader.send("/subscribe zona franca peñas")  # accents or not, any case
    found = await trader.wait_for_message(said("es", "offices.matches", search="{s}", count=1)[:8])
    assert "✅ Zona franca Peñas" in _buttons(found)
    await tap(trader, "✅ Zona franca Peñas")  # untick it: notices about every other office
    await trader.wait_for_message(predicate=lambda m: "▫️ Zona franca Peñas" in _buttons(m))
    chosen = await big_bot.bot_data["services"].notices.subscription(trader.id)
    assert "P00-FZ" not in chosen.offices and len(chosen.offices) == 299

    await tap(trader, T("es", "subscribe.done"))
    await trader.wait_for_message("Sus avisos")
    await tap(trader, T("es", "subscribe.offices"))
    listed = await trader.wait_for_message("(1/38)")
    assert said("es", "subscribe.search_hint") in listed.content
    await tap(trader, "2 ▶️")
    second = await trader.wait_for_message("(2/38)")
    assert "▫️ Zona franca Peñas" not in _buttons(second)
    await tap(trader, "✅ Puesto fronterizo Zarcero")  # ticks stay on the page it is on
    await trader.wait_for_message(predicate=lambda m: "▫️ Puesto fronterizo Zarcero" in _buttons(m))


async def test_officers_pick_an_office_audience_by_page_or_by_name(
    emulator: BotApiEmulator, big_bot: BotApplication
) -> None:
    officer = emulator.add_user(first_name="Sam", language_code="en", id=ADMIN_ID)
    await onboard(officer, "en")
    await officer.send("/newmeeting")
    await officer.wait_for_message(said("en", "meeting.ask_title"))
    await officer.send("Queues at the free zones")
    await officer.wait_for_message(said("en", "meeting.ask_when", zone="{z}", example="{e}")[:10])
    await officer.send((datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 10:00"))
    await officer.wait_for_message(said("en", "meeting.ask_place"))
    await officer.send("Customs House, room 2")
    await officer.wait_for_message(said("en", "meeting.ask_link"))
    await officer.send("https://meet.example.org/fz")
    await officer.wait_for_message(said("en", "meeting.ask_agenda"))
    await officer.send("1. Queues")
    await officer.wait_for_message(said("en", "meeting.ask_audience"))
    await tap(officer, T("en", "meeting.audience.by_office"))
    await officer.wait_for_message("(1/38)")
    await tap(officer, "2 ▶️")
    await officer.wait_for_message("(2/38)")
    await officer.send("jaco FREE")  # part of a name: its matches
    found = await officer.wait_for_message(said("en", "offices.matches", search="{s}", count=1)[:8])
    assert "Jacó free zone" in _buttons(found)
    await tap(officer, "Jacó free zone")
    await officer.wait_for_message(said("en", "meeting.ask_repeat"))

    admin = officer
    await admin.send("/cancel")
    await admin.send("/broadcast")
    await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
    await admin.send("The free zones open on Sunday.")
    await admin.wait_for_message(said("en", "broadcast.ask_document"))
    await tap(admin, T("en", "button.skip"))
    await admin.wait_for_message("Written in: English")
    await tap(admin, T("en", "button.next"))
    await admin.wait_for_message("Who gets it?")
    await tap(admin, T("en", "broadcast.choose_button_offices"))
    await admin.wait_for_message("(1/38)")
    await admin.send("zona franca jaco")  # Spanish words find it too
    await admin.wait_for_message(said("en", "offices.matches", search="{s}", count=1)[:8])
    await tap(admin, "▫️ Jacó free zone")
    ticked = await admin.wait_for_message(predicate=lambda m: "✅ Jacó free zone" in _buttons(m))
    assert "(17/38)" in ticked.content  # back on the page that lists it
    await tap(admin, T("en", "broadcast.done"))
    audience = await admin.wait_for_message("Who gets it?")
    assert "Jacó free zone" in audience.content
