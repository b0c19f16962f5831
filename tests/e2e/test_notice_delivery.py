"""A broadcast to 2,000 subscribers through the real bot process and the emulator's rate limits:
5% blocked the bot, a few 5xx answers, kill -9 half way, restart; every active subscriber has
exactly one copy, the blocked ones are inactive, and the delivery report matches the emulator."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bot.notices.delivery import MAX_IN_FLIGHT
from bot.sandbox import BotApiEmulator, BotMessage, SimUser
from bot.sandbox.faults import Limits
from storage.db import Database
from tests.e2e.conftest import ADMIN_ID, Processes, T, said, wait_until
from tests.e2e.test_notices import write_notice

pytestmark = pytest.mark.slow
RATE = 200  # the bot's NOTICE_RATE here; the emulator allows a little more
LANGUAGES = ("en", "es", "ru")


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """Yield an emulator enforcing Telegram's limits; the bot may break no rule, except that
    sending to a user who blocked it is how it learns they did (403, once each)."""
    async with BotApiEmulator() as emu:
        emu.limits = Limits(global_per_second=RATE + 40, per_chat_per_second=1)
        yield emu
        blocked = {uid for uid, sim in emu.sim_users.items() if sim.state.blocked}
        unexpected = [
            r for r in emu.violations
            if not (r.error_code == 403 and int(r.params["chat_id"]) in blocked)
        ]  # fmt: skip
        assert not unexpected, unexpected[:5]


async def subscribers(emulator: BotApiEmulator, database: Path, count: int) -> list[SimUser]:
    """Create `count` onboarded users (straight into the database) and the admin."""
    db = await Database.open(database)  # the schema, as the bot will find it
    await db.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    users = [emulator.add_user(first_name=f"S{i}", language_code=LANGUAGES[i % 3])
             for i in range(count)]  # fmt: skip
    emulator.add_user(first_name="Ana", language_code="en", id=ADMIN_ID)
    rows = [(u.id, u.first_name, LANGUAGES[i % 3], now) for i, u in enumerate(users)]
    rows.append((ADMIN_ID, "Ana", "en", now))
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, language, business_role, privacy_accepted_at,"
            " created_at, updated_at) VALUES (?, ?, ?, 'trader', ?4, ?4, ?4)",
            rows,
        )
    return users


MARKERS = ("Duty rates for coffee", "Los aranceles del café")


def copies_by_chat(emulator: BotApiEmulator, since: int) -> Counter[int]:
    """Return, from the emulator's record, how many copies of the notice each chat accepted."""
    return Counter(
        int(call.params["chat_id"])
        for call in emulator.calls[since:]
        if call.ok
        and call.method == "sendMessage"
        and any(marker in str(call.params.get("text")) for marker in MARKERS)
    )


def sent_at_least(emulator: BotApiEmulator, since: int, count: int) -> bool:
    """Tell whether the emulator accepted `count` copies of the notice or more."""
    return delivered(emulator, since) >= count


def delivered(emulator: BotApiEmulator, since: int) -> int:
    """Return how many copies of the notice the emulator accepted."""
    return sum(copies_by_chat(emulator, since).values())


async def reported(emulator: BotApiEmulator, text: str, seconds: float) -> BotMessage:
    """Return the delivery report, polling the admin's chat alone (a wait_for_message would
    scan every copy sent since, on every API call, and slow the emulator down)."""

    def found() -> BotMessage | None:
        return next((m for m in emulator.sent_to(ADMIN_ID) if text in m.content), None)

    await wait_until(lambda: found() is not None, seconds, "the delivery report")
    report = found()
    assert report is not None
    return report


def report_figures(text: str) -> dict[str, int]:
    """Read the numbers of the delivery report (English)."""
    names = {
        "Recipients": "total", "Delivered": "sent", "Blocked the bot (now inactive)": "blocked",
        "Failed": "failed", "Unconfirmed (in flight when the bot stopped; may not have arrived)":
        "unconfirmed", "Retries after errors": "retries",
    }  # fmt: skip
    found = {}
    for label, key in names.items():
        match = re.search(re.escape(label) + r": (\d+)", text)
        assert match, (label, text)
        found[key] = int(match[1])
    return found


