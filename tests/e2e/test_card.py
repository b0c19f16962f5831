"""The officer's card end to end: edited in place, files sent once with their captions, voice
notes and locations in reports, and officers replying to a specific file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from config import CONFIG_DIR
from handlers.kit.context import BotApplication
from tests.config.reference_files import write_reference_data
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, run_due_jobs, said, tap
from tests.e2e.reporting import office_label, start_report, submit, topic_label
from tests.e2e.test_followup import open_from_inbox
from tests.fakes import Clock

CAPTION = "El precinto del contenedor llegó roto; foto tomada en el muelle 3."
NORTH = (10.7, -85.6)  # the northern border crossing, in the test's offices


def shown_to(user: SimUser) -> list[BotMessage]:
    """Return the bot's messages in the user's chat that are still there (not deleted)."""
    return [message for message in user.messages if not message.deleted]


async def up_to_files(user: SimUser, lang: str, text: str, office: str = "PORT-MAIN") -> None:
    """Write an issue up to the files question."""
    await start_report(user, lang, "issue")
    await user.send(text)
    await tap(user, topic_label(lang, "release_delays"))
    await user.wait_for_message(said(lang, "report.ask_office"))
    await tap(user, office_label(lang, office))
    await tap(user, T(lang, "report.date_yesterday"))
    await user.wait_for_message(said(lang, "report.ask_attachments", maximum=5)[:30])


async def finish_report(user: SimUser, lang: str, files: int) -> str:
    """Close the files step, answer the anonymity question and send; return the reference."""
    await tap(user, T(lang, "report.attachments_done", count=files))
    await tap(user, T(lang, "report.anonymity_no"))
    await user.wait_for_message(said(lang, "report.summary_title"))
    return await submit(user, lang)


async def test_full_handling_edits_the_card_and_sends_the_photo_once_with_its_caption(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Lucía", language_code="es")
    officer = emulator.add_user(first_name="Olga", language_code="ru", id=ADMIN_ID)
    await onboard(trader, "es")
    await onboard(officer, "ru")
    await up_to_files(trader, "es", "El contenedor lleva nueve días retenido en el puerto.")
    await trader.send_photo(caption=CAPTION)
    await trader.wait_for_message(said("es", "report.attachment_saved", count=1))
    reference = await finish_report(trader, "es", 1)

    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("ru", "followup.card_title", reference=reference))
    photo = await officer.wait_for_message(predicate=lambda m: m.photo is not None)
    assert CAPTION in photo.content and reference in photo.content
    before = len(shown_to(officer))

    await tap(officer, T("ru", "followup.btn.take"))
    answer = await officer.wait_for_callback_answer()
    new = T("ru", "status.new")
    assert answer.text == said("ru", "followup.done_take", reference=reference, status=new)
    edited = await officer.wait_for_message("Olga")
    assert edited.message_id == card.message_id
    buttons = [b["text"] for row in (edited.reply_markup or {})["inline_keyboard"] for b in row]
    assert T("ru", "followup.btn.take") not in buttons  # she has it now

    await tap(officer, T("ru", "followup.btn.info"))
    await officer.wait_for_message(said("ru", "followup.prompt_info", reference=reference))
    await officer.send("¿Cuál es el número del contenedor?")
    await officer.wait_for_message(said("ru", "followup.done_info", reference=reference))
    await trader.wait_for_message("número del contenedor")
    await tap(officer, T("ru", "followup.btn.reply"))
    await officer.wait_for_message(said("ru", "followup.prompt_reply", reference=reference)[:40])
    await officer.send("Lo revisamos hoy en el muelle 3.")
    await officer.wait_for_message(said("ru", "followup.done_reply", reference=reference))
    await tap(officer, T("ru", "followup.btn.resolved"))
    await trader.wait_for_message(said("es", "followup.ask.fixed", reference=reference))
    resolved = f"{said('ru', 'field.status')}: {T('ru', 'status.resolved')}"
    await officer.wait_for_message(resolved)

    after = shown_to(officer)
    assert len(after) == before + 1  # one prompt-then-confirmation beside the card
    assert sum(1 for m in after if m.photo is not None) == 1  # the photo, once
    final = next(m for m in after if m.message_id == card.message_id)
    closed = [b["text"] for row in (final.reply_markup or {})["inline_keyboard"] for b in row]
    assert T("ru", "followup.btn.reopen") in closed
    assert not {T("ru", "followup.btn.take"), T("ru", "followup.btn.resolved")} & set(closed)
    assert "Lo revisamos hoy" in final.content  # the thread, in the edited card

    await tap(officer, T("ru", "followup.btn.files"))  # asked for: the files again
    await officer.wait_for_message(predicate=lambda m: m.photo is not None)

    # A reply to the file goes to the trader, naming the file and quoting its caption.
    await officer.send("La foto no muestra el número del precinto.", reply_to=photo)
    await officer.wait_for_message(said("ru", "followup.done_reply", reference=reference))
    about = await trader.wait_for_message("no muestra el número del precinto")
    assert said("es", "followup.file_reply", number=1) in about.content
    assert CAPTION in about.content


async def test_a_card_that_cannot_be_edited_is_sent_again(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en")
    await onboard(officer, "en")
    await up_to_files(trader, "en", "Trucks wait two days at the port gate.")
    await tap(trader, T("en", "report.attachments_none"))
    await tap(trader, T("en", "report.anonymity_no"))
    reference = await submit(trader, "en")
    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.note"))
    await officer.wait_for_message(said("en", "followup.prompt_note", reference=reference))
    emulator.world.messages[officer.id, card.message_id].deleted = True  # the officer deleted it
    await officer.send("Check with the port director.")
    await officer.wait_for_message(said("en", "followup.done_note", reference=reference))
    again = await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    assert again.message_id != card.message_id and "port director" in again.content
    assert [v.description for v in emulator.violations] == [
        "Bad Request: message to edit not found"
    ]
    emulator.rejections.clear()  # the one refusal this test provokes, answered by a new card


async def test_voice_note_and_location_reach_the_officer_and_the_nearest_office_is_offered(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    start_bot: Callable[..., Any],
    tmp_path: Path,
) -> None:
    offices = (CONFIG_DIR / "offices.toml").read_text(encoding="utf-8")
    offices = offices.replace(
        'code = "BORDER-NORTH"', f'code = "BORDER-NORTH"\nlat = {NORTH[0]}\nlon = {NORTH[1]}'
    ).replace('code = "PORT-MAIN"', 'code = "PORT-MAIN"\nlat = 9.99\nlon = -83.03')
    folder = write_reference_data(
        tmp_path / "geo", (CONFIG_DIR / "topics.toml").read_text(encoding="utf-8"), offices
    )
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        config_dir=folder,
    )
    await start_bot(settings)
    trader = emulator.add_user(first_name="Boris", language_code="ru")
    officer = emulator.add_user(first_name="Olga", language_code="es", id=ADMIN_ID)
    await onboard(trader, "ru")
    await onboard(officer, "es")
    await up_to_files(trader, "ru", "Фуры стоят на границе третий день.", office="PORT-MAIN")
    await trader.send_location(NORTH[0] + 0.01, NORTH[1] - 0.01)
    north = office_label("ru", "BORDER-NORTH")
    await trader.wait_for_message(said("ru", "report.location_saved", office=north))
    await tap(trader, T("ru", "report.use_nearest_office", office=north))
    await trader.send_voice(seconds=7)
    await trader.wait_for_message(said("ru", "report.attachment_saved", count=2))
    reference = await finish_report(trader, "ru", 2)

    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    card = await officer.wait_for_message(said("es", "followup.card_title", reference=reference))
    assert office_label("es", "BORDER-NORTH") in card.content
    assert "10.71000, -85.61000" in card.content
    links = [e.get("url", "") for e in card.entities if e.get("type") == "text_link"]
    assert any(link.startswith("https://www.openstreetmap.org/?mlat=10.71") for link in links)
    voice = await officer.wait_for_message(predicate=lambda m: "voice" in m.media)
    assert voice.media["voice"]["duration"] == 7 and "0:07" in voice.content
    assert sum(1 for m in shown_to(officer) if "voice" in m.media) == 1


async def test_a_voice_note_that_is_not_ogg_is_refused(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    await onboard(trader, "en")
    await up_to_files(trader, "en", "Trucks wait two days at the port gate.")
    await trader.send_voice(data=b"MZ\x90\x00 not a voice note")
    await trader.wait_for_message(said("en", "report.error_file_type"))


async def test_a_report_goes_to_its_topic_in_the_officers_forum_and_is_taken_there(
    emulator: BotApiEmulator, make_settings: SettingsFactory, start_bot: Callable[..., Any]
) -> None:
    officer = emulator.add_user(first_name="Olga", language_code="es", id=ADMIN_ID)
    stranger = emulator.add_user(first_name="Pat", language_code="en")
    trader = emulator.add_user(first_name="Boris", language_code="ru")
    group = emulator.add_group("Oficiales", [officer, stranger], forum=True, bot_is_admin=True)
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        officers_chat_id=str(group.id),
        default_language="es",
    )
    await start_bot(settings)
    for user, lang in ((officer, "es"), (stranger, "en"), (trader, "ru")):
        await onboard(user, lang)
    await up_to_files(trader, "ru", "Фуры стоят в порту третий день.")
    await trader.send_photo(caption="Очередь у ворот №2")
    await trader.wait_for_message(said("ru", "report.attachment_saved", count=1))
    reference = await finish_report(trader, "ru", 1)

    card = await group.wait_for_message(said("es", "followup.card_title", reference=reference))
    thread = int(card.options["message_thread_id"])
    assert emulator.world.chats[group.id].topics == {thread: topic_label("es", "release_delays")}
    photo = await group.wait_for_message(predicate=lambda m: m.photo is not None)
    assert int(photo.options["message_thread_id"]) == thread and "Очередь у ворот" in photo.content

    await stranger.press(T("es", "followup.btn.take"), chat=group)  # not an officer
    refused = await stranger.wait_for_callback_answer()
    assert refused.text == said("en", "access.officers_only")
    await officer.press(T("es", "followup.btn.take"), chat=group)
    taken = await officer.wait_for_callback_answer()
    new = T("es", "status.new")
    assert taken.text == said("es", "followup.done_take", reference=reference, status=new)
    edited = await group.wait_for_message("Olga")
    assert edited.message_id == card.message_id


async def test_a_scheduled_digest_goes_once_to_the_officers_group_not_to_each_officer(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    start_bot: Callable[..., Any],
    clock: Clock,
) -> None:
    officer = emulator.add_user(first_name="Olga", language_code="ru", id=ADMIN_ID)
    group = emulator.add_group("Oficiales", [officer])
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        officers_chat_id=str(group.id),
        default_language="es",
        digest_schedule="daily 07:00",
    )
    app = await start_bot(settings)
    await onboard(officer, "ru")
    clock.now = clock.now + timedelta(days=1, hours=1)
    assert any(name.startswith("digest") for name in await run_due_jobs(app, clock))
    chart = await group.wait_for_message(predicate=lambda m: m.photo is not None, timeout=30)
    assert chart.caption
    assert [m for m in group.messages if m.photo is not None] == [chart]
    assert not [m for m in officer.messages if m.photo is not None or m.document is not None]
