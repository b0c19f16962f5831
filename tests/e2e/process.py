"""Run `feedback-bot run` as a real process against the emulator, to stop, kill and restart it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox import BotApiEmulator

TOKEN = "123:abc"  # the acceptance command: BOT_TOKEN=123:abc BOT_API_URL=<emulator>/bot


class BotProcess:
    """One `python -m bot run` process."""

    def __init__(self, emulator: BotApiEmulator, database: Path, **env: str) -> None:
        self.emulator = emulator
        self.database = database
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.log = database.parent / "bot.log"

    async def start(self, ready_timeout: float = 30.0) -> None:
        """Start the bot and wait until it polls (or set its webhook)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            BOT_API_URL=self.emulator.base_url,  # the file URL follows it
            DATABASE_PATH=str(self.database),
            LOG_FORMAT="text",
            API_RATE_LIMIT="0",
            FLOOD_LIMIT="off",  # a test types faster than any person
            # These tests restart the bot again and again; sorting quality is tested in process
            # (the encoder costs a second of CPU at every start).
            SORTING_ENCODER="false",
        )
        env.update(self.env)  # the test's own settings win
        marker = len(self.emulator.calls)
        log = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            "/nonexistent.env",
            "run",
            env=env,
            stdout=log,
            stderr=log,
            stdin=asyncio.subprocess.DEVNULL,
        )
        log.close()
        wanted = "setwebhook" if "WEBHOOK_URL" in self.env else "deletewebhook"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ready_timeout
        while not any(c.method.lower() == wanted for c in self.emulator.calls[marker:]):
            if self.process.returncode is not None or loop.time() > deadline:
                raise AssertionError(f"bot did not start:\n{self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.05)

    async def terminate(self) -> int:
        """Stop with SIGTERM and return the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    async def kill(self) -> None:
        """Kill with SIGKILL, as a crash would."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def ensure_stopped(self) -> None:
        """Kill the process if a test left it running."""
        if self.process is not None and self.process.returncode is None:
            await self.kill()
