"""After a resolution the reporter says whether it is fixed, rates it 1-5, and may comment."""

from __future__ import annotations

import logging

from telegram import Update

from bot.followup.prompts import Awaited
from handlers.followup.notify import SURVEY_PREFIX
from handlers.kit.context import BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import keyboard, send_text
from handlers.kit.replies import guarded, speaker_for

log = logging.getLogger(__name__)
RATINGS = ("1", "2", "3", "4", "5")


async def on_button(update: Update, context: BotContext) -> None:
    """Take "fixed?" (sv:f:<id>:<0|1>), the rating (sv:r:<id>:<0|1>:<1-5>), or skip (sv:s:<id>)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    await query.answer()
    services, uid, chat_id = context.services, query.from_user.id, query.message.chat.id
    views = await speaker_for(update, context)
    parts = query.data.split(":")
    if len(parts) < 3 or not parts[2].isdigit():
        return
    action, rid = parts[1], int(parts[2])
    if action == "f" and len(parts) == 4 and parts[3] in ("0", "1"):
        rows = [[(n, f"{SURVEY_PREFIX}:r:{rid}:{parts[3]}:{n}") for n in RATINGS]]
        await query.edit_message_text(views.say("survey.ask_rating"), reply_markup=keyboard(rows))
    elif action == "r" and len(parts) == 5 and parts[3] in ("0", "1") and parts[4] in RATINGS:
        work = services.satisfaction.rate(rid, uid, int(parts[4]), fixed=parts[3] == "1")
        done = await guarded(context, chat_id, views, work)
        if done is None:
            return
        await send_notifications(context.bot, services, done.notifications)
        await services.prompts.expect(uid, Awaited.COMMENT, rid)
        key = "survey.thanks_reopened" if parts[3] == "0" else "survey.thanks"
        await query.edit_message_text(
            views.say(key, reference=done.reference, rating=parts[4]),
            reply_markup=keyboard([[(views.say("survey.no_comment"), f"{SURVEY_PREFIX}:s:{rid}")]]),
        )
    elif action == "s":
        prompt = await services.prompts.pending(uid)
        if prompt is not None and prompt.awaited is Awaited.COMMENT:
            await services.prompts.done(uid)
        await send_text(context.bot, chat_id, views.say("survey.comment_skipped"))
