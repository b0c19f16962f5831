"""Forged or malformed callback data gets the polite "this button no longer works", whichever
family of buttons it pretends to belong to, and changes nothing."""

from __future__ import annotations

import pytest

from bot.sandbox import BotApiEmulator
from handlers.kit.context import BotApplication
from tests.e2e.conftest import T, onboard

pytestmark = pytest.mark.telegram_limits  # Telegram's limits on (issue #14)

MALFORMED = (
    "myr:open:abc",  # a report number that is not one
    "myr:page",  # the page is missing
    "ib:o:12x",
    "fu:me:abc",
    "sv:r:1:9:9",  # a rating out of range
    "sv:f:1",  # too short
    "tm:rv:abc",
    "mtg:open:abc",
    "mtg:open:1:2",
    "rsvp:x:attend",
    "ntc:ack:abc",
    "zz:1",  # a family the bot never had
)


async def test_malformed_buttons_are_answered_politely(
    emulator: BotApiEmulator, bot: BotApplication
) -> None:
    trader = emulator.add_user(first_name="Tomás", language_code="es")
    await onboard(trader, "es")
    stale = T("es", "button.stale")
    for data in MALFORMED:
        await trader.press_forged(data)
        answer = await trader.wait_for_callback_answer()
        assert answer.text == stale, data
