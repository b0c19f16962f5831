"""Invite links live only while their maker may invite; admins see and cancel outstanding ones,
and the maker hears who used theirs."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.sandbox import BotApiEmulator, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, language_label, onboard, said, tap

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)


async def _invite_link(admin: SimUser, role: str, lang: str = "en") -> str:
    await admin.send("/team")
    await admin.wait_for_message(said(lang, "team.title"))
    await tap(admin, T(lang, f"team.invite_{role}"))
    message = await admin.wait_for_message("?start=join_")
    match = re.search(r"start=(join_[A-Za-z0-9_-]+)", message.content)
    assert match is not None
    return match.group(1)


def _staff(settings: Settings) -> dict[int, str]:
    with sqlite3.connect(settings.database_path) as conn:
        rows = conn.execute("SELECT id, staff_role FROM users WHERE staff_role IS NOT NULL")
        return dict(rows.fetchall())


async def test_a_revoked_admins_invites_stop_working(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    ana = emulator.add_user(first_name="Ana", language_code="es")
    stranger = emulator.add_user(first_name="Mallory", language_code="en")
    await onboard(admin, "en")
    await onboard(stranger, "en")
    await ana.send(f"/start {await _invite_link(admin, 'admin')}")
    await ana.wait_for_message(said("es", "team.joined", role=T("es", "team.role_admin")))
    await admin.wait_for_message(
        said("en", "team.invite_redeemed", name="Ana", role=T("en", "team.role_admin"))
    )
    await onboard(ana, "es", staff=True)  # an invited admin: no trader questions
    link = await _invite_link(ana, "officer", "es")
    await admin.send("/team")
    team = await admin.wait_for_message(said("en", "team.invites_title"))
    assert "Ana" in team.content
    await tap(admin, T("en", "team.revoke", name="Ana"))
    await admin.wait_for_message(said("en", "team.revoked", role=T("en", "team.role_admin")))
    await stranger.send(f"/start {link}")
    await stranger.wait_for_message(said("en", "team.invite_cancelled"))
    assert _staff(bot_settings) == {}


async def test_admins_cancel_an_outstanding_invite(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    stranger = emulator.add_user(first_name="Mallory", language_code="ru")
    await onboard(admin, "en")
    link = await _invite_link(admin, "officer")
    await admin.send("/team")
    team = await admin.wait_for_message(said("en", "team.invites_title"))
    assert "Olga" in team.content and T("en", "team.role_officer") in team.content
    label, data = next(
        (button["text"], button["callback_data"])
        for row in (team.reply_markup or {})["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("tm:cx:")
    )
    await tap(admin, label)
    await admin.wait_for_message(said("en", "team.invite_cancelled_done"))
    await stranger.send(f"/start {link}")
    await stranger.wait_for_message(said("ru", "team.invite_cancelled"))
    assert _staff(bot_settings) == {}
    # pressed again, the cancel button says the invite is gone
    await admin.press_forged(data)
    await admin.wait_for_message(said("en", "team.error_invite_gone"))


async def test_an_invited_officer_skips_the_traders_questions(
    emulator: BotApiEmulator, bot: BotApplication, bot_settings: Settings
) -> None:
    admin = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    pablo = emulator.add_user(first_name="Pablo", language_code="es")
    await onboard(admin, "en")
    await pablo.send(f"/start {await _invite_link(admin, 'officer')}")  # new: joins, onboards
    await pablo.wait_for_message(said("es", "team.joined", role=T("es", "team.role_officer")))
    await admin.wait_for_message(
        said("en", "team.invite_redeemed", name="Pablo", role=T("en", "team.role_officer"))
    )
    await pablo.wait_for_message(said("es", "onboarding.ask_language"))
    await pablo.press(language_label("es", "es"))
    await pablo.wait_for_message(said("es", "onboarding.ask_organisation"))
    await pablo.press(T("es", "button.skip"))
    await pablo.wait_for_message(said("es", "onboarding.privacy_notice"))
    await pablo.press(T("es", "onboarding.privacy_accept"))
    await pablo.wait_for_message(said("es", "onboarding.done"))
    asked = " ".join(m.content for m in pablo.messages)
    for question in ("onboarding.ask_role", "onboarding.ask_size", "onboarding.ask_women_led"):
        assert said("es", question)[:30] not in asked, question
    with sqlite3.connect(bot_settings.database_path) as conn:
        profile = conn.execute(
            "SELECT business_role, business_size, women_led, staff_role FROM users WHERE id = ?",
            (pablo.id,),
        ).fetchone()
    assert profile == (None, None, None, "officer")
