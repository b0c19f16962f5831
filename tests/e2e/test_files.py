"""Files are checked by their bytes: a program declared as a PDF is refused, and a name that
hides its real extension reaches officers cleaned, under a copy the bot made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import office_label, start_report, topic_label
from tests.e2e.test_followup import open_from_inbox

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DISGUISED = "invoice\u202efdp.exe"  # shows as "invoiceexe.pdf"


def _files(app: BotApplication) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(app.bot_data["settings"].database_path)) as conn:
        return conn.execute(
            "SELECT file_id, file_name, mime_type FROM report_attachments ORDER BY position"
        ).fetchall()


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
async def test_files_are_judged_by_their_content(
    emulator: BotApiEmulator, bot: BotApplication, lang: str
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code=lang)
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, lang)
    await onboard(officer, "en")
    await start_report(trader, lang, "suggestion")
    await trader.send("Please let us upload our invoices together with the declaration.")
    await tap(trader, topic_label(lang, "release_delays"))
    await trader.wait_for_message(said(lang, "report.ask_office"))
    await tap(trader, office_label(lang, "BORDER-NORTH"))
    await trader.wait_for_message(said(lang, "report.ask_attachments", maximum=5)[:30])
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00PE\x00\x00"
    await trader.send_document(program, filename="evil.exe", mime_type="application/pdf")
    await trader.wait_for_message(said(lang, "report.error_file_refused"))
    archive = b"PK\x05\x06" + bytes(18)  # an (empty) zip archive declared as a Word file
    await trader.send_document(archive, filename="letter.docx", mime_type="application/msword")
    await trader.wait_for_message(said(lang, "report.error_file_refused"))
    await trader.send_document(PDF, filename=DISGUISED, mime_type="application/pdf")
    copy = await trader.wait_for_document()
    assert copy.document is not None and copy.document.filename == "invoicefdp.exe.pdf"
    assert copy.document.data == PDF
    assert said(lang, "report.file_renamed", name="invoicefdp.exe.pdf") in copy.content
    await trader.wait_for_message(said(lang, "report.attachment_saved", count=1))
    assert _files(bot) == []  # still a draft
    await tap(trader, T(lang, "report.attachments_done", count=1))
    await tap(trader, T(lang, "report.anonymity_no"))
    await trader.wait_for_message(said(lang, "report.summary_title"))
    await tap(trader, T(lang, "report.submit"))
    prefix = said(lang, "report.confirm", reference="{r}", status="{s}").split("{r}")[0]
    confirmation = await trader.wait_for_message(prefix)
    reference = next(w for w in confirmation.content.split() if w.startswith("R-")).rstrip(".")
    (stored,) = _files(bot)
    assert stored[1:] == ("invoicefdp.exe.pdf", "application/pdf")
    assert stored[0] == copy.document.file_id  # the clean copy, not the disguised original
    await officer.send("/inbox")
    await open_from_inbox(officer, reference)
    received = await officer.wait_for_document()
    assert received.document is not None and received.document.filename == "invoicefdp.exe.pdf"
    assert "\u202e" not in "".join(m.content for m in officer.messages)
