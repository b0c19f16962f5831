"""Simulated users and groups, raw updates, and the raw HTTP surface of the emulator."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.sandbox import BotApiEmulator

from .conftest import TOKEN


async def test_wait_for_message_reads_each_message_once_in_order(
    bot: Bot, emu: BotApiEmulator
) -> None:
    ana = emu.add_user("Ana")
    first = await bot.send_message(ana.id, "one")
    await bot.send_message(ana.id, "two")
    await bot.edit_message_text("one (edited)", chat_id=ana.id, message_id=first.message_id)
    assert (await ana.wait_for_message()).text == "one"
    assert (await ana.wait_for_message()).text == "two"
    edit = await ana.wait_for_message()
    assert edit.edited and edit.text == "one (edited)" and edit.message_id == first.message_id
    assert [m.text for m in ana.messages] == ["one (edited)", "two"]


async def test_wait_for_message_timeout_shows_the_transcript(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await bot.send_message(ana.id, "Choose a language")
    with pytest.raises(AssertionError) as caught:
        await ana.wait_for_message("Welcome", timeout=0.05)
    report = str(caught.value)
    assert "no bot message containing 'Welcome' within 0.05 s" in report
    assert "'Choose a language'" in report


async def test_reply_keyboard_buttons_are_pressed_by_sending_their_text(
    bot: Bot, emu: BotApiEmulator
) -> None:
    ana = emu.add_user("Ana")
    keyboard = ReplyKeyboardMarkup(
        [["Trader", "Broker"], [KeyboardButton("Share phone", request_contact=True)]]
    )
    await bot.send_message(ana.id, "Who are you?", reply_markup=keyboard)
    sent = await ana.press("Trader")
    assert sent["text"] == "Trader"
    shared = await ana.press("Share phone")
    assert shared["contact"]["user_id"] == ana.id
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.text == "Trader"
    assert updates[1].message is not None and updates[1].message.contact is not None


async def test_non_text_input_deserialises_in_ptb(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await ana.send_sticker()
    await ana.send_voice(seconds=4)
    await ana.send_location(52.37, 4.89)
    first = await ana.send("typo")
    await ana.edit(first, "fixed")
    updates = await bot.get_updates()
    sticker, voice, location, _, edited = updates
    assert sticker.message is not None and sticker.message.sticker is not None
    assert voice.message is not None and voice.message.voice is not None
    assert voice.to_dict()["message"]["voice"]["duration"] == 4
    assert location.message is not None and location.message.location is not None
    assert edited.edited_message is not None and edited.edited_message.text == "fixed"


async def test_groups_follow_privacy_mode(bot: Bot, emu: BotApiEmulator) -> None:
    ana, bob = emu.add_user("Ana"), emu.add_user("Bob")
    group = emu.add_group("Brokers", members=[ana, bob])
    await ana.send("just chatting", chat=group)
    await ana.send("/report", chat=group)
    await bob.send("/report@some_other_bot", chat=group)
    await bob.send("hey @customs_feedback_bot", chat=group)
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["/report", "hey @customs_feedback_bot"]

    await bot.send_message(group.id, "Report received")
    assert (await group.wait_for_message("Report")).chat_id == group.id
    assert (await ana.wait_for_message("Report", chat=group)).text == "Report received"
    assert ana.messages == [] and [m.text for m in group.messages] == ["Report received"]
    chat = await bot.get_chat(group.id)
    assert chat.type == "supergroup" and chat.title == "Brokers"
    assert await bot.get_chat_member_count(group.id) == 3

    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "still here?")


async def test_a_channel_takes_posts_from_the_bot_only_as_its_admin(
    bot: Bot, emu: BotApiEmulator
) -> None:
    channel = emu.add_channel("Customs news", username="customs_news")
    posted = await bot.send_message(channel.id, "<b>Bulletin</b>", parse_mode="HTML")
    assert posted.chat.type == "channel" and posted.sender_chat is not None
    assert posted.sender_chat.id == channel.id and posted.from_user is None  # signed by the channel
    assert (await channel.wait_for_message("Bulletin")).chat_id == channel.id
    assert (await bot.get_chat("@customs_news")).type == "channel"

    reader = emu.add_channel("Not ours", bot_is_admin=False)
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await bot.send_message(reader.id, "hello")
    assert await bot.leave_chat(channel.id)
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await bot.send_message(channel.id, "still here?")


async def test_idle_waits_until_the_bot_has_finished(
    demo_app: Application,  # type: ignore[type-arg]
    emu: BotApiEmulator,
) -> None:
    users = [emu.add_user(f"U{i}") for i in range(3)]
    for user in users:
        await user.send(f"hello from {user.first_name}")
    await emu.idle(0.1)
    assert [emu.stats.sent_per_chat[u.id] for u in users] == [1, 1, 1]
    assert [m.text for m in emu.sent_to(users[2].id)] == ["hello from U2"]
    assert emu.stats.messages_sent == 3


async def test_raw_updates_and_helpers(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana", username="ana_p")
    raw = emu.push_update(
        {
            "message": {
                "message_id": 999,
                "date": 1_700_000_000,
                "chat": {"id": ana.id, "type": "private", "first_name": "Ana"},
                "from": ana.api(),
                "text": "crafted by hand",
            }
        }
    )
    update = (await bot.get_updates())[0]
    assert update.update_id == raw["update_id"]
    assert update.message is not None and update.message.text == "crafted by hand"
    await bot.send_chat_action(ana.id, ChatAction.TYPING)
    assert emu.chat_actions(ana) == ["typing"]
    info = await bot.get_chat(ana.id)
    assert info.username == "ana_p" and info.type == "private"
    member = await bot.get_chat_member(ana.id, ana.id)
    assert member.status == "member"


async def test_forward_and_copy_messages(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    staff = emu.add_group("Customs staff", members=[emu.add_user("Officer")])
    feedback = await ana.send("The border queue took 3 hours")
    forwarded = await bot.forward_message(staff.id, ana.id, feedback["message_id"])
    assert forwarded.text == "The border queue took 3 hours"
    assert forwarded.forward_origin is not None
    copied = await bot.copy_message(staff.id, ana.id, feedback["message_id"])
    assert [m.message_id for m in staff.messages][-1] == copied.message_id
    assert emu.rejections == []


async def test_webhook_response_can_carry_a_method(emu: BotApiEmulator) -> None:
    from aiohttp import web

    ana = emu.add_user("Ana")

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "pong"})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with Bot(TOKEN, base_url=emu.base_url) as client:
            await client.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
            await ana.send("ping")
            assert (await ana.wait_for_message("pong")).text == "pong"
    finally:
        await runner.cleanup()


async def test_raw_http_accepts_json_query_and_form_bodies(emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    base = f"{emu.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{base}/SENDMESSAGE",
            json={"chat_id": ana.id, "text": "json", "reply_markup": {"remove_keyboard": True}},
        ) as response:
            body = await response.json()
            assert body["ok"] and body["result"]["text"] == "json"
        async with session.get(
            f"{base}/sendMessage", params={"chat_id": ana.id, "text": "qs"}
        ) as r:
            assert (await r.json())["result"]["chat"]["id"] == ana.id
        form = {"chat_id": str(ana.id), "text": "42", "disable_notification": "true"}
        async with session.post(f"{base}/sendMessage", data=form) as r:
            assert (await r.json())["result"]["text"] == "42"
        async with session.post(f"{base}/sendMessage", data={"chat_id": str(ana.id)}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        async with session.get(f"{emu.url}/nowhere") as r:
            assert r.status == 404
    assert [m.text for m in ana.messages] == ["json", "qs", "42"]
    assert ana.messages[-1].options == {"disable_notification": True}
    assert Update.de_json({"update_id": 1}, None).update_id == 1


async def test_idle_reports_updates_nobody_fetched(emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    await ana.send("is anyone polling?")
    with pytest.raises(AssertionError, match="1 update\\(s\\) not fetched yet"):
        await emu.idle(0.05, timeout=0.1)


async def test_text_mentions_carry_a_full_user(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana", username="ana_p")
    officer = emu.add_user("Olga")
    html = f'Your officer is <a href="tg://user?id={officer.id}">Olga</a>'
    sent = await bot.send_message(ana.id, html, parse_mode="HTML")
    mention = sent.entities[0]
    assert mention.type == "text_mention"
    assert mention.user is not None and mention.user.first_name == "Olga"


async def test_stopped_apps_leave_no_rejections_and_restart_cleanly(
    emu: BotApiEmulator,
) -> None:
    from .conftest import build_demo_app

    ana = emu.add_user("Ana")
    for round_ in range(2):
        app = build_demo_app(emu)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0)
            await ana.send(f"round {round_}")
            assert (await ana.wait_for_message(f"round {round_}")).text == f"round {round_}"
            await app.updater.stop()
            await app.stop()
    assert emu.rejections == []
    assert len(ana.messages) == 2
