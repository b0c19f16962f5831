"""The Telegram side of notice delivery: errors mapped for the engine, and the send budget hook
that counts every reply while broadcasts pace themselves."""

from __future__ import annotations

import time
from typing import Any, cast

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.core.pacing import SendBudget
from bot.notices.delivery import Blocked, Rejected, RetryLater, Transient, Unconfirmed
from bot.notices.model import NoticeDocument, Outgoing
from handlers.notices.sending import BROADCASTING, BudgetLimiter, TelegramSender


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
    assert await TelegramSender(cast(Any, bot)).send(MESSAGE) == 77
    method, kwargs = bot.calls[0]
    assert method == "send_message" and kwargs["reply_markup"].inline_keyboard[0][0].text == "OK"
    assert bot.broadcasting == [True] and not BROADCASTING.get()
    with_file = MESSAGE.model_copy(update={"document": NoticeDocument(file_id="F1")})
    await TelegramSender(cast(Any, bot)).send(with_file)
    assert bot.calls[1][0] == "send_document" and bot.calls[1][1]["caption"] == "<b>Notice</b>"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(3), RetryLater),
        (Forbidden("Forbidden: bot was blocked by the user"), Blocked),
        (BadRequest("Bad Request: chat not found"), Rejected),
        (InvalidToken("Unauthorized"), Rejected),
        (NetworkError("Bad Gateway"), Transient),  # a 5xx answer: not done
        (_caused(NetworkError("connect"), httpx.ConnectError("refused")), Transient),
        (_caused(TimedOut(), httpx.ConnectTimeout("slow")), Transient),
        (_caused(TimedOut(), httpx.PoolTimeout("busy")), Transient),
        (_caused(TimedOut(), httpx.ReadTimeout("no answer")), Unconfirmed),  # may have arrived
        (_caused(NetworkError("gone"), httpx.RemoteProtocolError("closed")), Unconfirmed),
    ],
)
async def test_telegram_errors_become_the_engines(error: Exception, expected: type) -> None:
    with pytest.raises(expected) as raised:
        await TelegramSender(cast(Any, Bot(error))).send(MESSAGE)
    if isinstance(raised.value, RetryLater):
        assert raised.value.seconds == 3


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


async def test_a_429_on_a_reply_pauses_everything_and_replies_wait_for_a_pause() -> None:
    budget = SendBudget()
    limiter = BudgetLimiter(budget)

    async def flooded(**kwargs: Any) -> str:
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 9}, None)
    assert budget.paused_for() > 0.9

    async def call(**kwargs: Any) -> str:
        return "ok"

    started = time.monotonic()
    await limiter.process_request(call, (), {}, "editMessageText", {"chat_id": 9}, None)
    assert time.monotonic() - started > 0.8
