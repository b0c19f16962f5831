"""Benchmark: other users' answers while one user floods the bot, under Telegram's limits.

The real bot runs in this process against the emulator with Telegram-like limits (one message
a second per chat, 30 a second in all) and API_RATE_LIMIT=30. First, on the idle bot, each of
U other users sends /help and then /report (a person's second apart) R times; then one user
sends N texts at once and the same users do the same steps during the flood. Figures: the
other users' p50/p99/max answer times idle and during the flood, the 429s Telegram (the
emulator) gave (all, and in the flooder's chat), how many messages the flooder got, and how
long until its chat was quiet.

    python tests/benchmarks/flood.py [--flood 200] [--users 10] [--rounds 3]
        [--flood-limit 20/10s] [--patience 60]

`--flood-limit` is passed as FLOOD_LIMIT only when given (the default is the setting's).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.app import build_application, running
from bot.sandbox import BotApiEmulator, Limits, SimUser
from config.settings import settings_from
from storage.db import Database
from tests.e2e.conftest import said

THINK = 1.1  # seconds a person takes between an answer and their next message
QUIET = 3.0  # seconds without a message to the flooder after which its chat counts as drained


async def onboarded(emulator: BotApiEmulator, database: Path, count: int) -> list[SimUser]:
    """Create `count` users who finished onboarding, straight into the bot's database."""
    db = await Database.open(database)
    await db.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    users = [emulator.add_user(first_name=f"U{i}", language_code="en") for i in range(count)]
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, language, business_role, privacy_accepted_at,"
            " created_at, updated_at) VALUES (?, ?, 'en', 'trader', ?3, ?3, ?3)",
            [(user.id, user.first_name, now) for user in users],
        )
    return users


async def answered_in(user: SimUser, text: str, expected: str, patience: float) -> float:
    """Send a text; return the seconds until the expected answer (`patience` if none came)."""
    started = time.monotonic()
    await user.send(text)
    try:
        await user.wait_for_message(expected, timeout=patience)
    except AssertionError:
        return patience
    return time.monotonic() - started


async def steps(users: list[SimUser], rounds: int, patience: float) -> list[float]:
    """Have every user send /help then /report, `rounds` times, and return the answer times."""

    async def one(user: SimUser) -> list[float]:
        took = []
        for _ in range(rounds):
            took.append(await answered_in(user, "/help", said("en", "help.intro_user"), patience))
            await asyncio.sleep(THINK)
            took.append(await answered_in(user, "/report", said("en", "report.ask_kind"), patience))
            await asyncio.sleep(THINK)
        return took

    return [t for times in await asyncio.gather(*(one(u) for u in users)) for t in times]


def figures(times: list[float]) -> str:
    """Return p50, p99 and max of answer times, in seconds."""
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.3f} s, p99 {p99:.3f} s, max {ordered[-1]:.3f} s"


async def last_message(emulator: BotApiEmulator, chat: int, limit: float) -> float:
    """Return when the chat last got a message, once none came for QUIET seconds (or the limit
    passed: then now)."""
    started = time.monotonic()
    seen, since = -1, started
    while time.monotonic() - started < limit:
        count = emulator.stats.sent_per_chat[chat]
        if count != seen:
            seen, since = count, time.monotonic()
        elif time.monotonic() - since >= QUIET:
            return since
        await asyncio.sleep(0.1)
    return time.monotonic()


async def main(flood: int, users: int, rounds: int, limit: str | None, patience: float) -> None:
    """Measure idle, flood, measure again; print the figures."""
    logging.disable(logging.WARNING)  # the flood's one warning is expected
    async with BotApiEmulator() as emulator:
        emulator.limits = Limits(global_per_second=30, per_chat_per_second=1)
        with tempfile.TemporaryDirectory() as tmp:
            database = Path(tmp) / "feedback.db"
            flooder, *others = await onboarded(emulator, database, users + 1)
            values: dict[str, Any] = {
                "bot_token": "123456:BENCH-token",
                "bot_api_url": emulator.base_url,
                "bot_api_file_url": emulator.file_base_url,
                "database_path": database,
                "api_rate_limit": 30,
                "log_level": "ERROR",
            }
            if limit is not None:
                values["flood_limit"] = limit
            async with running(build_application(settings_from(values))):
                idle = await steps(others, rounds, patience)
                for number in range(flood):
                    await flooder.send(f"Complaint {number}: the queue at the border is too long")
                flooded_at = time.monotonic()
                busy = await steps(others, rounds, patience)
                drain = await last_message(emulator, flooder.id, 300.0) - flooded_at
    rejected = [r for r in emulator.rejections if r.error_code == 429]
    in_flooder = [r for r in rejected if str(r.params.get("chat_id")) == str(flooder.id)]
    print(f"{users} users x {rounds} rounds of /help + /report; flood of {flood} texts")
    print(f"  idle bot:     {figures(idle)}")
    print(f"  during flood: {figures(busy)}")
    print(f"  429s: {len(rejected)} in all, {len(in_flooder)} in the flooder's chat")
    print(
        f"  flooder got {emulator.stats.sent_per_chat[flooder.id]} messages;"
        f" the last {drain:.1f} s after the flood"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flood-limit", default=None, help="FLOOD_LIMIT, e.g. 20/10s or off")
    parser.add_argument("--patience", type=float, default=60.0, help="longest wait for an answer")
    args = parser.parse_args()
    asyncio.run(main(args.flood, args.users, args.rounds, args.flood_limit, args.patience))
