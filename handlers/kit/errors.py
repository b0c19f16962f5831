"""The error handler: log what failed (never who), tell the user politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.kit.common import language_for
from handlers.kit.context import BotContext

log = logging.getLogger("bot.errors")


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure and apologise to the user if there is one."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # BadRequest and TimedOut subclass NetworkError: test the specific ones first.
    if isinstance(error, Forbidden):
        log.info("user unreachable", extra={"update_id": update_id, "error": str(error)})
        return
    if isinstance(error, BadRequest):
        log.error(
            "request refused by Telegram", extra={"update_id": update_id, "error": str(error)}
        )
    elif isinstance(error, (TimedOut, RetryAfter, NetworkError)):
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
