"""Restore against a real `feedback-bot run` process: refused while it runs, fine after a crash."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import BotApiEmulator
from storage.db import backup_database, integrity_check
from tests.e2e.process import BotProcess

pytestmark = pytest.mark.slow


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """Yield a running Bot API emulator."""
    async with BotApiEmulator() as emu:
        yield emu


async def feedback_bot(database: Path, *args: str) -> tuple[int, str]:
    """Run `python -m bot ARGS` on this database; return its exit code and its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(DATABASE_PATH=str(database), LOG_FORMAT="text", BOT_TOKEN="123:abc")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--env-file",
        "/nonexistent.env",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode()


def user_count(database: Path) -> int:
    """Return how many users the database at path knows."""
    conn = sqlite3.connect(database)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])
    finally:
        conn.close()


async def test_restore_waits_for_the_bot_to_stop_and_works_after_a_kill(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database, backup = tmp_path / "feedback.db", tmp_path / "backups" / "empty.db"
    bot = BotProcess(emulator, database)
    await bot.start()
    try:
        await asyncio.to_thread(backup_database, database, backup)
        trader = emulator.add_user(first_name="Ana", language_code="en")
        await trader.send("/start")
        await trader.wait_for_message(timeout=20)
        assert user_count(database) == 1

        code, said = await feedback_bot(database, "restore", str(backup))
        assert code == 1
        assert "Restore refused" in said and "in use" in said
        code, said = await feedback_bot(database, "run")
        assert code == 1
        assert "Not started" in said
        assert user_count(database) == 1
    finally:
        await bot.kill()

    code, said = await feedback_bot(database, "restore", str(backup))

    assert code == 0, said
    assert user_count(database) == 0
    assert integrity_check(database) == "ok"
    assert "Set aside" in said and "feedback.db.replaced-" in said
