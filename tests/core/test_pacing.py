"""The send budget: a message counts from its sending until a window after Telegram answered;
replies before broadcasts; one message a second per chat; pauses; the pace."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.pacing import IN_FLIGHT_WAIT, PER_CHAT_INTERVAL, Pace, SendBudget
from tests.fakes import Clock


def answered(budget: SendBudget, count: int, chat: int | None = None) -> None:
    """Send `count` messages that Telegram answers at once."""
    for _ in range(count):
        budget.done(budget.note(chat), chat)


def test_broadcasts_leave_the_reserve_to_replies() -> None:
    clock = Clock()
    budget = SendBudget(30, reserve=2, window=1.0, clock=clock.monotonic)
    answered(budget, 27)
    assert budget.room_wait() == 0  # 27 of the 28 a broadcast may use
    answered(budget, 1)
    clock.advance(0.25)
    assert budget.room_wait() == pytest.approx(0.75)  # until the first leaves the window
    assert budget.room_wait(reply=True) == 0  # a reply takes the reserve at once
    answered(budget, 2)
    assert budget.room_wait(reply=True) == pytest.approx(0.75)  # full: it waits too
    clock.advance(0.75)
    assert budget.room_wait() == 0 and budget.recent() == 2  # the two replies still count


def test_a_message_counts_until_a_second_after_its_answer() -> None:
    clock = Clock()
    budget = SendBudget(2, reserve=0, window=1.0, clock=clock.monotonic)
    slow, slower = budget.note(None), budget.note(None)
    assert budget.room_wait() == IN_FLIGHT_WAIT  # full of messages still in flight
    clock.advance(5)  # Telegram answers late: the requests may have reached it only now
    budget.done(slow, None)
    assert budget.room_wait() == pytest.approx(1.0)  # a second after that answer
    budget.done(slower, None)
    clock.advance(1.0)
    assert budget.recent() == 0 and budget.room_wait() == 0


def test_no_overall_limit_means_no_wait() -> None:
    budget = SendBudget(0)
    answered(budget, 1000)
    assert budget.room_wait() == 0 and budget.overall == 0 and budget.reserve == 0


def test_one_message_a_second_per_chat_from_its_answer() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock.monotonic)
    token = budget.note(7)
    assert budget.chat_wait(7) == PER_CHAT_INTERVAL  # in flight: not yet
    clock.advance(0.2)
    budget.done(token, 7)
    clock.advance(0.4)
    assert budget.chat_wait(7) == pytest.approx(PER_CHAT_INTERVAL - 0.4)
    assert budget.chat_wait(8) == 0
    clock.advance(PER_CHAT_INTERVAL - 0.4)
    assert budget.chat_wait(7) == 0


def test_a_pause_asked_by_telegram_holds_everything() -> None:
    clock = Clock()
    budget = SendBudget(clock=clock.monotonic)
    budget.pause(3)
    budget.pause(1)  # a shorter one does not cut the longer short
    assert budget.paused_for() == 3 and budget.pauses == 2
    clock.advance(3)
    assert budget.paused_for() == 0


def test_pace_spaces_slots_evenly_and_keeps_the_cadence() -> None:
    clock = Clock()
    pace = Pace(10, clock=clock.monotonic)
    pace.take()
    assert pace.wait() == pytest.approx(0.1)
    clock.advance(0.1)
    pace.take()
    clock.advance(0.15)  # taken 0.05 s late: the next slot comes 0.05 s sooner
    pace.take()
    assert pace.wait() == pytest.approx(0.05)
    clock.advance(5)  # idle: no burst of catching up afterwards
    pace.take()
    assert pace.wait() == pytest.approx(0.1)
    with pytest.raises(ValueError):
        Pace(0)


async def test_a_reply_waits_for_its_own_chat_only() -> None:
    clock = Clock()
    budget = SendBudget(30, clock=clock.monotonic)
    answered(budget, 1, chat=7)
    budget.pause_chat(9, 1.5)
    waiting = asyncio.create_task(budget.reply_slot(7))
    paused = asyncio.create_task(budget.reply_slot(9))
    other = await asyncio.wait_for(budget.reply_slot(8), 0.1)  # at once
    budget.done(other, 8)
    assert not waiting.done() and not paused.done() and budget.paused_for() == 0
    clock.advance(PER_CHAT_INTERVAL)
    budget.done(await asyncio.wait_for(waiting, 1.5), 7)  # its turn came
    assert not paused.done()  # Telegram asked chat 9 to wait a second and a half
    clock.advance(0.5)
    budget.done(await asyncio.wait_for(paused, 2), 9)


async def test_chats_ready_for_a_full_window_take_the_room_in_turn() -> None:
    budget = SendBudget(2, reserve=0, window=0.05)
    answered(budget, 2)
    order: list[int] = []

    async def reply(chat: int) -> None:
        token = await budget.reply_slot(chat)
        order.append(chat)
        budget.done(token, chat)

    await asyncio.wait_for(asyncio.gather(*(reply(chat) for chat in (1, 2, 3, 4))), 2)
    assert order == [1, 2, 3, 4]
