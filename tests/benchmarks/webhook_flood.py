"""Benchmark: the webhook server's memory under parallel oversized requests without the secret.

The bot runs as its own process against the emulator (`feedback-bot run` with WEBHOOK_URL), or,
with `--ptb`, PTB's own webhook server (`Application.run_webhook`, what `run` used before). N
clients each stream a body of S MB with a wrong secret, sending on whatever the server answers
(an attacker does not stop). Figures: the server process's resident memory before, its peak
(VmHWM) after, and how many requests got an answer.

    python tests/benchmarks/webhook_flood.py [--ptb] [--clients 20] [--mb 5]

`--ptb` needs tornado (`pip install "python-telegram-bot[webhooks]"`); the bot no longer does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.sandbox import BotApiEmulator
from tests.e2e.process import TOKEN, BotProcess

SECRET = "benchmark_secret"
PIECE = b"x" * 65536
ROOT = str(Path(__file__).resolve().parents[2])
PTB_SERVER = f"""
import sys
from telegram.ext import Application
api, url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = Application.builder().token({TOKEN!r}).base_url(api).base_file_url(api).build()
app.run_webhook(listen="127.0.0.1", port=port, url_path="hook", webhook_url=url,
                secret_token={SECRET!r})
"""


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM of a process, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


async def attack(port: int, size: int) -> int | None:
    """Stream `size` bytes with a wrong secret, never stopping early; return the status."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return None
    head = (
        f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {size}\r\n"
        "X-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Type: application/json\r\n\r\n"
    )
    try:
        writer.write(head.encode())
        for _ in range(size // len(PIECE)):
            writer.write(PIECE)
            await writer.drain()
        line = await reader.readline()
        return int(line.split()[1]) if line else None
    except (ConnectionError, IndexError, ValueError):
        return None
    finally:
        writer.close()


async def wait_listening(port: int) -> None:
    """Wait until something accepts connections on the port."""
    for _ in range(400):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
        else:
            writer.close()
            return
    raise RuntimeError("the webhook server did not start")


async def main(ptb: bool, clients: int, megabytes: int) -> None:
    """Start the server, measure, flood, measure again, print the figures."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with BotApiEmulator() as emulator:
        with tempfile.TemporaryDirectory() as tmp:
            if ptb:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", PTB_SERVER, emulator.base_url, url, str(port),
                    env={**os.environ, "PYTHONPATH": ROOT},
                )  # fmt: skip
                pid = process.pid
            else:
                bot = BotProcess(
                    emulator,
                    Path(tmp) / "feedback.db",
                    WEBHOOK_URL=url,
                    WEBHOOK_SECRET=SECRET,
                    WEBHOOK_PORT=str(port),
                )
                await bot.start()
                assert bot.process is not None
                pid = bot.process.pid
            await wait_listening(port)
            await asyncio.sleep(1.0)
            before = memory(pid)
            statuses = await asyncio.gather(
                *(attack(port, megabytes * 1024 * 1024) for _ in range(clients))
            )
            await asyncio.sleep(0.5)
            after = memory(pid)
            answered = sum(1 for status in statuses if status is not None)
            server = "PTB run_webhook" if ptb else "feedback-bot run"
            print(
                f"{server}: {clients} x {megabytes} MB without the secret: RSS before"
                f" {before['VmRSS']} MiB, peak {after['VmHWM']} MiB, after {after['VmRSS']} MiB;"
                f" {answered} answered {sorted(set(s for s in statuses if s))}"
            )
            if ptb:
                process.terminate()
                await process.wait()
            else:
                await bot.terminate()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ptb", action="store_true", help="PTB's own server (the old one)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mb", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.ptb, args.clients, args.mb))
