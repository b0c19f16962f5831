"""/deletemydata end to end: after a report, a thread answer and a survey comment, nothing of the
trader is left in any table or database file; the report stays for Customs, without them."""

from __future__ import annotations

import pytest

from bot.app import DATABASE_KEY
from bot.reporting.model import Attachment
from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from storage.db import ERASED, Database
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit
from tests.e2e.test_followup import open_from_inbox
from tests.e2e.test_supporters import add_voice
from tests.erasure_scan import found_in_files, found_in_tables

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

ORGANISATION = "Quillfeather Logistics"
DESCRIPTION = "The container has been held at the port for nine days without a reason."
ANSWER = "Container MSCU7654321, declared on the third of November by marigold."
COMMENT = "Still held, the turquoise inspector never came."


async def test_deletemydata_leaves_nothing_of_the_trader_but_keeps_the_report(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(
        first_name="Zephyrine", last_name="Okonkwo", username="zephy_trades", language_code="en"
    )
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "en", organisation=ORGANISATION)
    await onboard(officer, "en")
    await start_report(trader, "en", "issue")
    await answer_until_summary(
        trader, "en", "issue", DESCRIPTION, office="PORT-MAIN", anonymous=False
    )
    reference = await submit(trader, "en", anonymous=False)

    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.reply"))
    await officer.wait_for_message(said("en", "followup.prompt_reply", reference=reference)[:30])
    await officer.send("Please send us the container number.")
    await officer.wait_for_message(said("en", "followup.done_reply", reference=reference))
    await trader.wait_for_message(
        said("en", "followup.notice.reply", reference=reference, text="")[:40]
    )
    await tap(trader, T("en", "followup.btn.answer"))
    await trader.wait_for_message(said("en", "myreports.ask_info", reference=reference))
    await trader.send(ANSWER)
    await trader.wait_for_message(said("en", "myreports.info_added", reference=reference))
    await officer.wait_for_message("MSCU7654321")
    await tap(officer, T("en", "inbox.open", reference=reference))
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))
    await tap(officer, T("en", "followup.btn.resolved"))
    await trader.wait_for_message(said("en", "followup.ask.fixed", reference=reference))
    await tap(trader, T("en", "survey.fixed_no"))
    await trader.wait_for_message(said("en", "survey.ask_rating"))
    await tap(trader, "2")
    await trader.wait_for_message(
        said("en", "survey.thanks_reopened", reference=reference, rating=2)
    )
    await trader.send(COMMENT)
    await trader.wait_for_message(said("en", "survey.comment_thanks"))

    db = bot.bot_data[DATABASE_KEY]
    assert isinstance(db, Database)
    personal = ["Zephyrine", "Okonkwo", "zephy_trades", ORGANISATION, str(trader.id)]
    personal += [ANSWER, "MSCU7654321", COMMENT]
    assert await found_in_tables(db, personal)  # the scans see them before

    await trader.send("/deletemydata")
    await trader.wait_for_message(said("en", "erase.question"))
    await trader.press(T("en", "erase.confirm"))
    await trader.wait_for_message(said("en", "erase.done"))

    assert await found_in_tables(db, personal) == []
    assert found_in_files(db.path, personal) == []
    kept = await db.fetch_one(
        "SELECT reporter_id, description FROM reports WHERE reference = ?", (reference,)
    )
    assert kept is not None and tuple(kept) == (None, DESCRIPTION)
    thread = await db.fetch_all(
        "SELECT author, body FROM report_messages m JOIN reports r ON r.id = m.report_id"
        " WHERE r.reference = ? ORDER BY m.id",
        (reference,),
    )
    assert [tuple(row) for row in thread] == [
        ("officer", "Please send us the container number."),
        ("reporter", ERASED),
    ]


SUPPORT = "Trucks held for days at the northern border crossing, no reason given, ours too."


async def test_deletemydata_erases_a_supporters_text_and_files_and_says_so_first(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    reporter = emulator.add_user(first_name="Ann", language_code="en")
    supporter = emulator.add_user(first_name="Wilhelmina", username="wil_freight")
    await onboard(reporter, "en")
    await onboard(supporter, "en", organisation=ORGANISATION)
    await start_report(reporter, "en", "issue")
    text = "Trucks held for days at the northern border crossing, no reason given."
    await answer_until_summary(reporter, "en", "issue", text)
    reference = await submit(reporter, "en")
    await add_voice(supporter, "en", SUPPORT, reference, anonymous=False, files=1)

    db = bot.bot_data[DATABASE_KEY]
    assert isinstance(db, Database)
    stored = await db.fetch_one("SELECT attachment FROM report_voice_attachments")
    assert stored is not None
    file_id = Attachment.model_validate_json(stored[0]).file_id
    personal = ["Wilhelmina", "wil_freight", ORGANISATION, str(supporter.id), SUPPORT, file_id]
    assert len(await found_in_tables(db, personal)) >= len(personal)  # seen before

    await supporter.send("/deletemydata")
    await supporter.wait_for_message(said("en", "erase.what_happens", reports=0, supports=1))
    await supporter.press(T("en", "erase.confirm"))
    await supporter.wait_for_message(said("en", "erase.done"))

    assert await found_in_tables(db, personal) == []
    assert found_in_files(db.path, personal) == []
    counted = await db.fetch_one("SELECT COUNT(*) FROM report_voices")
    assert counted is not None and counted[0] == 1  # the support still counts, anonymous
