"""Onboarding and account commands, driven through the emulator as a user would."""

from __future__ import annotations

import json

import pytest

from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said


@pytest.mark.parametrize(("lang", "telegram_lang"), [("en", "en"), ("es", "es-AR"), ("ru", "ru")])
async def test_onboarding_in_each_language(
    emulator: BotApiEmulator, bot: BotApplication, lang: str, telegram_lang: str
) -> None:
    user = emulator.add_user(first_name="Ana <b>", language_code=telegram_lang)
    await onboard(user, lang, role="broker", organisation="Pérez & Hijos <S.A.>")
    done = user.last
    assert done is not None and done.reply_keyboard == [
        [T(lang, "menu.report"), T(lang, "menu.myreports")],
        [T(lang, "menu.help")],
    ]
    greeting = user.messages[0]
    assert greeting.content.startswith(
        said(lang, "start.greeting", name="{name}").split("{name}")[0]
    )
    assert "Ana <b>" in greeting.content  # the user's name was escaped, so it shows as typed
    users = bot.bot_data["services"].users
    stored = await users.get(user.id)
    assert stored.onboarded and stored.language.value == lang
    assert stored.business_role.value == "broker" and stored.organisation == "Pérez & Hijos <S.A.>"
    menu = emulator.commands({"type": "chat", "chat_id": user.id})
    assert [c["command"] for c in menu][:2] == ["start", "report"]
    assert menu[1]["description"] == T(lang, "command.report")


async def test_language_menus_are_set_per_language(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    for lang in ("en", "es", "ru"):
        commands = emulator.commands(language_code=lang)
        assert {c["command"] for c in commands} >= {"start", "help", "report", "mydata"}
        assert commands[0]["description"] == T(lang, "command.start")


async def test_unsupported_telegram_language_falls_back_to_default(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Jean", language_code="fr")
    await user.send("/start")
    await user.wait_for_message(said("en", "onboarding.ask_language"))


async def test_wrong_input_during_onboarding_is_explained(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ivan", language_code="ru")
    await user.send("/start")
    await user.wait_for_message(said("ru", "onboarding.ask_language"))
    await user.send("привет")
    again = await user.wait_for_message(said("ru", "onboarding.error_choose_button"))
    assert said("ru", "onboarding.ask_language") in again.content  # the question, asked again
    await user.send_sticker()
    await user.wait_for_message(said("ru", "onboarding.error_choose_button"))
    await user.press(T("ru", "language.name").join(["• ", " •"]))
    await user.wait_for_message(said("ru", "onboarding.ask_role"))
    await user.press(T("ru", "role.trader"))
    await user.wait_for_message(said("ru", "onboarding.ask_organisation"))
    await user.send("x" * 300)
    await user.wait_for_message(said("ru", "onboarding.error_organisation_too_long", limit=200))
    await user.send_photo()
    await user.wait_for_message(said("ru", "onboarding.error_type_organisation"))
    await user.send("ООО «Вектор»")
    await user.wait_for_message(
        said("ru", "onboarding.saved_organisation", organisation="ООО «Вектор»")
    )


async def test_declining_privacy_keeps_asking(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Bo", language_code="en")
    await user.send("/start")
    for question, answer in [
        ("onboarding.ask_language", "• English •"),
        ("onboarding.ask_role", T("en", "role.other")),
        ("onboarding.ask_organisation", T("en", "button.skip")),
        ("onboarding.ask_size", T("en", "size.undisclosed")),
        ("onboarding.ask_women_led", T("en", "women_led.no")),
    ]:
        await user.wait_for_message(said("en", question))
        await user.press(answer)
    await user.wait_for_message(said("en", "onboarding.privacy_notice"))
    await user.press(T("en", "onboarding.privacy_decline"))
    await user.wait_for_message(said("en", "onboarding.privacy_declined"))
    await user.wait_for_message(said("en", "onboarding.privacy_notice"))
    await user.send("hello?")
    await user.wait_for_message(said("en", "onboarding.error_choose_button"))


async def test_help_depends_on_role(emulator: BotApiEmulator, bot: BotApplication) -> None:
    trader = emulator.add_user(first_name="Tr", language_code="es")
    admin = emulator.add_user(first_name="Ad", language_code="en", id=ADMIN_ID)
    await onboard(trader, "es")
    await onboard(admin, "en")
    await trader.send("/help")
    text = (await trader.wait_for_message(said("es", "help.intro_user"))).content
    assert "/report" in text and T("es", "command.mydata") in text
    await admin.send("/help")
    await admin.wait_for_message(said("en", "help.intro_admin"))


async def test_language_command_switches_language_and_menu(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Lu", language_code="en")
    await onboard(user, "en")
    await user.send("/language")
    await user.wait_for_message(said("en", "language.choose"))
    await user.press("Español")
    await user.wait_for_message(said("es", "language.changed", language="Español"))
    await user.send("/help")
    await user.wait_for_message(said("es", "help.intro_user"))
    menu = emulator.commands({"type": "chat", "chat_id": user.id})
    assert menu[0]["description"] == T("es", "command.start")


async def test_stop_then_start_turns_notices_back_on(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Lu", language_code="en")
    await onboard(user, "en")
    await user.send("/stop")
    await user.wait_for_message(said("en", "notices.stopped"))
    assert not (await bot.bot_data["services"].users.get(user.id)).notices_enabled
    await user.send("/start")
    await user.wait_for_message(said("en", "notices.resumed"))
    await user.wait_for_message(said("en", "start.welcome_back", name="Lu"))
    assert (await bot.bot_data["services"].users.get(user.id)).notices_enabled


async def test_mydata_sends_everything_as_json(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="es")
    await onboard(user, "es", organisation="Café del Sur")
    await user.send("/mydata")
    message = await user.wait_for_document()
    assert message.document is not None and message.document.filename == "my-data.json"
    data = json.loads(message.document.data)
    assert data["user"]["id"] == user.id and data["user"]["organisation"] == "Café del Sur"
    assert data["reports"] == []


async def test_deletemydata_needs_confirmation_then_erases(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await onboard(user, "en")
    users = bot.bot_data["services"].users
    await user.send("/deletemydata")
    await user.wait_for_message(said("en", "erase.question"))
    await user.press(T("en", "erase.keep"))
    await user.wait_for_message(said("en", "erase.kept"))
    assert await users.get(user.id) is not None
    await user.send("/deletemydata")
    await user.wait_for_message(said("en", "erase.question"))
    await user.press(T("en", "erase.confirm"))
    await user.wait_for_message(said("en", "erase.done"))
    assert await users.get(user.id) is None


async def test_group_chat_points_to_private_chat(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    ana = emulator.add_user(first_name="Ana", language_code="en")
    group = emulator.add_group(title="Brokers", members=[ana])
    await ana.send("/start", chat=group)
    reply = await ana.wait_for_message(chat=group)
    assert f"https://t.me/{bot.bot.username}?start=" in reply.content
    assert await bot.bot_data["services"].users.get(ana.id) is None  # nothing stored from a group


async def test_unknown_command_and_stray_text(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Lu", language_code="en")
    await onboard(user, "en")
    await user.send("/frobnicate")
    await user.wait_for_message(said("en", "fallback.unknown_command"))
    await user.send_sticker()
    await user.wait_for_message(said("en", "fallback.not_understood"))
