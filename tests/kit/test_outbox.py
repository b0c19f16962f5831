"""The outbox: Telegram's answers classified once for every sender, the send budget hook that
counts every reply while broadcasts pace themselves, and the paced sender of fan-outs."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from functools import partial
from typing import Any, cast

import httpx
import pytest
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.core.notifications import Notification
from bot.core.outbox import Outcome, Sent
from bot.core.pacing import Pace, SendBudget
from bot.notices.model import NoticeDocument, Outgoing
from handlers.kit.outbox import classify, register_renderer, retry_seconds, send_notifications
from handlers.kit.pacing import BROADCASTING, BudgetLimiter, PacedSender
from handlers.notices.sending import TelegramSender


def _caused(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


class Bot:
    """Raises the given error, or answers with a message id; records what was sent."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.broadcasting: list[bool] = []

    async def _answer(self, method: str, **kwargs: Any) -> Any:
        self.calls.append((method, kwargs))
        self.broadcasting.append(BROADCASTING.get())
        if self.error is not None:
            raise self.error
        return type("Sent", (), {"message_id": 77})()

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        return await self._answer("send_message", chat_id=chat_id, text=text, **kwargs)

    async def send_document(self, chat_id: int, document: str, **kwargs: Any) -> Any:
        return await self._answer("send_document", chat_id=chat_id, document=document, **kwargs)


MESSAGE = Outgoing(chat_id=5, text="<b>Notice</b>", buttons=((("OK", "ntc:ack:1"),),))


async def test_a_copy_is_sent_marked_as_broadcast_with_its_buttons() -> None:
    bot = Bot()
    assert await TelegramSender(cast(Any, bot)).send(MESSAGE) == Sent(Outcome.SENT, message_id=77)
    method, kwargs = bot.calls[0]
    assert method == "send_message" and kwargs["reply_markup"].inline_keyboard[0][0].text == "OK"
    assert bot.broadcasting == [True] and not BROADCASTING.get()
    with_file = MESSAGE.model_copy(update={"document": NoticeDocument(file_id="F1")})
    await TelegramSender(cast(Any, bot)).send(with_file)
    assert bot.calls[1][0] == "send_document" and bot.calls[1][1]["caption"] == "<b>Notice</b>"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(3), Outcome.RETRY_AFTER),
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.BLOCKED),
        (BadRequest("Bad Request: chat not found"), Outcome.REJECTED),
        (InvalidToken("Unauthorized"), Outcome.REJECTED),
        (NetworkError("Bad Gateway"), Outcome.TRANSIENT),  # a 5xx answer: not done
        (_caused(NetworkError("connect"), httpx.ConnectError("refused")), Outcome.TRANSIENT),
        (_caused(TimedOut(), httpx.ConnectTimeout("slow")), Outcome.TRANSIENT),
        (_caused(TimedOut(), httpx.PoolTimeout("busy")), Outcome.TRANSIENT),
        (_caused(TimedOut(), httpx.ReadTimeout("no answer")), Outcome.UNCONFIRMED),
        (_caused(NetworkError("gone"), httpx.RemoteProtocolError("closed")), Outcome.UNCONFIRMED),
    ],
)
async def test_telegram_errors_are_classified_once(error: Exception, expected: Outcome) -> None:
    result = await TelegramSender(cast(Any, Bot(error))).send(MESSAGE)
    assert result.outcome is expected and not result.ok
    assert isinstance(error, TelegramError) and classify(error) == result
    if expected is Outcome.RETRY_AFTER:
        assert result.wait == 3


def test_the_wait_asked_for_is_read_as_an_int_or_a_timedelta() -> None:
    assert retry_seconds(RetryAfter(7)) == 7.0
    assert retry_seconds(RetryAfter(timedelta(seconds=2.5))) == 2.5


