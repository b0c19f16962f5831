"""Fault injection, latency and flood control as seen by python-telegram-bot."""

from __future__ import annotations

import time

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from bot.sandbox import BotApiEmulator

from .conftest import seconds

# Reading RetryAfter.retry_after as an int is deprecated in PTB 22.2+; that is PTB's concern.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_injected_429_raises_retry_after(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    emu.faults.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ana.id, "flood")
    assert seconds(caught.value.retry_after) == 3
    rejection = emu.rejections[-1]
    assert rejection.description == "Too Many Requests: retry after 3"
    assert rejection.injected
    assert emu.violations == []
    await bot.send_message(ana.id, "the fault was used up")
    assert emu.stats.too_many_requests == 1 and emu.stats.injected_faults == 1


@pytest.mark.parametrize(
    ("code", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
async def test_injected_server_errors_raise_network_error(
    bot: Bot, emu: BotApiEmulator, code: int, description: str
) -> None:
    ana = emu.add_user("Ana")
    emu.faults.fail_next("sendMessage", code)
    with pytest.raises(NetworkError, match=description):
        await bot.send_message(ana.id, "hello")
    assert emu.rejections[-1][2:] == (code, description, True)


async def test_faults_can_target_one_chat_and_repeat(bot: Bot, emu: BotApiEmulator) -> None:
    ana, bob = emu.add_user("Ana"), emu.add_user("Bob")
    fault = emu.faults.fail_next("sendMessage", 500, times=2, chat_id=bob.id)
    await bot.send_message(ana.id, "unaffected")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(bob.id, "affected")
    await bot.send_message(bob.id, "recovered")
    assert fault.hits == 2 and emu.faults.pending == []
    assert [m.text for m in bob.messages] == ["recovered"]


async def test_dropped_connection_raises_network_error(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    emu.faults.fail_next("sendMessage", disconnect=True)
    with pytest.raises(NetworkError):
        await bot.send_message(ana.id, "lost")
    assert ana.messages == []


async def test_latency_is_added_to_responses(bot: Bot, emu: BotApiEmulator) -> None:
    ana = emu.add_user("Ana")
    emu.faults.latency = 0.05
    emu.faults.method_latency["sendMessage"] = 0.05
    started = time.monotonic()
    await bot.send_message(ana.id, "slow")
    assert time.monotonic() - started >= 0.1


async def test_per_chat_rate_limit_returns_429_with_remaining_seconds(
    bot: Bot, emu: BotApiEmulator
) -> None:
    ana, bob = emu.add_user("Ana"), emu.add_user("Bob")
    emu.limits.per_chat_per_second = 1
    await bot.send_message(ana.id, "first")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ana.id, "second")
    assert seconds(caught.value.retry_after) == 1
    await bot.send_message(bob.id, "other chats are not limited")
    assert emu.stats.rate_limited == 1 and emu.stats.too_many_requests == 1
    assert emu.violations == []


async def test_global_rate_limit(bot: Bot, emu: BotApiEmulator) -> None:
    users = [emu.add_user(f"U{i}") for i in range(4)]
    emu.limits.global_per_second = 3
    for user in users[:3]:
        await bot.send_message(user.id, "ok")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[3].id, "over the limit")
    assert emu.stats.rate_limited == 1
    assert sum(emu.stats.sent_per_chat.values()) == 3


def test_limits_use_a_sliding_window() -> None:
    emu = BotApiEmulator()
    emu.limits.per_chat_per_second = 2
    check = emu.limits.check
    assert check("sendMessage", 1, 10.0, group=False) is None
    assert check("sendMessage", 1, 10.5, group=False) is None
    assert check("sendMessage", 1, 10.9, group=False) == 1
    assert check("sendMessage", 1, 11.01, group=False) is None
    assert check("getMe", 1, 11.02, group=False) is None, "only sending methods are limited"
