"""After a resolution the reporter says whether it is fixed, rates it 1-5, and may comment."""

from __future__ import annotations

import logging

from telegram import Update

from bot.followup.prompts import Awaited
from handlers.followup.views import SURVEY
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.context import BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import keyboard, send_text
from handlers.kit.replies import guarded, speaker_for

log = logging.getLogger(__name__)
RATINGS = ("1", "2", "3", "4", "5")
SHAPES = {"f": 3, "r": 4, "s": 2}  # how many parts follow "sv:" for each action


async def on_button(update: Update, context: BotContext) -> None:
    """Take "fixed?" (sv:f:<id>:<0|1>), the rating (sv:r:<id>:<0|1>:<1-5>), or skip (sv:s:<id>)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    services, uid, chat_id = context.services, query.from_user.id, query.message.chat.id
    views = await speaker_for(update, context)
    try:
        pressed = parse(SURVEY, query.data)
        action, rid = pressed.action, pressed.number(1)
        if SHAPES.get(action) != len(pressed):
            raise BadCallback(f"survey data {query.data!r} has the wrong shape")
        fixed = pressed.text(2) if action != "s" else "1"
        rating = pressed.text(3) if action == "r" else RATINGS[0]
        if fixed not in ("0", "1") or rating not in RATINGS:
            raise BadCallback(f"survey data {query.data!r} is out of range")
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    await query.answer()
    if action == "f":
        rows = [[(n, encode(SURVEY, "r", rid, fixed, n)) for n in RATINGS]]
        await query.edit_message_text(views.say("survey.ask_rating"), reply_markup=keyboard(rows))
    elif action == "r":
        work = services.satisfaction.rate(rid, uid, int(rating), fixed=fixed == "1")
        done = await guarded(context, chat_id, views, work)
        if done is None:
            return
        await send_notifications(context.bot, services, done.notifications)
        await services.prompts.expect(uid, Awaited.COMMENT, rid)
        key = "survey.thanks_reopened" if fixed == "0" else "survey.thanks"
        await query.edit_message_text(
            views.say(key, reference=done.reference, rating=rating),
            reply_markup=keyboard([[(views.say("survey.no_comment"), encode(SURVEY, "s", rid))]]),
        )
    elif action == "s":
        prompt = await services.prompts.pending(uid)
        if prompt is not None and prompt.awaited is Awaited.COMMENT:
            await services.prompts.done(uid)
        await send_text(context.bot, chat_id, views.say("survey.comment_skipped"))
