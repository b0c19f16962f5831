"""Run the Bot API emulator standalone: ``python -m bot.sandbox --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.sandbox.emulator import BotApiEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox", description="Run the Telegram Bot API emulator."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=8081, help="port, 0 = any free (default: %(default)s)"
    )
    parser.add_argument("--username", default="customs_feedback_bot", help="the bot's username")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the emulator, print its URLs and serve until cancelled."""
    async with BotApiEmulator(args.host, args.port, bot_username=args.username) as emu:
        print(f"Bot API emulator listening on {emu.url}", flush=True)
        print(f"  base_url:      {emu.base_url}", flush=True)
        print(f"  file_base_url: {emu.file_base_url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Run the emulator until interrupted."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
