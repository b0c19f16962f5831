"""End-to-end tests of the Bot API emulator with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest, Conflict, EndPointNotFound, InvalidToken
from telegram.ext import Application

from bot.sandbox import BotApiEmulator

from .conftest import TOKEN


async def test_get_me_describes_the_bot_behind_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "customs_feedback_bot"
    assert me.first_name == "Customs Feedback Bot"


async def test_malformed_token_is_unauthorized(emu: BotApiEmulator) -> None:
    client = Bot("not-a-token", base_url=emu.base_url, base_file_url=emu.file_base_url)
    with pytest.raises(InvalidToken):
        await client.get_me()
    assert emu.rejections[-1].error_code == 401
    assert emu.rejections[-1].description == "Unauthorized"


async def test_unknown_method_is_not_found(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert emu.rejections[-1][2:4] == (404, "Not Found")


async def test_long_polling_waits_for_an_update_and_offset_confirms_it(
    bot: Bot, emu: BotApiEmulator
) -> None:
    ana = emu.add_user("Ana", "Pérez", "ana_p", "es")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done(), "getUpdates must hold the request while there is nothing to return"
    started = time.monotonic()
    await ana.send("hello")
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.text == "hello"
    assert message.from_user is not None and message.from_user.username == "ana_p"
    assert message.chat.id == ana.id and message.chat.type == "private"

    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id], "unconfirmed updates repeat"
    confirmed = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert confirmed == ()


async def test_commands_get_a_bot_command_entity(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await ana.send("/start payload")
    await ana.send("/start@customs_feedback_bot")
    updates = await bot.get_updates(timeout=1)
    first, second = (u.message for u in updates)
    assert first is not None and second is not None
    assert first.entities[0].type == "bot_command" and first.entities[0].length == 6
    assert second.entities[0].length == len("/start@customs_feedback_bot")


async def test_a_second_bot_instance_terminates_the_first_poller(
    bot: Bot, emu: BotApiEmulator
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=emu.base_url) as other_instance:
        second = asyncio.create_task(other_instance.get_updates(timeout=0))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()
    assert emu.violations[-1].error_code == 409


async def test_demo_app_reply_reaches_the_user(
    demo_app: Application,  # type: ignore[type-arg]
    emu: BotApiEmulator,
) -> None:
    ana = emu.add_user("Ana")
    await ana.send("hola")
    reply = await ana.wait_for_message("hola")
    assert reply.text == "hola"
    assert reply.reply_to_message_id is None, "PTB does not quote in private chats"
    assert ana.last == reply
    assert emu.stats.sent_per_chat[ana.id] == 1
    assert emu.rejections == []


async def test_inline_button_press_runs_the_callback_handler_and_edits(
    demo_app: Application,  # type: ignore[type-arg]
    emu: BotApiEmulator,
) -> None:
    ana = emu.add_user("Ana", language_code="es")
    await ana.send("/start")
    welcome = await ana.wait_for_message("Welcome")
    assert welcome.buttons == [["English", "Español"]]
    assert welcome.callback_data == {"English": "lang:en", "Español": "lang:es"}
    assert welcome.html == "<b>Welcome!</b> Choose a language:"

    query = await ana.press("Español")
    assert query["data"] == "lang:es"
    answer = await ana.wait_for_callback_answer()
    assert answer.text == "Language set to es"
    assert not answer.show_alert

    edited = await ana.wait_for_message("Language")
    assert edited.edited and edited.message_id == welcome.message_id
    assert edited.html == "Language: <i>es</i>"
    assert edited.buttons == [], "editMessageText without reply_markup drops the keyboard"
    current = ana.messages[-1]
    assert [old.content for old in current.edits] == ["Welcome! Choose a language:"]
    assert ana.callback_answers == [answer]
    assert [c.method for c in emu.calls if c.method == "answerCallbackQuery"] == [
        "answerCallbackQuery"
    ]
    assert emu.rejections == []


async def test_pressing_a_missing_button_fails_clearly(
    demo_app: Application,  # type: ignore[type-arg]
    emu: BotApiEmulator,
) -> None:
    ana = emu.add_user("Ana")
    await ana.send("/start")
    await ana.wait_for_message("Welcome")
    with pytest.raises(AssertionError, match=r"(?s)no button 'Deutsch'.*English"):
        await ana.press("Deutsch")


async def test_demo_app_round_trips_a_document(
    demo_app: Application,  # type: ignore[type-arg]
    emu: BotApiEmulator,
) -> None:
    ana = emu.add_user("Ana")
    payload = b"%PDF-1.7 customs declaration"
    await ana.send_document(payload, filename="invoice.pdf", mime_type="application/pdf")
    assert (await ana.wait_for_message("Got")).text == f"Got {len(payload)} bytes"
    echoed = await ana.wait_for_document()
    assert echoed.document is not None
    assert echoed.document.filename == "echo-invoice.pdf"
    assert echoed.document.data == payload
    await emu.idle(0.1)
    assert emu.rejections == []


class WebhookReceiver:
    """A tiny aiohttp server that records webhook POSTs."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], dict[str, object]]] = []
        self.received = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        self.received.set()
        return web.Response(status=self.status)

    async def __aenter__(self) -> WebhookReceiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_webhook_posts_updates_with_the_secret_header(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    async with WebhookReceiver() as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cr3t_T0ken-x")
        await ana.send("via webhook")
        await asyncio.wait_for(receiver.received.wait(), 5)
        headers, body = receiver.requests[0]
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cr3t_T0ken-x"
        assert headers["Content-Type"].startswith("application/json")
        update = Update.de_json(body, bot)
        assert update.message is not None and update.message.text == "via webhook"

        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0
        assert emu.webhook_deliveries[0].status == 200

        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()


async def test_webhook_failures_are_retried_and_recorded(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    emu.hub.webhook_retry_delay = 0.01
    async with WebhookReceiver(status=403) as receiver:
        await bot.set_webhook(receiver.url)
        await ana.send("rejected")
        await emu.idle(0.05)
        statuses = [d.status for d in emu.webhook_deliveries]
        assert statuses == [403] * (emu.hub.webhook_retries + 1)
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
        assert emu.stats.webhook_failures == len(statuses)


async def test_set_webhook_validates_the_secret_token(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="Secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token=TOKEN)
    assert emu.violations[-1].description == (
        "Bad Request: secret token contains unallowed characters"
    )


async def test_commands_are_stored_per_scope_and_language(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    english = [BotCommand("start", "Start"), BotCommand("feedback", "Send feedback")]
    spanish = [BotCommand("start", "Empezar"), BotCommand("feedback", "Enviar comentarios")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(spanish, language_code="es")
    assert await bot.set_my_commands(
        [BotCommand("admin", "Admin")], scope=BotCommandScopeChat(ana.id)
    )

    read_back = await bot.get_my_commands(language_code="es")
    assert [(c.command, c.description) for c in read_back] == [
        ("start", "Empezar"),
        ("feedback", "Enviar comentarios"),
    ]
    assert [c["command"] for c in emu.commands()] == ["start", "feedback"]
    assert emu.commands(language_code="es")[1]["description"] == "Enviar comentarios"
    assert emu.commands({"type": "chat", "chat_id": ana.id}) == [
        {"command": "admin", "description": "Admin"}
    ]
    assert await bot.delete_my_commands(language_code="es")
    assert emu.commands(language_code="es") == []


async def test_set_my_commands_rejects_invalid_commands(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "Capitalised")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([BotCommand("start", "")])
    with pytest.raises(BadRequest, match="Bot_commands_too_much"):
        await bot.set_my_commands([BotCommand(f"c{i}", "x") for i in range(101)])


async def test_menu_button_and_bot_texts(bot: Bot, emu: BotApiEmulator) -> None:
    from telegram import MenuButtonCommands, MenuButtonDefault

    ana = emu.add_user("Ana")
    assert await bot.set_chat_menu_button(ana.id, MenuButtonCommands())
    assert emu.menu_button(ana) == {"type": "commands"}
    assert isinstance(await bot.get_chat_menu_button(ana.id), MenuButtonCommands)
    assert await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
    assert emu.menu_button() == {"type": "default"}

    assert await bot.set_my_description("Feedback for Customs", language_code="en")
    assert (await bot.get_my_description("en")).description == "Feedback for Customs"
    assert (await bot.get_my_name()).name == "Customs Feedback Bot"
