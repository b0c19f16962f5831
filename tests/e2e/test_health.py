"""Health and metrics over real HTTP: /healthz in polling and webhook mode, /metrics moving,
and `feedback-bot health` in a real process asking the running bot."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import DATABASE_KEY
from bot.sandbox import BotApiEmulator
from config.settings import Settings
from handlers.kit.context import BotApplication
from handlers.kit.outbox import attempt
from storage.db import Database
from tests.conftest import SettingsFactory
from tests.e2e.conftest import ADMIN_ID, onboard, said
from tests.e2e.reporting import answer_until_summary, start_report, submit
from tests.e2e.test_webhook import SECRET, free_port

Sample = tuple[str, tuple[tuple[str, str], ...]]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Yield an HTTP client for the test's own requests."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def watched(make_settings: SettingsFactory, emulator: BotApiEmulator) -> Settings:
    """Return settings of a polling bot with its health and metrics listeners on free ports."""
    return make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        health_port=free_port(),
        metrics_port=free_port(),
    )


async def healthz(session: aiohttp.ClientSession, port: int) -> tuple[int, dict[str, Any]]:
    """GET /healthz; return the status and the JSON findings."""
    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, cast(dict[str, Any], await response.json())


async def scrape(session: aiohttp.ClientSession, port: int) -> dict[Sample, float]:
    """GET /metrics; return every sample's value by name and labels."""
    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict[Sample, float], name: str, **labels: str) -> float:
    """Return one sample's value (0 if it has not appeared yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def read_only(app: BotApplication) -> Database:
    """Return the bot's database (the test makes it refuse writes)."""
    return cast(Database, app.bot_data[DATABASE_KEY])


async def test_healthz_is_200_while_the_database_takes_writes_and_503_once_it_refuses(
    start_bot: Callable[..., Any], watched: Settings, session: aiohttp.ClientSession
) -> None:
    app: BotApplication = await start_bot(watched)
    assert watched.health_port is not None

    status, findings = await healthz(session, watched.health_port)
    assert status == 200
    assert findings["status"] == "ok"
    assert findings["database"] == {"writable": True, "error": None}
    assert 0 <= findings["telegram"]["last_success_age_seconds"] < 60
    assert findings["backlog"] == {"notice_copies_due": 0, "meeting_sends_due": 0}

    db = read_only(app)
    await db.execute("PRAGMA query_only = ON")  # as if the disk had been remounted read-only
    try:
        status, findings = await healthz(session, watched.health_port)
    finally:
        await db.execute("PRAGMA query_only = OFF")
    assert status == 503
    assert findings["status"] == "unhealthy"
    assert findings["database"]["writable"] is False
    assert "readonly" in findings["database"]["error"]

    status, _ = await healthz(session, watched.health_port)
    assert status == 200


async def test_the_webhook_server_answers_healthz_too(
    start_bot: Callable[..., Any],
    make_settings: SettingsFactory,
    emulator: BotApiEmulator,
    session: aiohttp.ClientSession,
) -> None:
    port = free_port()
    settings = make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        webhook_port=port,
    )
    app: BotApplication = await start_bot(settings)

    status, findings = await healthz(session, port)
    assert status == 200
    assert findings["telegram"]["ok"] is True  # a webhook bot's quiet hours are no illness
    assert findings["telegram"]["last_success_age_seconds"] is not None  # setWebhook

    db = read_only(app)
    await db.execute("PRAGMA query_only = ON")
    try:
        status, findings = await healthz(session, port)
    finally:
        await db.execute("PRAGMA query_only = OFF")
    assert status == 503
    assert findings["database"]["writable"] is False


async def test_metrics_count_updates_by_capability_reports_and_sends_by_outcome(
    start_bot: Callable[..., Any],
    watched: Settings,
    emulator: BotApiEmulator,
    session: aiohttp.ClientSession,
) -> None:
    app: BotApplication = await start_bot(watched)
    port = watched.metrics_port
    assert port is not None
    user = emulator.add_user(first_name="Mia", language_code="en")
    await onboard(user, "en")
    before = await scrape(session, port)
    assert value(before, "feedback_bot_database_up") == 1

    await user.send("/help")
    await user.wait_for_message(said("en", "help.intro_user")[:20])
    await start_report(user, "en", "issue")
    await answer_until_summary(user, "en", "issue", "Trucks wait three days at the north border.")
    await submit(user, "en")
    await attempt(app.bot.send_message(user.id, "A notice."))
    emulator.faults.fail_next(
        "sendMessage", 403, description="Forbidden: bot was blocked by the user", chat_id=user.id
    )
    await attempt(app.bot.send_message(user.id, "Nobody reads this."))

    after = await scrape(session, port)
    updates = "feedback_bot_updates_total"
    assert value(after, updates, capability="accounts", result="ok") > value(
        before, updates, capability="accounts", result="ok"
    )
    assert value(after, updates, capability="routing", result="ok") > value(
        before, updates, capability="routing", result="ok"
    )
    assert value(after, "feedback_bot_handler_seconds_count", capability="accounts") > 0
    assert value(after, "feedback_bot_reports", status="new") == 1
    assert value(after, "feedback_bot_reports_overdue") == 0
    assert value(after, "feedback_bot_notice_queue", state="pending") == 0
    for outcome in ("sent", "blocked"):
        sends = "feedback_bot_sends_total"
        assert value(after, sends, outcome=outcome) == value(before, sends, outcome=outcome) + 1


async def run_health(env: dict[str, str]) -> tuple[int, str]:
    """Run `feedback-bot health` in a real process; return its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--env-file",
        "/nonexistent.env",
        "health",
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HEALTH_")}, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_the_health_command_asks_the_running_bot_when_health_port_is_set(
    start_bot: Callable[..., Any], watched: Settings, tmp_path: Path
) -> None:
    app: BotApplication = await start_bot(watched)
    assert watched.health_port is not None
    env = {"DATABASE_PATH": str(tmp_path / "elsewhere.db"), "HEALTH_PORT": str(watched.health_port)}

    code, output = await run_health(env)
    assert code == 0, output
    assert '"status": "ok"' in output

    db = read_only(app)
    await db.execute("PRAGMA query_only = ON")
    try:
        code, output = await run_health(env)
    finally:
        await db.execute("PRAGMA query_only = OFF")
    assert code == 1
    assert '"writable": false' in output

    code, output = await run_health({**env, "HEALTH_PORT": str(free_port())})
    assert code == 1
    assert "bot not answering" in output
