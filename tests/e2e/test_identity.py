"""One administration's bot: its own offices and topics (CONFIG_DIR) and reference prefix."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.sandbox import BotApiEmulator
from tests.config.reference_files import write_reference_data
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, T, onboard, said, tap
from tests.e2e.reporting import start_report


async def test_a_custom_topics_file_and_prefix_work_end_to_end(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    start_bot: Callable[..., Any],
    tmp_path: Path,
) -> None:
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        config_dir=write_reference_data(tmp_path / "cr"),
        reference_prefix="gt",
    )
    await start_bot(settings)
    trader = emulator.add_user(first_name="Lucía", language_code="es")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    await onboard(trader, "es")
    await onboard(officer, "en")

    await start_report(trader, "es", "issue")
    await trader.send("Retuvieron plantas ornamentales tres días por un control fitosanitario.")
    asked = await trader.wait_for_message(said("es", "report.ask_topic"))
    assert ["Controles fitosanitarios"] in asked.buttons  # the topic the administration added
    await tap(trader, "Controles fitosanitarios")
    offices = await trader.wait_for_message(said("es", "report.ask_office"))
    assert any("Puesto fronterizo Peñas Blancas" in row for row in offices.buttons)
    await tap(trader, "Aeropuerto Internacional Juan Santamaría")
    await trader.wait_for_message(said("es", "report.ask_date"))
    await tap(trader, T("es", "report.date_yesterday"))
    await trader.wait_for_message(said("es", "report.ask_attachments", maximum=5)[:30])
    await tap(trader, T("es", "report.attachments_none"))
    await trader.wait_for_message(said("es", "report.ask_anonymity")[:25])
    await tap(trader, T("es", "report.anonymity_no"))
    summary = await trader.wait_for_message(said("es", "report.summary_title"))
    assert "Controles fitosanitarios" in summary.content
    await tap(trader, T("es", "report.submit"))
    prefix = said("es", "report.confirm", reference="{r}", status="{s}").split("{r}")[0]
    confirmation = await trader.wait_for_message(prefix)
    reference = f"GT-{datetime.now(UTC).year}-00001"
    assert re.search(rf"\b{reference}\b", confirmation.content), confirmation.content

    await officer.send(f"/history {reference.lower()}")  # typed as people type it
    await officer.wait_for_message(said("en", "history.empty", reference=reference))