async def broadcast(emulator: BotApiEmulator) -> int:
    """Have the admin write and confirm the notice; return where its sending starts."""
    admin = emulator.user(ADMIN_ID)
    await write_notice(admin, pause=1.1)  # one message a second per chat: act like a person
    confirm = admin.messages[-1]
    count = int(re.search(r"Recipients now: (\d+)", confirm.content)[1])  # type: ignore[index]
    since = len(emulator.calls)  # after the previews
    await admin.press(T("en", "broadcast.send", count=count))
    await admin.wait_for_message("confirmed")
    return since


async def test_kill_half_way_and_every_active_subscriber_has_exactly_one_copy(
    emulator: BotApiEmulator, processes: Processes, tmp_path: Path
) -> None:
    database = tmp_path / "feedback.db"
    users = await subscribers(emulator, database, 2000)
    blocked = users[7::20]  # 5%: they blocked the bot; it learns so when sending
    for user in blocked:
        user.state.blocked = True
    flaky = [u for u in users if u not in blocked][3:300:60]  # a few 5xx answers
    for index, user in enumerate(flaky):
        emulator.faults.fail_next("sendMessage", 502 if index % 2 else 500, chat_id=user.id,
                                  times=1 + index % 2)  # fmt: skip
    env = {"NOTICE_RATE": str(RATE), "LOG_LEVEL": "INFO"}
    bot = processes(**env)
    try:
        await bot.start()
        since = await broadcast(emulator)
        await wait_until(lambda: delivered(emulator, since) >= 950, 60, "half the copies")
        # Half way, Telegram asks to wait: all sending pauses; the bot is killed in the pause.
        emulator.faults.fail_next("sendMessage", 429, retry_after=5)
        marker = len(emulator.calls)
        await wait_until(lambda: any(c.error_code == 429 for c in emulator.calls[marker:]), 10,
                       "the 429")  # fmt: skip
        await asyncio.sleep(1.0)
        sends = delivered(emulator, since)
        await asyncio.sleep(0.5)
        assert delivered(emulator, since) == sends, "sending did not pause after the 429"
        await bot.kill()
        assert 900 <= sends <= 1300

        bot = processes(**env)
        await bot.start()
        report = await reported(emulator, "Recipients: 2001", 90)
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_stopped()

    active = [u for u in users if u not in blocked] + [emulator.user(ADMIN_ID)]
    record = copies_by_chat(emulator, since)
    assert [u.id for u in active if record[u.id] != 1] == []  # exactly one copy each
    assert all(record[u.id] == 0 and not emulator.sent_to(u.id) for u in blocked)
    with sqlite3.connect(database) as conn:
        inactive = {row[0] for row in conn.execute("SELECT id FROM users WHERE blocked_bot = 1")}
        states = dict(conn.execute(
            "SELECT state, COUNT(*) FROM notice_deliveries GROUP BY state").fetchall())  # fmt: skip
    assert inactive == {u.id for u in blocked}
    assert states == {"sent": len(active), "blocked": len(blocked)}

    figures = report_figures(report.content)
    forbidden = [r for r in emulator.rejections if r.error_code == 403]
    server_errors = [r for r in emulator.rejections if r.error_code in (500, 502)]
    assert figures == {
        "total": 2001,
        "sent": delivered(emulator, since),
        "blocked": len(forbidden),
        "failed": 0,
        "unconfirmed": 0,
        "retries": len(server_errors),
    }
    assert len(forbidden) == len(blocked)  # each blocked user was tried once, then skipped
    assert len(server_errors) == sum(1 + i % 2 for i in range(len(flaky)))
    assert emulator.stats.rate_limited == 0  # the bot kept to the emulator's limits
    assert [r for r in emulator.rejections if r.error_code == 429 and not r.injected] == []
    progress = [m for m in emulator.sent_to(ADMIN_ID) if m.edits and "Notice #1" in m.content]
    assert progress, "the progress message was edited"


