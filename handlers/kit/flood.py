"""The inbound limit at the door: a user over FLOOD_LIMIT is told once, the rest is dropped.

Updates are screened as they arrive, before they wait for their chat's turn or take one of
the concurrent slots, so a flood neither queues up work nor delays other users' updates.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable
from typing import Any, cast

from telegram import CallbackQuery, Update
from telegram.error import TelegramError

from bot.container import Services
from bot.core.clock import Clock
from bot.core.flood import FloodLimit, InboundLimiter, Verdict
from handlers.kit.context import SERVICES_KEY, BotApplication
from handlers.kit.render import send_text

log = logging.getLogger(__name__)


class FloodGate:
    """Screen each update by its sender's count: handle it, tell the sender once, or drop it."""

    def __init__(self, app: BotApplication, limit: FloodLimit, clock: Clock) -> None:
        self._app = app
        self._limiter = InboundLimiter(limit, clock)

    def screen(self, update: object, work: Awaitable[Any]) -> Awaitable[Any] | None:
        """Return what to run for this update: its own work, the notice instead, or nothing."""
        sender = update.effective_user if isinstance(update, Update) else None
        if sender is None or not isinstance(update, Update):
            return work
        verdict, dropped = self._limiter.admit(sender.id)
        if dropped:  # no identity in the logs: the sender may be an anonymous reporter
            log.info("flood over: updates dropped", extra={"dropped": dropped})
        if verdict is Verdict.HANDLE:
            return work
        _discard(work)
        if verdict is Verdict.DROP:
            return _settle(update.callback_query)
        log.warning(
            "flood limit reached: the sender was told, further updates are dropped",
            extra={"limit": str(self._limiter.limit)},
        )
        return self._notify(update)

    async def _notify(self, update: Update) -> None:
        """Tell the sender, in their language, that the bot is ignoring messages for a while."""
        if update.callback_query is not None:
            await _answered(update.callback_query)
        chat, sender = update.effective_chat, update.effective_user
        if chat is None or sender is None or chat.type != chat.PRIVATE:
            return  # in a group, dropping quietly is kinder than a notice to everyone
        services = cast(Services, self._app.bot_data[SERVICES_KEY])
        language = await services.users.language_of(sender.id, sender.language_code)
        seconds = int(self._limiter.limit.window.total_seconds())
        text = services.translate(language.value, "flood.slow_down", seconds=seconds)
        try:
            await send_text(self._app.bot, chat.id, text)
        except TelegramError as error:
            log.warning("flood notice not sent", extra={"error": type(error).__name__})


def _settle(query: CallbackQuery | None) -> Awaitable[Any] | None:
    """Return the quiet answer a dropped button press still gets (its spinner stops), if any."""
    return None if query is None else _answered(query)


async def _answered(query: CallbackQuery) -> None:
    """Answer a press without a word (an answer is not a message: no flood limit counts it)."""
    try:
        await query.answer()
    except TelegramError as error:
        log.info("dropped press not answered", extra={"error": type(error).__name__})


def _discard(work: Awaitable[Any]) -> None:
    """Close an update's work that will never run (no "never awaited" warning)."""
    if inspect.iscoroutine(work):
        work.close()