async def test_replies_are_counted_and_broadcasts_are_not_counted_twice() -> None:
    budget = SendBudget(30)
    limiter = BudgetLimiter(budget)

    async def call(**kwargs: Any) -> str:
        return "ok"

    assert await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 9}, None) == "ok"
    assert budget.recent() == 1 and budget.chat_wait(9) > 0
    await limiter.process_request(call, (), {}, "answerCallbackQuery", {"chat_id": 9}, None)
    assert budget.recent() == 1  # not a message
    token = BROADCASTING.set(True)
    try:
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 10}, None)
    finally:
        BROADCASTING.reset(token)
    assert budget.recent() == 1  # the engine notes its own sends


async def test_a_429_on_a_reply_pauses_that_chat_only_and_the_reply_goes_in_its_next_turn() -> None:
    budget = SendBudget(30)
    limiter = BudgetLimiter(budget)
    asked = RetryAfter(1)
    calls: list[tuple[int, float]] = []

    async def flooded_once(chat: int) -> str:
        calls.append((chat, time.monotonic()))
        if len(calls) == 1:
            raise asked
        return "ok"

    started = time.monotonic()
    first = asyncio.create_task(
        limiter.process_request(flooded_once, (9,), {}, "sendMessage", {"chat_id": 9}, None)
    )
    await asyncio.sleep(0.05)
    other = await limiter.process_request(
        flooded_once, (10,), {}, "sendMessage", {"chat_id": 10}, None
    )
    assert other == "ok" and time.monotonic() - started < 0.5  # chat 10 did not wait
    assert budget.paused_for() == 0 and budget.chat_wait(9) > 0.5
    assert await first == "ok"  # tried again once chat 9's pause was over
    assert [chat for chat, _ in calls] == [9, 10, 9] and calls[2][1] - calls[0][1] > 0.9


async def test_fan_outs_are_paced_marked_as_broadcasts_and_paused_by_a_429() -> None:
    budget, bot = SendBudget(30), Bot()
    paced = PacedSender(budget, Pace(20.0))
    started = time.monotonic()
    results = await asyncio.gather(
        *(paced.send(chat, partial(bot.send_message, chat, "hi")) for chat in range(1, 7))
    )
    assert [r.message_id for r in results] == [77] * 6
    assert time.monotonic() - started >= 5 / 20 * 0.9  # six sends at 20 a second
    assert bot.broadcasting == [True] * 6 and budget.recent() == 6
    flooded = await paced.send(9, lambda: Bot(RetryAfter(1)).send_message(9, "hi"))
    assert flooded.outcome is Outcome.RETRY_AFTER and budget.paused_for() > 0.5


class Users:
    """Records who was marked as having blocked the bot."""

    def __init__(self) -> None:
        self.blocked: list[int] = []

    async def mark_blocked(self, user_id: int) -> None:
        self.blocked.append(user_id)


class Translate:
    """Echoes the key and parameters, so a test sees what was rendered."""

    default = "en"

    def __call__(self, lang: str, key: str, **params: object) -> str:
        return f"{lang}:{key}:{sorted(params.items())}"


async def test_notifications_go_through_their_familys_renderer_and_blocked_users_are_marked() -> (
    None
):
    services = cast(Any, type("S", (), {"users": Users(), "translate": Translate()})())
    register_renderer("test", lambda _services, note: (f"rendered {note.key}", None))
    bot = Bot()
    notes = [Notification(5, "test.hello"), Notification(6, "plain.key", {"who": "<b>"}, "es")]
    assert await send_notifications(cast(Any, bot), services, notes) == 2
    assert [kwargs["text"] for _, kwargs in bot.calls] == [
        "rendered test.hello",
        "es:plain.key:[('who', '&lt;b&gt;')]",  # no renderer: plain text, user text escaped
    ]
    blocked = Bot(Forbidden("Forbidden: bot was blocked by the user"))
    assert await send_notifications(cast(Any, blocked), services, notes[:1]) == 0
    assert services.users.blocked == [5]
