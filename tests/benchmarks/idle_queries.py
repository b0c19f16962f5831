"""Benchmark: SQL statements the bot runs per second while nothing is due (target 0).

The real application runs in this process against the Bot API emulator, with an empty
database; after it has settled, every statement on its SQLite connection is counted for a
while (SQLite's trace callback), so the figure covers every timer, loop and sweep.

    python tests/benchmarks/idle_queries.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.app import DATABASE_KEY, build_application, running
from bot.sandbox import BotApiEmulator
from config.settings import settings_from

SETTLE = 6.0  # seconds for the start-up jobs (rebuilds, recovery, the first draft sweep) to run


async def main() -> None:
    """Run the idle bot and print the statements it ran per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    seconds = parser.parse_args().seconds
    with tempfile.TemporaryDirectory() as folder:
        async with BotApiEmulator() as emu:
            settings = settings_from({
                "bot_token": "123456:TEST-token_abc", "database_path": Path(folder, "idle.db"),
                "log_format": "text", "api_rate_limit": 0, "bot_api_url": emu.base_url,
                "bot_api_file_url": emu.file_base_url, "admin_ids": "1",
            })  # fmt: skip
            async with running(build_application(settings)) as app:
                await asyncio.sleep(SETTLE)
                statements: list[str] = []
                connection = app.bot_data[DATABASE_KEY]._conn  # a benchmark: the raw connection
                await connection.set_trace_callback(statements.append)
                await asyncio.sleep(seconds)
                await connection.set_trace_callback(None)
    print(f"idle for {seconds:.0f} s: {len(statements)} SQL statements")
    print(f"statements per idle second: {len(statements) / seconds:.1f} (target 0)")
    for text in sorted(set(statements))[:8]:
        print("  ", " ".join(text.split())[:100])


if __name__ == "__main__":
    asyncio.run(main())
