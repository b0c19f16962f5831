"""Updates are stored before Telegram forgets them: replayed at start, and handled once each
even when they arrive twice (fetched again, or a webhook delivery repeated)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.sandbox import BotApiEmulator, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication
from storage.db import Database
from storage.updates import ReceivedUpdates
from tests.e2e.conftest import said, wait_until
from tests.fakes import Clock

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

ASK = said("en", "onboarding.ask_language")


def asked(user: SimUser) -> int:
    """Return how many times the bot asked the user for their language."""
    return sum(ASK in message.content for message in user.messages)


async def test_an_update_stored_by_a_killed_process_is_handled_at_the_next_start(
    emulator: BotApiEmulator, start_bot: Callable[..., Any], bot_settings: Settings, clock: Clock
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await user.send("/start")  # no bot yet: the update waits at Telegram
    update = emulator.hub.pending.pop()  # fetched and confirmed by a process killed at once
    db = await Database.open(bot_settings.database_path)
    await ReceivedUpdates(db).keep([(update["update_id"], json.dumps(update))], clock.now)
    await db.close()
    await start_bot()
    await wait_until(lambda: asked(user) == 1, 10, "the answer to the stored update")


async def test_an_update_fetched_twice_is_handled_once(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    user = emulator.add_user(first_name="Ana", language_code="en")
    await user.send("/start")
    await user.wait_for_message(ASK)
    emulator.hub.push(dict(emulator.hub.history[-1]))  # the same update_id once more
    await user.send("/help")  # what comes after it is answered: the repeat was seen
    await wait_until(lambda: not emulator.hub.pending, 10, "both fetched")
    await user.wait_for_message("What you can do")
    assert asked(user) == 1
