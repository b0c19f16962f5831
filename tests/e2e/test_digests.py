"""Digests in Telegram: /digest for officers (summary, picture, workbook, CSV, HTML, PDF),
refused to traders, and the scheduled digest delivered once across restarts."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.cli.digest import demo_data_command
from bot.digests.model import Period
from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from tests.e2e.conftest import ADMIN_ID, Processes, onboard, said

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _ids_in(database: Path, period: Period) -> list[str]:
    start, end = period.iso_bounds(UTC)
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT reference FROM reports WHERE created_at >= ? AND created_at < ?"
            " ORDER BY created_at, id",
            (start, end),
        ).fetchall()
    return [row[0] for row in rows]


async def _documents(user: SimUser, count: int) -> list[BotMessage]:
    return [await user.wait_for_document(timeout=30) for _ in range(count)]


async def test_officer_gets_summary_chart_workbook_and_csv(
    emulator: BotApiEmulator, bot_settings: Settings, start_bot: Callable[..., object]
) -> None:
    assert await demo_data_command(bot_settings.database_path, 600, 7, stdout=io.StringIO()) == 0
    await start_bot()  # type: ignore[misc]
    officer = emulator.add_user(first_name="Olga", language_code="es", id=ADMIN_ID)
    await onboard(officer, "es")
    menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": officer.id})]
    assert "digest" in menu

    await officer.send("/digest week")
    await officer.wait_for_message(said("es", "digest.preparing"))
    week = Period.week(datetime.now(UTC).date())
    title = said("es", "digest.title", start=week.start.isoformat(), end=week.last.isoformat())
    summary = await officer.wait_for_message(title, timeout=30)
    assert summary.text is not None and len(summary.text) <= 4096
    follow_up = await officer.wait_for_message(said("es", "digest.section.follow_up"))
    assert follow_up.text is not None and len(follow_up.text) <= 4096  # split, not cut
    chart = await officer.wait_for_message(predicate=lambda m: m.photo is not None, timeout=30)
    assert chart.photo is not None and chart.photo.data.startswith(PNG_MAGIC)
    xlsx, table, page, pdf = await _documents(officer, 4)
    assert xlsx.document is not None and xlsx.document.filename == f"digest-{week.key}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.document.data), read_only=True)
    assert {"KPIs", "Reports"} <= set(book.sheetnames)  # the figures, one row per report
    expected = _ids_in(bot_settings.database_path, week)
    assert expected, "the demo data has reports in the last complete week"
    header, *rows = book["Reports"].iter_rows(values_only=True)
    assert header[0] == said("es", "digest.col.reference")
    assert [row[0] for row in rows] == expected
    assert table.document is not None
    header, *lines = csv.reader(io.StringIO(table.document.data.decode("utf-8-sig")))
    assert header[0] == "reference" and [line[0] for line in lines] == expected
    printable = said("es", "digest.caption_printable", start=week.start.isoformat(),
                     end=week.last.isoformat())  # fmt: skip
    assert page.document is not None and page.document.filename == f"digest-{week.key}.html"
    assert page.caption == printable and title.split("</b>")[0][-10:] in page.document.data.decode()
    assert pdf.document is not None and pdf.document.data.startswith(b"%PDF-")
    assert pdf.document.filename == f"digest-{week.key}.pdf" and pdf.caption == printable


async def test_a_range_and_bad_periods(emulator: BotApiEmulator, bot: BotApplication) -> None:
    officer = emulator.add_user(first_name="Oleg", language_code="ru", id=ADMIN_ID)
    await onboard(officer, "ru")
    await officer.send("/digest 2026-13-01..2026-13-05")
    await officer.wait_for_message(said("ru", "period.bad_format"))
    await officer.send("/digest 2026-11-30..2026-11-01")
    await officer.wait_for_message(said("ru", "period.end_before_start"))
    await officer.send("/digest 2020-01-01..2026-01-01")
    await officer.wait_for_message(said("ru", "period.too_long", days=366))
    today = date.today()
    await officer.send(f"/digest {today - timedelta(days=2)}..{today}")
    await officer.wait_for_message(said("ru", "digest.preparing"))
    await officer.wait_for_message(said("ru", "digest.empty", previous=0), timeout=30)
    await _documents(officer, 2)


async def test_a_trader_is_refused(emulator: BotApiEmulator, bot: BotApplication) -> None:
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    await onboard(trader, "es")
    await trader.send("/digest week")
    await trader.wait_for_message(said("es", "access.officers_only"))
    await asyncio.sleep(0.5)
    assert not [m for m in trader.messages if m.photo or m.document]
    menu = [c["command"] for c in emulator.commands({"type": "chat", "chat_id": trader.id})]
    assert "report" in menu and "digest" not in menu


@pytest.mark.slow
async def test_scheduled_digest_arrives_once_across_restarts(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    # Due a few seconds after the officer onboards; due earlier, it is caught up at the restart.
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    env = {"DIGEST_SCHEDULE": f"daily {due:%H:%M:%S}", "DELIVERY_GRACE": "10m"}
    bot = processes(**env)
    try:
        await bot.start()
        await onboard(officer, "en")
        assert await bot.terminate() == 0  # stopped before the digest is due
        bot = processes(**env)
        await bot.start()
        chart = await officer.wait_for_message(predicate=lambda m: m.photo is not None, timeout=40)
        assert datetime.now(UTC) >= due
        assert chart.caption is not None
        await officer.wait_for_document(timeout=30)
        await officer.wait_for_document(timeout=30)
        await bot.kill()  # a crash after the digest went out
        bot = processes(**env)
        await bot.start()  # within the grace window: the run is caught up, and finds it sent
        await asyncio.sleep(3)
        photos = [m for m in officer.messages if m.photo is not None]
        assert len(photos) == 1
        yesterday = (due.date() - timedelta(days=1)).isoformat()  # what a daily digest covers
        title = said("en", "digest.title", start=yesterday, end=yesterday)
        assert len([m for m in officer.messages if title in (m.text or "")]) == 1
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_stopped()
