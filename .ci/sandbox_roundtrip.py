"""Smoke test of an installed wheel: the real bot answers /start through the emulator."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

import bot
from bot.app import build_application, running
from bot.sandbox import BotApiEmulator
from config.settings import settings_from


async def round_trip() -> str:
    """Start the emulator and the bot, send /start, return the bot's first answer."""
    with tempfile.TemporaryDirectory(prefix="wheel-smoke-") as folder:
        async with BotApiEmulator() as emulator:
            settings = settings_from(
                {
                    "bot_token": "123456:SMOKE-token",
                    "bot_api_url": emulator.base_url,
                    "bot_api_file_url": emulator.file_base_url,
                    "database_path": Path(folder) / "smoke.db",
                    "api_rate_limit": 0,
                    "log_format": "text",
                }
            )
            async with running(build_application(settings)):
                trader = emulator.add_user(first_name="Smoke", language_code="en")
                await trader.send("/start")
                answer = await trader.wait_for_message(timeout=20)
                return answer.text or ""


def main() -> int:
    """Run the round trip from the installed package (never the source tree)."""
    where = Path(bot.__file__).resolve()
    if "site-packages" not in where.parts:
        print(f"bot imported from {where}, not from an installed wheel", file=sys.stderr)
        return 1
    text = asyncio.run(round_trip())
    print(f"sandbox round trip: the bot answered /start with {text[:60]!r}")
    return 0 if text else 1


if __name__ == "__main__":
    sys.exit(main())
