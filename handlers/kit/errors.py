"""The error handler: log what failed (never who), tell the user politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.core.outbox import Outcome
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.outbox import classify

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure and apologise to the user if there is one."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    outcome = classify(error).outcome if isinstance(error, TelegramError) else None
    if outcome is Outcome.BLOCKED:
        log.info("user unreachable", extra={"update_id": update_id, "error": str(error)})
        return
    if outcome is Outcome.REJECTED:
        log.error(
            "request refused by Telegram", extra={"update_id": update_id, "error": str(error)}
        )
    elif outcome is not None:  # 429, or the network: nothing the user could be told about
        log.warning("network trouble", extra={"update_id": update_id, "error": repr(error)})
        return
    else:
        log.error(
            "handler failed",
            exc_info=(type(error), error, error.__traceback__) if error else None,
            extra={"update_id": update_id},
        )
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = (await language_for(update, context)).value
        try:
            await context.bot.send_message(
                update.effective_chat.id, context.services.translate(lang, "error.generic")
            )
        except Exception:  # nothing more can be done for this user
            log.warning("could not apologise", extra={"update_id": update_id})
