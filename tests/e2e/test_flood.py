"""One user's flood never delays another user's answers (issue #14), with Telegram's limits on:
one message a second per chat and 30 a second in all. The flooder is told once and drained
without a single 429."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.sandbox import BotApiEmulator, Limits, SimUser
from config.settings import Settings
from storage.db import Database
from tests.conftest import SettingsFactory
from tests.e2e.conftest import said, wait_until

FLOOD = 200
PRESSES = 30
LIMIT, WINDOW = 5, 10  # FLOOD_LIMIT=5/10s: five replies to drain at one a second, then the notice


async def onboarded(emulator: BotApiEmulator, database: str, *names: str) -> list[SimUser]:
    """Create users who finished onboarding (straight into the database the bot will open)."""
    db = await Database.open(database)  # the schema, as the bot will find it
    await db.close()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    users = [emulator.add_user(first_name=name, language_code="en") for name in names]
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, language, business_role, privacy_accepted_at,"
            " created_at, updated_at) VALUES (?, ?, 'en', 'trader', ?3, ?3, ?3)",
            [(user.id, user.first_name, now) for user in users],
        )
    return users


def flood_settings(make_settings: SettingsFactory, bot_settings: Settings) -> Settings:
    """Return the bot's settings with the send budget and the inbound limit on."""
    return make_settings(
        bot_api_url=bot_settings.bot_api_url,
        bot_api_file_url=bot_settings.bot_api_file_url,
        api_rate_limit=30,
        flood_limit=f"{LIMIT}/{WINDOW}s",
    )


async def answered_in(user: SimUser, text: str, expected: str) -> float:
    """Send a text and return how many seconds the answer took to arrive."""
    started = time.monotonic()
    await user.send(text)
    await user.wait_for_message(expected, timeout=10)
    return time.monotonic() - started


async def test_a_flood_neither_delays_other_users_nor_draws_a_429(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    bot_settings: Settings,
    start_bot: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.limits = Limits(global_per_second=30, per_chat_per_second=1)
    flooder, other = await onboarded(emulator, str(bot_settings.database_path), "Flo", "Ola")
    await start_bot(flood_settings(make_settings, bot_settings))
    caplog.set_level(logging.INFO)
    for number in range(FLOOD):
        await flooder.send(f"Complaint number {number}: the queue at the border is too long")
    help_took = await answered_in(other, "/help", said("en", "help.intro_user"))
    report_took = await answered_in(other, "/report", said("en", "report.ask_kind"))
    assert help_took < 2 and report_took < 2, (help_took, report_took)

    notice = said("en", "flood.slow_down", seconds=WINDOW)
    await flooder.wait_for_message(notice, timeout=15)  # after the replies it was due
    told = [m for m in flooder.inbox.messages if notice in m.content]
    assert len(told) == 1
    rate_limited = [r for r in emulator.rejections if r.error_code == 429]
    assert rate_limited == []  # not one 429, in the flooder's chat or any other
    warnings = [r for r in caplog.records if r.getMessage().startswith("flood limit reached")]
    assert len(warnings) == 1
    assert not any(str(flooder.id) in r.getMessage() + str(r.__dict__) for r in caplog.records)


async def test_every_press_of_a_flooder_stops_spinning_but_only_the_limit_is_handled(
    emulator: BotApiEmulator,
    make_settings: SettingsFactory,
    bot_settings: Settings,
    start_bot: Callable[..., Any],
) -> None:
    emulator.limits = Limits(global_per_second=30, per_chat_per_second=1)
    (presser,) = await onboarded(emulator, str(bot_settings.database_path), "Pat")
    await start_bot(flood_settings(make_settings, bot_settings))
    await presser.send("/help")  # the first of the window's updates: a message to press on
    await presser.wait_for_message(said("en", "help.intro_user"))
    queries = [str((await presser.press_forged(f"gone:{n}"))["id"]) for n in range(PRESSES)]

    def answers() -> list[Any]:
        return [emulator.world.callback_queries[q].answer for q in queries]

    await wait_until(lambda: None not in answers(), 10, "every press answered")
    stale = said("en", "button.stale")
    handled = [a for a in answers() if stale in str(a)]
    assert len(handled) == LIMIT - 1  # after /help; the rest dropped, each answered quietly
    notice = said("en", "flood.slow_down", seconds=WINDOW)
    await presser.wait_for_message(notice, timeout=10)
