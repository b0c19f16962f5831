"""Benchmark: a notice to N recipients while the emulator enforces R messages a second overall
and one a second per chat, with a user chatting with the bot all along.

The bot runs as its own process (`feedback-bot run`) with API_RATE_LIMIT=R and NOTICE_RATE=R, so
the broadcast may use whatever the user's replies leave. Figures, each measured in this run:

- achieved rate ÷ R: every message the emulator accepted from the bot while the notice went out
  (copies, replies, progress edits) per second, over R (target ≥ 0.95); copies alone too;
- 429 answers the bot received (target 0) and duplicate copies (target 0);
- the chatting user's reply latency, p50 and p99, during the broadcast against the same steps
  measured just before it, with nothing else going on (the baseline).

    python tests/benchmarks/broadcast.py [--recipients 10000] [--rate 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.sandbox import BotApiEmulator, SimUser
from bot.sandbox.faults import SENDING_METHODS, Limits
from storage.db import Database
from tests.benchmarks.report_flow import report_steps
from tests.e2e.conftest import ADMIN_ID, T, said
from tests.e2e.process import BotProcess
from tests.e2e.test_notices import write_notice

MARKERS = ("Duty rates for coffee", "Los aranceles del café")
PAUSE = 1.1  # the chatting user reads each answer for a second (one message a second per chat)
LANGUAGES = ("en", "es", "ru")


async def people(emu: BotApiEmulator, database: Path, recipients: int) -> SimUser:
    """Put the recipients, the admin and the chatting user straight into the database."""
    db = await Database.open(database)
    await db.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    users = [emu.add_user(first_name=f"R{i}", language_code=LANGUAGES[i % 3])
             for i in range(recipients)]  # fmt: skip
    emu.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    chatter = emu.add_user(first_name="Chatty", language_code="en")
    rows = [(u.id, LANGUAGES[i % 3], now) for i, u in enumerate(users)]
    rows += [(ADMIN_ID, "en", now), (chatter.id, "en", now)]
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, language, business_role, privacy_accepted_at,"
            " created_at, updated_at) VALUES (?, 'R', ?, 'trader', ?3, ?3, ?3)",
            rows,
        )  # the chatting user stopped notices: their presses look at the newest keyboard
        conn.execute("UPDATE users SET notices_enabled = 0 WHERE id = ?", (chatter.id,))
    return chatter


async def chat(user: SimUser, until: asyncio.Event | int) -> list[float]:
    """Go through the report flow again and again (cancelling at the end); return latencies."""
    cancelled = said("en", "report.cancelled")
    steps = [*report_steps()[:-1], ("cancel", lambda u: u.send("/cancel"), cancelled)]
    latencies: list[float] = []
    while True:
        for _name, action, answer in steps:
            if isinstance(until, asyncio.Event) and until.is_set():
                return latencies
            await asyncio.sleep(PAUSE)
            started = time.perf_counter()
            await action(user)
            if answer is not None:
                await user.wait_for_message(answer, timeout=60)
            latencies.append(time.perf_counter() - started)
            if isinstance(until, int) and len(latencies) >= until:
                return latencies


def copies(emu: BotApiEmulator, since: int) -> list[tuple[float, int]]:
    """Return (time, chat) of every notice copy the emulator accepted."""
    return [
        (call.time, int(call.params["chat_id"]))
        for call in emu.calls[since:]
        if call.ok and call.method == "sendMessage"
        and any(marker in str(call.params.get("text")) for marker in MARKERS)
    ]  # fmt: skip


async def reported(emu: BotApiEmulator, text: str, timeout: float) -> None:  # noqa: ASYNC109
    """Wait for the delivery report, looking at the admin's chat alone (cheap to poll)."""
    deadline = time.monotonic() + timeout
    while not any(text in m.content for m in emu.sent_to(ADMIN_ID)):
        if time.monotonic() > deadline:
            raise SystemExit("no delivery report")
        await asyncio.sleep(0.2)


def percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


async def main() -> None:
    """Run the broadcast with a chatting user and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=30, help="R: messages a second allowed")
    parser.add_argument("--dump", type=Path, help="write every API call (JSON lines) here")
    args = parser.parse_args()
    rate = args.rate
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder, "feedback.db")
        async with BotApiEmulator() as emu:
            emu.limits = Limits(global_per_second=rate, per_chat_per_second=1)
            chatter = await people(emu, database, args.recipients)
            bot = BotProcess(emu, database, LOG_LEVEL="WARNING", ADMIN_IDS=str(ADMIN_ID),
                             API_RATE_LIMIT=str(rate), NOTICE_RATE=str(rate))  # fmt: skip
            await bot.start()
            try:
                baseline = await chat(chatter, 45)  # five rounds of the flow, nothing else going on
                admin = emu.user(ADMIN_ID)
                await write_notice(admin, pause=PAUSE)
                total = args.recipients + 1  # and the admin
                since = len(emu.calls)
                await admin.press(T("en", "broadcast.send", count=total))
                done = asyncio.Event()
                chatting = asyncio.create_task(chat(chatter, done))
                await reported(emu, f"Recipients: {total}", timeout=args.recipients)
                done.set()
                during = await chatting
            finally:
                await bot.terminate()
        if args.dump:
            with args.dump.open("w") as out:
                for c in emu.calls:
                    record = {"t": c.time, "m": c.method, "chat": c.params.get("chat_id"),
                              "ok": c.ok, "code": c.error_code, "d": c.description}  # fmt: skip
                    out.write(json.dumps(record, default=str) + "\n")
        sent = copies(emu, since)
        first, last = sent[0][0], sent[-1][0]
        window = [c for c in emu.calls[since:] if first <= c.time <= last]
        accepted = [c for c in window if c.ok and c.method.lower() in SENDING_METHODS]
        too_many = [r for r in emu.rejections if r.error_code == 429]
        per_chat = Counter(chat_id for _, chat_id in sent)
    seconds = last - first
    overall, notice_rate = len(accepted) / seconds, len(sent) / seconds
    print(f"recipients: {args.recipients:,} and the admin (not the chatting user); R = {rate}/s")
    print(f"copies delivered: {len(sent):,} in {seconds:.1f} s")
    print(f"achieved rate ÷ R: {overall / rate:.3f} (every accepted message, {overall:.2f}/s;"
          " target ≥ 0.95)")  # fmt: skip
    print(f"copies alone ÷ R: {notice_rate / rate:.3f} ({notice_rate:.2f}/s)")
    print(f"429 answers received: {len(too_many)} (target 0)")
    print(f"duplicate copies: {sum(n - 1 for n in per_chat.values() if n > 1)} (target 0);"
          f" recipients without a copy: {total - len(per_chat)}")  # fmt: skip
    for label, values in (("before the broadcast (baseline)", baseline), ("during it", during)):
        print(f"reply latency {label}: n={len(values)}, p50 {statistics.median(values) * 1000:.0f}"
              f" ms, p99 {percentile(values, 0.99) * 1000:.0f} ms")  # fmt: skip
    print(f"p99 during ÷ p99 baseline: {percentile(during, 0.99) / percentile(baseline, 0.99):.2f}")


if __name__ == "__main__":
    asyncio.run(main())
