"""Forms left idle: one sweep for every flow, telling each writer in their flow's words."""

from __future__ import annotations

import logging

from bot.core.conversations import Flow
from handlers.kit.context import BotContext

log = logging.getLogger(__name__)
DROPPED_NOTE = "conversation.dropped"
IDLE_NOTES: dict[Flow, str | None] = {
    Flow.REPORT: "report.draft_dropped",
    Flow.COMMENT: None,  # a comment wait ends quietly (it lapses after an hour anyway)
}
KEPT_WHEN_IDLE = (Flow.NOTICE,)  # the draft notice waits for /broadcast, however long


async def drop_idle_forms(context: BotContext) -> None:
    """Drop forms idle for a day, and tell their writers."""
    services = context.services
    for dropped in await services.forms.drop_idle(keep=KEPT_WHEN_IDLE):
        key = IDLE_NOTES.get(dropped.flow, DROPPED_NOTE)
        if key is None:
            continue
        lang = (await services.users.language_of(dropped.user_id)).value
        try:
            await context.bot.send_message(dropped.user_id, services.translate(lang, key))
        except Exception:  # the notice is a courtesy; the form is already gone
            log.info("could not tell about a dropped form", exc_info=True)
