"""The bot-wide send budget in Telegram: the rate limiter every request goes through (each
chat in its own turn, so one chat's backlog or 429 never holds back another's answers), and
the small waits (a chat's turn, Telegram's 429) that senders outside the delivery engine share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar, cast

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

from bot.container import Services
from bot.core.outbox import Outcome, Sent
from bot.core.pacing import REAL_TEMPO, SENDING_METHODS, Pace, SendBudget, Tempo
from handlers.kit.context import SERVICES_KEY, BotApplication
from handlers.kit.metrics import count_pause
from handlers.kit.outbox import attempt, retry_seconds

BROADCASTING: ContextVar[bool] = ContextVar("broadcasting", default=False)
Callback = Callable[..., Coroutine[Any, Any, Any]]
T = TypeVar("T")
PACED_KEY = "outbox:paced"
REPLY_TRIES = 4  # a reply Telegram asked to wait for is tried again, in its chat's next turn


class BudgetLimiter(BaseRateLimiter[None]):
    """Note every message the bot sends in the shared budget, each chat in its own turn.

    Broadcast calls (marked by BROADCASTING) were paced and noted by the delivery engine and go
    straight out. Any other message waits for its chat's turn (one a second, and a 429 for that
    chat pauses that chat alone), then for room in the window behind the chats ready before;
    it is tried again (REPLY_TRIES in all) when Telegram asks to wait. The inner limiter (for
    groups' per-minute limit), if any, still applies; it must not retry or pause by itself.
    """

    def __init__(self, budget: SendBudget, inner: BaseRateLimiter[int] | None = None) -> None:
        self.budget = budget
        self._inner = inner
        self.answered_at: float | None = None  # time.monotonic() of the last call that succeeded

    async def initialize(self) -> None:
        """Open the inner limiter."""
        if self._inner is not None:
            await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the inner limiter."""
        if self._inner is not None:
            await self._inner.shutdown()

    async def process_request(  # noqa: PLR0917 - PTB's signature
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        """Make the call, counted in the budget, through the inner limiter if there is one."""
        if BROADCASTING.get():
            return await callback(*args, **kwargs)
        call: Callback = partial(self._answered, callback)
        if endpoint.lower() in SENDING_METHODS:
            call = partial(self._in_turn, call, _chat_id(data))
        if self._inner is not None:
            return await self._inner.process_request(call, args, kwargs, endpoint, data, None)
        return await call(*args, **kwargs)

    async def _answered(self, callback: Callback, *args: Any, **kwargs: Any) -> Any:
        """Make the call and note when Telegram last answered (for /healthz)."""
        answer = await callback(*args, **kwargs)
        self.answered_at = time.monotonic()
        return answer

    async def _in_turn(
        self, callback: Callback, chat: int | None, *args: Any, **kwargs: Any
    ) -> Any:
        """Send in the chat's turn; on a 429 pause that chat (or all, if none) and try again."""
        for tried in range(1, REPLY_TRIES + 1):
            token = await self.budget.reply_slot(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                count_pause()
                if chat is None:
                    self.budget.pause(retry_seconds(error))
                else:
                    self.budget.pause_chat(chat, retry_seconds(error))
                if tried == REPLY_TRIES:
                    raise
            finally:
                self.budget.done(token, chat)
        raise AssertionError("unreachable")


def _chat_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def budget_limiter(
    overall: float, inner: BaseRateLimiter[int] | None, tempo: Tempo = REAL_TEMPO
) -> BudgetLimiter:
    """Return the limiter that shares API_RATE_LIMIT between replies and broadcasts."""
    return BudgetLimiter(SendBudget(overall, clock=tempo.monotonic, sleep=tempo.sleep), inner)


def budget_of(bot: ExtBot[None], overall: float) -> SendBudget:
    """Return the bot's shared send budget (a fresh one if the bot was built without it)."""
    limiter = bot.rate_limiter
    return limiter.budget if isinstance(limiter, BudgetLimiter) else SendBudget(overall)


async def patiently(call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Make a call, waiting and trying again (twice at most) while Telegram asks to wait."""
    tries = 3
    for tried in range(1, tries + 1):
        try:
            return await call(*args, **kwargs)
        except RetryAfter as error:
            if tried == tries:
                raise
            await asyncio.sleep(retry_seconds(error))
    raise AssertionError("unreachable")


async def chat_turn(budget: SendBudget, chat_id: int) -> None:
    """Wait until the chat may get another message (Telegram: one a second per chat)."""
    wait = budget.chat_wait(chat_id)
    if wait > 0:
        await budget.sleep(wait)


class PacedSender:
    """Send what the bot sends many people on its own at the broadcast pace, one call at a time.

    It shares the notices' pace and the bot-wide budget: a slot is taken only when the pace,
    the replies' reserve, a 429 pause and the chat's one-a-second allow it, and the call then
    goes out marked as a broadcast (already noted here, not counted twice by the limiter).
    """

    def __init__(self, budget: SendBudget, pace: Pace) -> None:
        self.budget = budget
        self.pace = pace

    async def turn(self, chat_id: int) -> None:
        """Wait for a slot to send this chat a message."""
        while True:
            delay = max(
                self.pace.wait(),
                self.budget.room_wait(),
                self.budget.paused_for(),
                self.budget.chat_wait(chat_id),
            )
            if delay <= 0:
                return
            await self.budget.sleep(delay)

    async def send(self, chat_id: int, make: Callable[[], Awaitable[object]]) -> Sent:
        """Wait for a slot, make the call, and return its outcome (a 429 pauses everything)."""
        await self.turn(chat_id)
        self.pace.take()  # taken at once, with no wait between the look and the taking
        token = self.budget.note(chat_id)
        marked = BROADCASTING.set(True)
        try:
            result = await attempt(make())
        finally:
            BROADCASTING.reset(marked)
            self.budget.done(token, chat_id)
        if result.outcome is Outcome.RETRY_AFTER:
            self.budget.pause(result.wait)
            count_pause()
        return result


def paced_sender(app: BotApplication) -> PacedSender:
    """Return the application's paced sender, sharing the delivery engine's pace and budget."""
    sender = app.bot_data.get(PACED_KEY)
    if not isinstance(sender, PacedSender):
        engine = cast(Services, app.bot_data[SERVICES_KEY]).notice_delivery
        sender = app.bot_data[PACED_KEY] = PacedSender(engine.budget, engine.pace)
    return sender
