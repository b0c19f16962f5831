"""An officer acting on a report: assign, change status, reply, ask, note; typed answers."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from typing import cast

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.core.access import NotAllowed
from bot.core.conversations import Conversation
from bot.core.numbers import read_number
from bot.core.users import Access
from bot.followup.model import Done
from bot.followup.prompts import Awaited, prompt_of
from bot.reporting.model import Status
from handlers.followup.card import refresh_card, send_files
from handlers.followup.group import group_views, officers_group, refresh_everywhere
from handlers.followup.inbox import officer_views, show_history
from handlers.followup.jobs import wake_reasks
from handlers.followup.views import REPORT_ACTIONS, OfficerViews
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import keyboard, send_text
from handlers.kit.replies import guarded, refusal_key
from handlers.reporting.views import REPORT_FORM

STATUSES = {status.value for status in Status}
PROMPTS = {"rp": Awaited.REPLY, "ri": Awaited.INFO, "nt": Awaited.NOTE,
           "rj": Awaited.REJECT, "dp": Awaited.DUPLICATE}  # fmt: skip


async def on_button(update: Update, context: BotContext) -> None:
    """Act on a report from its card: fu:<action>:<report id>[:<argument>]."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    services, officer = context.services, query.from_user.id
    views = await officer_views(update, context)
    try:
        pressed = parse(REPORT_ACTIONS, query.data)
        action, rid, arg = pressed.action, pressed.number(1), pressed.text(2, "")
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    followup, chat_id = services.followup, officer
    card = query.message.message_id if query.message is not None else None
    if card is not None and await _refused_in_group(context, views, query):
        return
    # Every action checks the caller's role in the service, whatever the button said.
    if action == "me":
        await finish(
            context, views, query, followup.assign(officer, rid, officer), what="take", card=card
        )
    elif action == "at" and (target := read_number(arg)) is not None:  # 0: nobody
        work = followup.assign(officer, rid, target or None)
        await finish(context, views, query, work, what="assign")
    elif action == "st" and arg in STATUSES:
        work = followup.set_status(officer, rid, Status(arg))
        await finish(context, views, query, work, what="status", card=card)
    else:
        await query.answer()
    if action == "as":
        await choose_officer(context, views, chat_id, officer, rid)
    elif action == "hi":
        await show_history(context, chat_id, officer, views, rid)
    elif action == "fi":
        view = await guarded(context, chat_id, views, services.inbox.open_report(officer, rid))
        if view is not None:
            await send_files(context, chat_id, views, view)
    elif action in PROMPTS:
        view = await guarded(context, chat_id, views, services.inbox.open_report(officer, rid))
        if view is None:
            return
        awaited = PROMPTS[action]
        await services.prompts.expect(officer, awaited, rid)
        await ask(
            context,
            views,
            chat_id,
            rid,
            views.say(f"followup.prompt_{awaited}", reference=view.reference),
        )


async def _refused_in_group(context: BotContext, views: OfficerViews, query: CallbackQuery) -> bool:
    """Refuse, on the presser's screen, a non-officer pressing a card in the officers' group
    (in private, the service refuses and says so in the chat)."""
    message = query.message
    if message is None or not officers_group(context, message.chat.id):
        return False
    try:
        await context.services.team.access.require(query.from_user.id, Access.OFFICER, "card")
    except NotAllowed as refusal:
        await query.answer(views.say(refusal_key(refusal)), show_alert=True)
        return True
    return False


async def ask(
    context: BotContext,
    views: OfficerViews,
    chat_id: int,
    rid: int,
    text: str,
    *,
    cancel: bool = True,
) -> None:
    """Send a prompt (or a confirmation, without Cancel) beside the card, replacing the
    previous prompt or confirmation there."""
    cards = context.services.cards
    place = await cards.place(chat_id, rid)
    if place is not None and place.prompt_message_id is not None:
        with contextlib.suppress(BadRequest):  # already gone, or too old to delete: it stays
            await context.bot.delete_message(chat_id, place.prompt_message_id)
    buttons = [[(views.say("button.cancel"), encode(REPORT_FORM, "cancel"))]] if cancel else []
    sent = await send_text(context.bot, chat_id, text, keyboard(buttons) if buttons else None)
    await cards.prompted(chat_id, rid, sent.message_id)


async def confirm(
    context: BotContext, views: OfficerViews, chat_id: int, rid: int, text: str
) -> None:
    """Turn the prompt beside the card into the confirmation (a new message if it is gone)."""
    cards = context.services.cards
    place = await cards.place(chat_id, rid)
    if place is not None and place.prompt_message_id is not None:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=place.prompt_message_id
            )
            return
        except BadRequest:
            pass  # deleted or too old: say it anew
    sent = await send_text(context.bot, chat_id, text)
    await cards.prompted(chat_id, rid, sent.message_id)


