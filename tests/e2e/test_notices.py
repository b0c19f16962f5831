"""Notices in Telegram: an admin writes, previews and confirms a notice in two languages; each
recipient gets their language and presses "Understood"; reach and the delivery report; /subscribe;
and /broadcast and every one of its buttons refused to anyone but an admin, forged presses too."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from bot.app import build_application, running
from bot.sandbox import BotApiEmulator, SimUser
from bot.sandbox.messaging import message_api
from bot.sandbox.state import CallbackQueryState
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap

NOTICE_EN = "Duty rates for coffee change on 1 March & the form C-2 is replaced."
NOTICE_ES = "Los aranceles del café cambian el 1 de marzo y el formulario C-2 se sustituye."


@pytest.fixture
def bot_settings(make_settings: SettingsFactory, emulator: BotApiEmulator) -> Settings:
    """Return settings pointing the bot at the emulator, with a fast notice rate."""
    return make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        notice_rate=50,
    )


async def write_notice(
    admin: SimUser, *, spanish: bool = True, period: str | None = None, pause: float = 0.0
) -> None:
    """Take the admin through /broadcast up to the confirmation (previews shown); `pause`
    is how long the admin reads each answer before acting, like a person."""

    async def act(action: Any) -> None:
        await asyncio.sleep(pause)
        await action

    await act(admin.send("/broadcast"))
    await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
    await act(admin.send(NOTICE_EN))
    await admin.wait_for_message(said("en", "broadcast.ask_document"))
    await act(tap(admin, T("en", "button.skip")))
    await admin.wait_for_message("Written in: English")
    if spanish:
        await act(tap(admin, "➕ Español"))
        await admin.wait_for_message(said("en", "broadcast.ask_variant", language="Español"))
        await act(admin.send(NOTICE_ES))
        await admin.wait_for_message("Written in: English, Español")
    await act(tap(admin, T("en", "button.next")))
    await admin.wait_for_message("Who gets it?")
    await act(tap(admin, T("en", "button.next")))
    await admin.wait_for_message(said("en", "broadcast.ask_period"))
    label = (
        T("en", "broadcast.comment_for", period=period)
        if period
        else T("en", "broadcast.no_comments")
    )
    await act(tap(admin, label))
    await admin.wait_for_message(said("en", "broadcast.ask_when"))
    await act(tap(admin, T("en", "broadcast.send_now")))
    await admin.wait_for_message("check and confirm", timeout=15)
    await asyncio.sleep(pause)


async def test_admin_broadcasts_a_notice_in_each_recipients_language(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    lucia = emulator.add_user(first_name="Lucía", language_code="es")
    dmitri = emulator.add_user(first_name="Dmitri", language_code="ru")
    quiet = emulator.add_user(first_name="Quiet", language_code="en")
    await onboard(admin, "en")
    for user, lang in ((lucia, "es"), (dmitri, "ru"), (quiet, "en")):
        await onboard(user, lang)
    await quiet.send("/stop")
    await quiet.wait_for_message(said("en", "notices.stopped"))

    await write_notice(admin)
    previews = [m for m in admin.messages if NOTICE_EN in m.content or NOTICE_ES in m.content]
    assert len(previews) == 2  # one per language, as recipients will see it
    confirm = admin.messages[-1]
    assert "Recipients now: 3" in confirm.content  # the admin, Lucía, Dmitri; not Quiet
    await tap(admin, T("en", "broadcast.send", count=3))
    await admin.wait_for_message("confirmed")

    spanish = await lucia.wait_for_message(NOTICE_ES, timeout=10)
    assert "Aviso de Aduanas" in spanish.content
    russian = await dmitri.wait_for_message(NOTICE_EN, timeout=10)  # no Russian text: English
    assert "Уведомление таможни" in russian.content  # header and buttons in Russian
    assert [b["text"] for b in russian.inline_keyboard[0]] == [T("ru", "notice.understood")]
    report = await admin.wait_for_message("Recipients: 3", timeout=15)
    assert (
        "Delivered: 3" in report.content and "Blocked the bot (now inactive): 0" in report.content
    )
    await asyncio.sleep(0.5)
    assert not [m for m in quiet.messages if NOTICE_EN in m.content]

    await lucia.press(T("es", "notice.understood"), message=spanish)
    answer = await lucia.wait_for_callback_answer()
    assert answer.text == T("es", "notice.acknowledged")
    await tap(admin, T("en", "broadcast.reach_button"))
    reach = await admin.wait_for_message("Reach of notice")
    assert "Understood: 1" in reach.content and "Delivered: 3" in reach.content


async def test_subscribe_narrows_topic_notices(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    await onboard(trader, "es")
    await trader.send("/subscribe")
    await trader.wait_for_message("Sus avisos")
    await tap(trader, T("es", "subscribe.topics"))
    topic = bot.bot_data["services"].notices.taxonomy.topics[0]
    await trader.wait_for_message(said("es", "subscribe.choose_topic"))
    await tap(trader, f"✅ {topic.name('es')}")  # untick one: all the others stay
    unticked = [f"▫️ {topic.name('es')}"]
    await trader.wait_for_message(predicate=lambda m: unticked in m.buttons)
    chosen = await bot.bot_data["services"].notices.subscription(trader.id)
    assert topic.code not in chosen.topics and len(chosen.topics) > 1
    await tap(trader, T("es", "subscribe.done"))
    await trader.wait_for_message("Sus avisos")
    await tap(trader, T("es", "subscribe.everything"))
    await asyncio.sleep(0.3)
    assert (await bot.bot_data["services"].notices.subscription(trader.id)).topics == ()


def forge_press(emulator: BotApiEmulator, user: SimUser, data: str) -> None:
    """Send the bot a button press with arbitrary callback data, as a modified client could."""
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
    emulator.push_update({"callback_query": query})


async def test_broadcast_and_its_buttons_are_refused_to_non_admins(
    emulator: BotApiEmulator, bot: BotApplication, start_bot: Callable[..., Any]
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    officer = emulator.add_user(first_name="Olga", language_code="ru")
    for user, lang in ((admin, "en"), (trader, "es"), (officer, "ru")):
        await onboard(user, lang)
    users = bot.bot_data["services"].users
    await users._store.update(officer.id, {"staff_role": "officer"})  # an officer is no admin
    await write_notice(admin, spanish=False)  # a real draft the forged presses aim at

    for user, lang in ((trader, "es"), (officer, "ru")):
        await user.send("/broadcast")
        await user.wait_for_message(said(lang, "broadcast.admins_only"))
        for data in (
            "bc:confirm", "bc:cancel", "bc:go:audience", "bc:tog:roles:0", "bc:dim:topics",
            "bc:everyone", "bc:period:60", "bc:now", "bc:later", "bc:skipdoc", "bc:lang:es",
            "bc:reach:1",
        ):  # fmt: skip
            forge_press(emulator, user, data)
            await emulator.idle(quiet=0.1)
            answer = user.callback_answers[-1]
            assert answer.text == T(lang, "broadcast.admins_only") and answer.show_alert, data
        menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": user.id})]
        assert "broadcast" not in menu
    draft = await bot.bot_data["services"].notice_composer.draft(ADMIN_ID)
    assert draft is not None and draft.status == "draft"  # nothing a forged press did stuck
    assert not [m for m in trader.messages if NOTICE_EN in m.content]
    menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": admin.id})]
    assert "broadcast" in menu


async def test_a_consultation_takes_comments_reminds_once_and_is_summarised(
    emulator: BotApiEmulator, make_settings: SettingsFactory, start_bot: Callable[..., Any]
) -> None:
    app: BotApplication = await start_bot(
        make_settings(
            bot_api_url=emulator.base_url,
            bot_api_file_url=emulator.file_base_url,
            admin_ids=str(ADMIN_ID),
            comment_periods="10s",
            comment_reminder="5s",
        )
    )
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    officer = emulator.add_user(first_name="Olga", language_code="ru")
    early = emulator.add_user(first_name="Early", language_code="en")
    late = emulator.add_user(first_name="Late", language_code="es")
    silent = emulator.add_user(first_name="Silent", language_code="en")
    for user, lang in ((admin, "en"), (officer, "ru"), (early, "en"), (late, "es"),
                       (silent, "en")):  # fmt: skip
        await onboard(user, lang)
    services = app.bot_data["services"]
    await services.users._store.update(officer.id, {"staff_role": "officer"})

    await write_notice(admin, spanish=False, period="10s")
    await tap(admin, T("en", "broadcast.send", count=5))
    notice = await early.wait_for_message(NOTICE_EN, timeout=10)
    assert "open for comments until" in notice.content
    await early.press(T("en", "consultation.comment"), message=notice)
    await early.wait_for_message(said("en", "consultation.ask_comment", number=1))
    complaint = "The new form C-2 is confusing and the deadline is far too short, please delay it."
    await early.send(complaint)
    await early.wait_for_message(said("en", "consultation.thanks", number=1))

    reminder = await late.wait_for_message("Recordatorio", timeout=20)  # the one reminder
    await silent.wait_for_message("Reminder", timeout=5)
    await late.press(T("es", "consultation.comment"), message=reminder)
    await late.wait_for_message(said("es", "consultation.ask_comment", number=1))
    praise = "Excelente cambio, gracias: el nuevo formulario agilizará mucho el despacho."
    await late.send(praise)
    await late.wait_for_message(said("es", "consultation.thanks", number=1))

    summary = await admin.wait_for_message("Consultation on notice #1 closed", timeout=30)
    assert "Comments: 2 from 2 of 5 recipients" in summary.content
    workbook = await admin.wait_for_document(timeout=10)
    assert workbook.document is not None and workbook.document.filename == "consultation-1.xlsx"
    await officer.wait_for_message("Обсуждение уведомления № 1 завершено", timeout=10)
    await officer.wait_for_document(timeout=10)

    book = openpyxl.load_workbook(io.BytesIO(workbook.document.data), read_only=True)
    header, *rows = book["Comments"].iter_rows(values_only=True)
    assert header[:4] == ("number", "submitted_local", "language", "topic")
    assert [row[-1] for row in rows] == [complaint, praise]
    sorting = services.sorting
    for row, text, lang in ((rows[0], complaint, "en"), (rows[1], praise, "es")):
        expected = await sorting.classify(text, lang)  # sorted like a report
        assert row[3] == expected.topic and row[5] == pytest.approx(expected.sentiment)
    assert {rows[0][6], rows[1][6]} == {"negative", "positive"}

    assert not [m for m in early.messages if "Reminder" in m.content]  # had commented
    assert len([m for m in silent.messages if "Reminder" in m.content]) == 1
    await silent.press(T("en", "consultation.comment"))
    answer = await silent.wait_for_callback_answer()
    assert answer.text == T("en", "consultation.closed", number=1) and answer.show_alert
    await asyncio.sleep(1)
    assert len([m for m in admin.messages if "closed" in m.content and "#1" in m.content]) == 1


async def test_a_notice_with_a_file_to_one_role(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    broker = emulator.add_user(first_name="Bruno", language_code="es")
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    await onboard(admin, "en")
    await onboard(broker, "es", role="broker")
    await onboard(trader, "es", role="trader")
    await admin.send("/broadcast")
    await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
    await admin.send("New <valuation> rules: see the file.")
    await admin.wait_for_message(said("en", "broadcast.ask_document"))
    await admin.send_document(b"%PDF-1.4 rules", filename="rules.pdf", mime_type="application/pdf")
    await admin.wait_for_message("Written in: English")
    await tap(admin, T("en", "button.next"))
    await admin.wait_for_message("Recipients now: 3")
    await tap(admin, T("en", "broadcast.choose_button_roles"))
    await admin.wait_for_message(said("en", "broadcast.choose_roles"))
    await tap(admin, f"▫️ {T('en', 'role.broker')}")
    await tap(admin, T("en", "broadcast.done"))
    await admin.wait_for_message("Recipients now: 1")
    await tap(admin, T("en", "button.next"))
    await tap(admin, T("en", "broadcast.no_comments"))
    await tap(admin, T("en", "broadcast.send_now"))
    confirm = await admin.wait_for_message("check and confirm", timeout=15)
    assert "File: rules.pdf" in confirm.content and "Roles: Customs broker" in confirm.content
    await tap(admin, T("en", "broadcast.send", count=1))
    copy = await broker.wait_for_document(timeout=10)
    assert copy.document is not None and copy.document.data == b"%PDF-1.4 rules"
    assert copy.caption is not None and "New <valuation> rules" in copy.caption  # escaped, kept
    await admin.wait_for_message("Recipients: 1", timeout=15)
    assert not [m for m in trader.messages if m.document is not None]


async def test_a_draft_survives_a_restart(emulator: BotApiEmulator, bot_settings: Settings) -> None:
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    async with running(build_application(bot_settings)):
        await onboard(admin, "en")
        await admin.send("/broadcast")
        await admin.wait_for_message(said("en", "broadcast.ask_text", language="English"))
        await admin.send(NOTICE_EN)
        await admin.wait_for_message(said("en", "broadcast.ask_document"))
    async with running(build_application(bot_settings)):
        await admin.send("/broadcast")
        resumed = await admin.wait_for_message(said("en", "broadcast.resumed", number=1))
        assert said("en", "broadcast.ask_document") in resumed.content
        await admin.send("/cancel")
        await admin.wait_for_message(said("en", "broadcast.cancelled"))
        await admin.send("/cancel")  # nothing of ours left: the report flow answers
        await admin.wait_for_message(said("en", "report.nothing_to_cancel"))


async def test_a_comment_can_be_cancelled_and_other_flows_win(
    emulator: BotApiEmulator, make_settings: SettingsFactory, start_bot: Callable[..., Any]
) -> None:
    app: BotApplication = await start_bot(
        make_settings(
            bot_api_url=emulator.base_url,
            bot_api_file_url=emulator.file_base_url,
            admin_ids=str(ADMIN_ID),
            comment_periods="1h",
        )
    )
    admin = emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    trader = emulator.add_user(first_name="Tomás", language_code="en")
    await onboard(admin, "en")
    await onboard(trader, "en")
    await write_notice(admin, spanish=False, period="1h")
    await tap(admin, T("en", "broadcast.send", count=2))
    notice = await trader.wait_for_message(NOTICE_EN, timeout=10)
    await trader.press(T("en", "consultation.comment"), message=notice)
    await trader.wait_for_message(said("en", "consultation.ask_comment", number=1))
    await trader.send("/cancel")
    await trader.wait_for_message(said("en", "consultation.cancelled"))
    await trader.send("The scanner at the northern border was down all morning.")
    await trader.wait_for_message(said("en", "report.offer"))  # not taken as a comment
    await trader.press(T("en", "consultation.comment"), message=notice)
    await trader.wait_for_message(said("en", "consultation.ask_comment", number=1))
    await trader.send("/report")  # a report started after pressing Comment takes the text
    await trader.wait_for_message("New report")
    await tap(trader, T("en", "kind.action_issue"))
    await trader.wait_for_message("Describe the problem")
    await trader.send("The scanner at the northern border was down all morning.")
    await trader.wait_for_message("Which topic")
    assert await app.bot_data["services"].notices.comments(1) == []