async def test_kill_while_copies_are_in_flight_never_sends_one_twice(
    emulator: BotApiEmulator, processes: Processes, tmp_path: Path
) -> None:
    """Killed with requests in flight, a copy may or may not have reached Telegram and the Bot
    API cannot say which: such copies are reported unconfirmed and never sent again."""
    database = tmp_path / "feedback.db"
    users = await subscribers(emulator, database, 600)
    env = {"NOTICE_RATE": str(RATE), "LOG_LEVEL": "INFO"}
    bot = processes(**env)
    try:
        await bot.start()
        since = await broadcast(emulator)
        await wait_until(lambda: delivered(emulator, since) >= 250, 60, "some copies")
        await bot.kill()  # while sending at full speed
        killed_at = delivered(emulator, since)
        assert killed_at < 550
        bot = processes(**env)
        await bot.start()
        report = await reported(emulator, "Recipients: 601", 90)
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_stopped()

    record = copies_by_chat(emulator, since)
    everyone = [*users, emulator.user(ADMIN_ID)]
    assert max(record[u.id] for u in everyone) == 1  # never two copies
    with sqlite3.connect(database) as conn:
        states = dict(conn.execute("SELECT user_id, state FROM notice_deliveries").fetchall())
    unconfirmed = {uid for uid, state in states.items() if state == "unconfirmed"}
    assert len(unconfirmed) <= 32  # at most the requests in flight when it was killed
    for user in everyone:
        if user.id not in unconfirmed:
            assert states[user.id] == "sent" and record[user.id] == 1, user.id
    figures = report_figures(report.content)
    arrived = sum(record[uid] for uid in unconfirmed)  # what the emulator's record settles
    assert figures["sent"] + arrived == delivered(emulator, since)
    assert figures["unconfirmed"] == len(unconfirmed)
    assert figures["sent"] + figures["unconfirmed"] == 601


async def test_two_kills_leave_only_the_copies_in_flight_and_the_admin_sends_them_again(
    emulator: BotApiEmulator, processes: Processes, tmp_path: Path
) -> None:
    """Killed twice while sending, the bot leaves unconfirmed at most the copies it had in
    flight (each claimed right before its own call); the report offers to send them again, and
    after that nobody is missing the notice (a duplicate is the admin's accepted price)."""
    database = tmp_path / "feedback.db"
    users = await subscribers(emulator, database, 500)
    emulator.faults.method_latency["sendMessage"] = 0.02  # a few copies in flight at any time
    env = {"NOTICE_RATE": str(RATE), "LOG_LEVEL": "INFO"}
    bot = processes(**env)
    try:
        await bot.start()
        since = await broadcast(emulator)
        for share in (150, 300):
            await wait_until(partial(sent_at_least, emulator, since, share), 30, "copies")
            await bot.kill()  # while sending at full speed
            bot = processes(**env)
            await bot.start()
        report = await reported(emulator, "Recipients: 501", 60)
        everyone = [*users, emulator.user(ADMIN_ID)]
        record = copies_by_chat(emulator, since)
        missing = [u.id for u in everyone if record[u.id] == 0]
        unconfirmed = report_figures(report.content)["unconfirmed"]
        assert len(missing) <= unconfirmed <= 2 * MAX_IN_FLIGHT
        assert len(missing) <= MAX_IN_FLIGHT
        assert max(record.values()) == 1  # nothing sent twice on the bot's own
        if unconfirmed:
            admin = emulator.user(ADMIN_ID)
            button = T("en", "broadcast.resend_button", count=unconfirmed)
            await admin.press(button, message=report)
            await admin.wait_for_message(
                said("en", "broadcast.resent", number=1, count=unconfirmed)
            )

            def reports() -> int:
                return sum("Recipients: 501" in m.content for m in emulator.sent_to(ADMIN_ID))

            await wait_until(lambda: reports() == 2, 30, "the second delivery report")
            await admin.press(button, message=report)  # again: none left, nothing sent
            answer = await admin.wait_for_callback_answer()
            assert answer.text == said("en", "broadcast.resend_none", number=1)
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_stopped()

    record = copies_by_chat(emulator, since)
    assert [u.id for u in everyone if record[u.id] == 0] == []  # 0 missing
    with sqlite3.connect(database) as conn:
        states = dict(conn.execute("SELECT user_id, state FROM notice_deliveries").fetchall())
    twice = {uid for uid, n in record.items() if n > 1}
    assert twice <= {uid for uid in states if uid not in missing}  # only those that had it
    assert len(twice) <= unconfirmed - len(missing)
    assert set(states.values()) == {"sent"}
