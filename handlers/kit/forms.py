"""Forms left idle: dropped when they fall due, telling each writer in their flow's words."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.container import Services
from bot.core.conversations import Flow
from handlers.kit.context import BotApplication
from handlers.kit.due import DueTimer

log = logging.getLogger(__name__)
DROPPED_NOTE = "conversation.dropped"
IDLE_NOTES: dict[Flow, str | None] = {
    Flow.REPORT: "report.draft_dropped",
    Flow.COMMENT: None,  # a comment wait ends quietly (it lapses after an hour anyway)
}
KEPT_WHEN_IDLE = (Flow.NOTICE,)  # the draft notice waits for /broadcast, however long


async def drop_idle_forms(app: BotApplication) -> datetime:
    """Drop forms idle for a day, tell their writers; return when the next one falls idle."""
    services: Services = app.bot_data["services"]
    for dropped in await services.forms.drop_idle(keep=KEPT_WHEN_IDLE):
        key = IDLE_NOTES.get(dropped.flow, DROPPED_NOTE)
        if key is None:
            continue
        lang = (await services.users.language_of(dropped.user_id)).value
        try:
            await app.bot.send_message(dropped.user_id, services.translate(lang, key))
        except Exception:  # the notice is a courtesy; the form is already gone
            log.info("could not tell about a dropped form", exc_info=True)
    return await services.forms.next_idle_at(keep=KEPT_WHEN_IDLE)


# One timer armed to the moment the next open form falls idle (at most a day ahead, since a
# form saved later falls idle later still): no periodic sweep.
IDLE_FORMS = DueTimer("drop-idle-drafts", drop_idle_forms)
