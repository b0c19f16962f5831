"""Who may do what: every officer and admin command and button refused to traders, even with
forged callback data; invite links that work once and expire."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

from bot.sandbox import BotApiEmulator, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit
from tests.fakes import Clock


def _rows(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(settings.database_path) as conn:
        return conn.execute(sql, params).fetchall()


async def _filed(trader: SimUser) -> str:
    await start_report(trader, "es", "issue")
    await answer_until_summary(trader, "es", "issue", "Nos cobraron dos veces la tasa de servicio.")
    return await submit(trader, "es")


async def _invite_link(admin: SimUser, role: str) -> str:
    await admin.send("/team")
    await admin.wait_for_message(said("en", "team.title"))
    await tap(admin, T("en", f"team.invite_{role}"))
    message = await admin.wait_for_message("?start=join_")
    match = re.search(r"start=(join_[A-Za-z0-9_-]+)", message.content)
    assert match is not None
    return match.group(1)


async def test_traders_are_refused_every_officer_command_and_button(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "es")
    await onboard(admin, "en")
    reference = await _filed(trader)
    rid = _rows(bot_settings, "SELECT id FROM reports WHERE reference = ?", reference)[0][0]
    refused = said("es", "access.officers_only")

    for command in ("/inbox", f"/history {reference}", "/team", "/digest week",
                    f"/correct {reference} urgency=high"):  # fmt: skip
        await trader.send(command)
        await trader.wait_for_message(refused)
    forged = [
        f"ib:o:{rid}", "ib:p:|||:1", f"fu:me:{rid}", f"fu:as:{rid}", f"fu:at:{rid}:{trader.id}",
        f"fu:st:{rid}:resolved", f"fu:st:{rid}:rejected", f"fu:rp:{rid}", f"fu:ri:{rid}",
        f"fu:nt:{rid}", f"fu:rj:{rid}", f"fu:dp:{rid}", f"fu:hi:{rid}",
        "tm:in:admin", "tm:in:officer", f"tm:rv:{ADMIN_ID}",
    ]  # fmt: skip
    for data in forged:
        await trader.press_forged(data)
        answer = await trader.wait_for_callback_answer()
        assert answer.data == data
        admin_only = data.startswith("tm:")  # inviting and revoking need an admin
        await trader.wait_for_message(said("es", "access.admins_only") if admin_only else refused)
    await asyncio.sleep(0.3)
    report = _rows(bot_settings, "SELECT status, assigned_to FROM reports WHERE id = ?", rid)[0]
    assert report == ("new", None)
    assert _rows(bot_settings, "SELECT COUNT(*) FROM invites") == [(0,)]
    assert _rows(bot_settings, "SELECT COUNT(*) FROM report_messages") == [(0,)]
    assert _rows(bot_settings, "SELECT staff_role FROM users WHERE id = ?", trader.id) == [(None,)]
    refusals = _rows(bot_settings, "SELECT COUNT(*) FROM audit_log WHERE action = 'refused'")
    assert refusals[0][0] >= len(forged)
    # Typing after a forged prompt button is never taken as an officer's reply.
    await trader.send("Texto cualquiera")
    offer = await trader.wait_for_message(predicate=lambda message: True)
    assert "Texto cualquiera" not in offer.content or "funcionarios" not in offer.content
    assert _rows(bot_settings, "SELECT COUNT(*) FROM report_messages") == [(0,)]
    # Rating someone else's report is refused too.
    other = emulator.add_user(first_name="Eva", language_code="en")
    await onboard(other, "en")
    await other.press_forged(f"sv:r:{rid}:0:1")
    await other.wait_for_callback_answer()
    await other.wait_for_message(said("en", "access.officers_only"))
    assert _rows(bot_settings, "SELECT COUNT(*) FROM satisfaction WHERE rating IS NOT NULL") == [
        (0,)
    ]


async def test_an_officer_is_refused_admin_buttons(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    officer = emulator.add_user(first_name="Pablo", language_code="es")
    await onboard(admin, "en")
    await onboard(officer, "es")
    payload = await _invite_link(admin, "officer")
    await officer.send(f"/start {payload}")
    await officer.wait_for_message(said("es", "team.joined", role=T("es", "team.role_officer")))
    menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": officer.id})]
    assert {"inbox", "history", "team"} <= set(menu)
    await officer.send("/team")
    team = await officer.wait_for_message(said("es", "team.title"))
    assert "Pablo" in team.content and not (team.reply_markup or {}).get("inline_keyboard")
    for data in ("tm:in:admin", f"tm:rv:{ADMIN_ID}"):
        await officer.press_forged(data)
        await officer.wait_for_message(said("es", "access.admins_only"))
    assert _rows(bot_settings, "SELECT COUNT(*) FROM invites") == [(1,)]


async def test_invite_links_work_once(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    first = emulator.add_user(first_name="Ana", language_code="es")
    second = emulator.add_user(first_name="Iván", language_code="ru")
    await onboard(admin, "en")
    payload = await _invite_link(admin, "admin")
    await first.send(f"/start {payload}")  # not registered yet: joins, then onboards
    await first.wait_for_message(said("es", "team.joined", role=T("es", "team.role_admin")))
    await first.wait_for_message(said("es", "onboarding.ask_language"))
    await second.send(f"/start {payload}")
    await second.wait_for_message(said("ru", "team.invite_used"))
    await second.send("/start join_doesnotexist000000000")
    await second.wait_for_message(said("ru", "team.invite_unknown"))
    roles = dict(
        _rows(bot_settings, "SELECT id, staff_role FROM users WHERE staff_role IS NOT NULL")
    )
    assert roles == {first.id: "admin"}
    # The admin revokes the new admin, who loses the menu of officers.
    await admin.send("/team")
    await admin.wait_for_message(said("en", "team.title"))
    await tap(admin, T("en", "team.revoke", name="Ana"))
    await admin.wait_for_message(said("en", "team.revoked", role=T("en", "team.role_admin")))
    assert _rows(bot_settings, "SELECT staff_role FROM users WHERE id = ?", first.id) == [(None,)]


async def test_an_expired_invite_is_refused(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings, clock: Clock
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    late = emulator.add_user(first_name="Lena", language_code="en")
    await onboard(admin, "en")
    await onboard(late, "en")
    payload = await _invite_link(admin, "officer")
    clock.advance(bot_settings.invite_ttl.total_seconds() + 1)  # opened a moment too late
    await late.send(f"/start {payload}")
    await late.wait_for_message(said("en", "team.invite_expired"))
    assert _rows(bot_settings, "SELECT staff_role FROM users WHERE id = ?", late.id) == [(None,)]