async def choose_officer(
    context: BotContext, views: OfficerViews, chat_id: int, officer: int, rid: int
) -> None:
    """Offer the team as buttons to assign the report to."""
    team = await guarded(context, chat_id, views, context.services.team.team(officer))
    if team is None:
        return
    rows = [[(member.name, encode(REPORT_ACTIONS, "at", rid, member.user_id))] for member in team]
    rows.append([(views.say("followup.btn.unassign"), encode(REPORT_ACTIONS, "at", rid, "0"))])
    await send_text(context.bot, chat_id, views.say("followup.choose_officer"), keyboard(rows))


async def finish(
    context: BotContext,
    views: OfficerViews,
    query: CallbackQuery,
    work: Awaitable[Done],
    *,
    what: str,
    card: int | None = None,
) -> None:
    """Run an action, tell whom it concerns, confirm what changed to the officer (a short
    notice on their screen) and edit the card in place, in private and in the group."""
    officer, message = query.from_user.id, query.message
    group = message.chat.id if message and officers_group(context, message.chat.id) else None
    done = await guarded(context, officer, views, work)
    if done is None:
        await query.answer()
        return
    status = views.say(f"status.{done.status}")
    await query.answer(views.say(f"followup.done_{what}", reference=done.reference, status=status))
    await send_notifications(context.bot, context.services, done.notifications)
    wake_reasks(cast(BotApplication, context.application))  # a survey may have been asked
    if group is not None:  # pressed in the group: that card, then the officer's own if shown
        gviews = group_views(context)
        await refresh_card(context, group, officer, gviews, done.report_id, message_id=card)
        if await context.services.cards.place(officer, done.report_id) is not None:
            await refresh_card(context, officer, officer, views, done.report_id)
        return
    await refresh_card(context, officer, officer, views, done.report_id, message_id=card)
    group_id = context.services.settings.officers_chat_id
    if group_id is not None and await context.services.cards.place(group_id, done.report_id):
        await refresh_card(context, group_id, officer, group_views(context), done.report_id)


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take the typed answer an officer's action (or a reporter's comment) waits for."""
    message, sender = update.effective_message, update.effective_user
    prompt = prompt_of(conversation)
    if message is None or sender is None or prompt is None:
        return False
    services = context.services
    views = await officer_views(update, context)
    text, rid, uid = message.text, prompt.report_id, sender.id
    work: Awaitable[Done]
    if text is None:
        await send_text(context.bot, message.chat.id, views.say("followup.error_text_only"))
        return True
    if prompt.awaited is Awaited.COMMENT:
        work = services.satisfaction.comment(rid, uid, text)
    elif prompt.awaited is Awaited.REPLY:
        work = services.followup.reply(uid, rid, text)
    elif prompt.awaited is Awaited.INFO:
        work = services.followup.request_info(uid, rid, text)
    elif prompt.awaited is Awaited.NOTE:
        work = services.followup.note(uid, rid, text)
    elif prompt.awaited is Awaited.REJECT:
        work = services.followup.set_status(uid, rid, Status.REJECTED, reason=text)
    else:
        work = services.followup.set_status(uid, rid, Status.DUPLICATE, duplicate_of=text)
    done = await guarded(context, message.chat.id, views, work)  # bad input: they may retry
    if done is not None:
        await services.prompts.done(uid)
        await send_notifications(context.bot, services, done.notifications)
        if prompt.awaited is Awaited.COMMENT:
            await send_text(context.bot, message.chat.id, views.say("survey.comment_thanks"))
        else:
            said = views.say(f"followup.done_{prompt.awaited}", reference=done.reference)
            await confirm(context, views, message.chat.id, done.report_id, said)
            await refresh_everywhere(context, uid, views, done.report_id)
    return True


async def on_file_reply(update: Update, context: BotContext) -> bool:
    """Take an officer's reply to a report's forwarded file as a reply to the reporter that
    names the file (with its caption); False if the message answers no such file."""
    message, sender = update.effective_message, update.effective_user
    if message is None or sender is None or not message.text or message.reply_to_message is None:
        return False
    services = context.services
    shown = await services.cards.file(message.chat.id, message.reply_to_message.message_id)
    if shown is None:
        return False
    views = await officer_views(update, context)
    chat_id, uid = message.chat.id, sender.id
    view = await guarded(context, chat_id, views, services.inbox.open_report(uid, shown.report_id))
    if view is None:
        return True
    about = services.translate(view.language, "followup.file_reply", number=shown.position + 1)
    caption = view.files[shown.position].caption if shown.position < len(view.files) else None
    quoted = f"{about}\n«{caption[:200]}»\n\n" if caption else f"{about}\n\n"
    done = await guarded(
        context,
        chat_id,
        views,
        services.followup.reply(uid, shown.report_id, quoted + message.text),
    )
    if done is None:
        return True
    await send_notifications(context.bot, services, done.notifications)
    said = views.say("followup.done_reply", reference=done.reference)
    await ask(context, views, chat_id, done.report_id, said, cancel=False)
    await refresh_everywhere(context, uid, views, done.report_id)
    return True
