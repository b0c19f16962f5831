"""The real `feedback-bot run` process: restarts, kill -9, backups while busy, webhook secret."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox import BotApiEmulator
from tests.e2e.conftest import Processes, T, language_label, onboard, said, tap
from tests.e2e.reporting import office_label, topic_label

pytestmark = pytest.mark.slow


def _user_row(database: Path, user_id: int) -> tuple[object, ...] | None:
    with sqlite3.connect(database) as conn:
        row: tuple[object, ...] | None = conn.execute(
            "SELECT language, business_role, organisation, onboarding_step FROM users WHERE id = ?",
            (user_id,),
        ).fetchone()
    return row


async def test_kill_after_each_confirmed_step_loses_nothing(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    user = emulator.add_user(first_name="Olga", language_code="ru")
    bot = processes()
    await bot.start()
    await user.send("/start")
    await user.wait_for_message(said("ru", "onboarding.ask_language"))
    steps = [
        (language_label("es", "ru"), "onboarding.ask_role"),
        (T("es", "role.forwarder"), "onboarding.ask_organisation"),
        ("Transportes Olga", "onboarding.ask_size"),
        (T("es", "size.medium"), "onboarding.ask_women_led"),
        (T("es", "women_led.yes"), "onboarding.privacy_notice"),
    ]
    for number, (answer, next_question) in enumerate(steps):
        if answer.startswith(("•", "Transportes")) is False and number != 2:
            await user.press(answer)
        elif number == 2:
            await user.send(answer)
        else:
            await user.press(answer)
        await user.wait_for_message(said("es", next_question))
        # The bot confirmed the step by asking the next question: crash it now, or stop it.
        if number % 2 == 0:
            await bot.kill()
        else:
            assert await bot.terminate() == 0
        bot = processes()
        await bot.start()
        await user.send("/start")  # the user comes back: the same question is asked again
        await user.wait_for_message(said("es", next_question))
    await user.press(T("es", "onboarding.privacy_accept"))
    await user.wait_for_message(said("es", "onboarding.done"))
    await bot.kill()
    assert _user_row(bot.database, user.id) == ("es", "forwarder", "Transportes Olga", None)


async def test_restart_keeps_every_user(emulator: BotApiEmulator, processes: Processes) -> None:
    users = [
        emulator.add_user(first_name=f"U{i}", language_code=lang)
        for i, lang in enumerate(["en", "es", "ru"])
    ]
    bot = processes()
    await bot.start()
    for user, lang in zip(users, ["en", "es", "ru"], strict=True):
        await onboard(user, lang)
    assert await bot.terminate() == 0
    bot = processes()
    await bot.start()
    for user, lang in zip(users, ["en", "es", "ru"], strict=True):
        await user.send("/start")
        await user.wait_for_message(said(lang, "start.welcome_back", name=user.first_name))
    assert await bot.terminate() == 0


async def test_backup_while_users_onboard_is_valid(
    emulator: BotApiEmulator, processes: Processes, tmp_path: Path
) -> None:
    bot = processes()
    await bot.start()
    users = [emulator.add_user(first_name=f"B{i}", language_code="en") for i in range(12)]
    onboarding = asyncio.gather(*(onboard(user, "en") for user in users))
    copies = []
    for number in range(3):
        await asyncio.sleep(0.2)
        target = tmp_path / f"backup-{number}.db"
        backup = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            "/nonexistent.env",
            "backup",
            str(target),
            env={"DATABASE_PATH": str(bot.database), "PATH": "/usr/bin:/bin"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await backup.communicate()
        assert backup.returncode == 0, err.decode()
        assert b"integrity: ok" in out
        copies.append(target)
    await onboarding
    await bot.terminate()
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] <= len(users)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_listening(port: int, limit: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return


async def test_webhook_refuses_missing_or_wrong_secret(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    port = _free_port()
    secret = "s3cret-Token_value"
    url = f"http://127.0.0.1:{port}/telegram"
    bot = processes(WEBHOOK_URL=url, WEBHOOK_SECRET=secret, WEBHOOK_PORT=str(port))
    await bot.start()
    await _wait_listening(port)  # Telegram learns the URL a moment before the server listens
    intruder = emulator.add_user(first_name="Mallory", language_code="en")
    forged = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": intruder.id, "type": "private", "first_name": "Mallory"},
            "from": {"id": intruder.id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(
                url,
                data=json.dumps(forged),
                headers={"Content-Type": "application/json", **headers},
            ) as response:
                assert response.status == 403
    await asyncio.sleep(0.5)
    assert emulator.sent_to(intruder) == []  # nothing was processed
    # Updates that Telegram (the emulator) delivers with the secret are processed.
    user = emulator.add_user(first_name="Ana", language_code="es")
    await user.send("/start")
    await user.wait_for_message(said("es", "onboarding.ask_language"))
    assert await bot.terminate() == 0


async def test_report_draft_survives_kill_and_stop_at_every_step(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    user = emulator.add_user(first_name="Rosa", language_code="es")
    bot = processes()
    await bot.start()
    await onboard(user, "es")
    await user.send("/report")
    await user.wait_for_message(said("es", "report.ask_kind"))
    steps: list[tuple[str, str, str]] = [
        ("press", T("es", "kind.action_issue"), "report.ask_description_issue"),
        ("send", "Camión retenido dos días en el puerto principal.", "report.ask_topic"),
        ("press", topic_label("es", "release_delays"), "report.ask_office"),
        ("press", office_label("es", "PORT-MAIN"), "report.ask_date"),
        ("press", T("es", "report.date_today"), "report.ask_attachments"),
        ("photo", "", "report.attachment_saved"),
        ("press", T("es", "report.attachments_done", count=1), "report.ask_anonymity"),
        ("press", T("es", "report.anonymity_yes"), "report.summary_title"),
    ]
    for number, (action, value, confirmed) in enumerate(steps):
        if action == "press":
            await tap(user, value)
        elif action == "send":
            await user.send(value)
        else:
            await user.send_photo()
        expected = said("es", confirmed, count=1, maximum=5)[:25]
        await user.wait_for_message(expected)
        if number % 2:
            await bot.kill()
        else:
            assert await bot.terminate() == 0
        bot = processes()
        await bot.start()  # the trader simply carries on with the message in front of them
    await tap(user, T("es", "report.submit"))
    confirmation = await user.wait_for_message(
        said("es", "report.confirm_anonymous", reference="R", status="x")[:20]
    )
    await bot.kill()  # crash right after the confirmation
    bot = processes()
    await bot.start()
    await user.send("/myreports")
    await user.wait_for_message(said("es", "myreports.title", page=1, pages=1, total=1))
    await bot.terminate()
    with sqlite3.connect(bot.database) as conn:
        rows = conn.execute("SELECT reference, kind, office, anonymous FROM reports").fetchall()
        files = conn.execute("SELECT COUNT(*) FROM report_attachments").fetchone()
    assert len(rows) == 1 and rows[0][1:] == ("issue", "PORT-MAIN", 1)
    assert rows[0][0] in confirmation.content and files == (1,)
