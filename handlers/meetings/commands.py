"""/meetings, answers to invitations, meeting cards and calendar files, and /actions.

Roles are checked on every command and every button: callback data can be forged.
"""

from __future__ import annotations

import logging
from typing import cast

from telegram import CallbackQuery, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.core.access import NotAllowed
from bot.core.errors import UserError
from bot.core.users import User
from bot.meetings.drafts import MeetingDraft
from bot.meetings.ics import calendar_file, file_name, uid_domain
from bot.meetings.model import MeetingStatus, Rsvp
from bot.reporting.model import Status
from handlers.kit.callbacks import BadCallback, encode, parse
from handlers.kit.common import language_for, registered_sender
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import escape, keyboard, send_text
from handlers.kit.replies import on_press, replace
from handlers.meetings import forms as meeting_forms
from handlers.meetings.form_views import MEETING_FORM
from handlers.meetings.jobs import wake
from handlers.meetings.views import ACTION_ITEM, MEETING_CARD, RSVP, MeetingViews, short

log = logging.getLogger(__name__)
MAX_ACTION_BUTTONS = 20


def commands(private: filters.BaseFilter) -> list[BaseHandler[Update, BotContext, None]]:
    """Return the meeting commands: /meetings for everyone, /newmeeting and /actions."""
    return [
        CommandHandler("meetings", meetings_command, filters=private),
        CommandHandler("newmeeting", meeting_forms.newmeeting_command, filters=private),
        CommandHandler("actions", actions_command, filters=private),
    ]


def buttons() -> list[BaseHandler[Update, BotContext, None]]:
    """Return the meeting buttons: answers, cards, officers' forms and action items."""
    return [
        CallbackQueryHandler(on_rsvp, pattern=RSVP.pattern),
        CallbackQueryHandler(on_button, pattern=MEETING_CARD.pattern),
        CallbackQueryHandler(meeting_forms.on_button, pattern=MEETING_FORM.pattern),
        CallbackQueryHandler(on_action_button, pattern=ACTION_ITEM.pattern),
    ]


async def views_for(update: Update, context: BotContext) -> MeetingViews:
    """Return the meeting views in the sender's language."""
    lang = (await language_for(update, context)).value
    services = context.services
    return MeetingViews(services.translate, services.reports.taxonomy, lang)


async def meetings_command(update: Update, context: BotContext) -> None:
    """List upcoming meetings with the user's answer (officers: all, and those to write up)."""
    chat = update.effective_chat
    if chat is None:
        return
    views = await views_for(update, context)
    user = await registered_sender(update, context)
    if user is None or not user.onboarded:
        await send_text(context.bot, chat.id, views.say("meeting.finish_onboarding"))
        return
    meetings = context.services.meetings
    if await meetings.is_officer(user.id):
        listed = [(m, None) for m in await meetings.listing_for_officer(user.id)]
        text, rows = views.listing(listed, with_answer=False)
        text += "\n\n" + views.say("meeting.officer_hint")
    else:
        text, rows = views.listing(await meetings.visible_to(user))
    await send_text(context.bot, chat.id, text, keyboard(rows) if rows else None)


async def actions_command(update: Update, context: BotContext) -> None:
    """List open action items, each with a button to mark it done (officers only)."""
    chat = update.effective_chat
    if chat is None:
        return
    views = await views_for(update, context)
    sender = update.effective_user
    services = context.services
    try:  # the service checks the sender's role, and audits a refusal
        items = await services.meetings.actions_for(sender.id if sender else 0)
    except NotAllowed:
        await send_text(context.bot, chat.id, views.say("access.officers_only"))
        return
    if not items:
        await send_text(context.bot, chat.id, views.say("action.none_open"))
        return
    today = services.meetings.today()
    lines = [views.say("action.list_title", count=len(items))]
    lines += [f"{n}. {views.action_line(item, today)}" for n, item in enumerate(items, 1)]
    rows = [
        [(f"✅ {n}. {short(item.what, 40)}", encode(ACTION_ITEM, "done", item.id))]
        for n, item in enumerate(items[:MAX_ACTION_BUTTONS], 1)
    ]
    await send_text(context.bot, chat.id, "\n".join(lines), keyboard(rows))


async def on_rsvp(update: Update, context: BotContext) -> None:
    """Store an answer (attend / maybe / cannot) and show the card with it."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    views = await views_for(update, context)
    try:
        pressed = parse(RSVP, query.data, parts=2)
        meeting_id, answer = pressed.number(0), Rsvp(pressed.text(1))
        user = await registered_sender(update, context)
        meeting = await context.services.meetings.answer(meeting_id, user, answer)
    except UserError as problem:
        await query.answer(views.say(problem.reason, **problem.params), show_alert=True)
        return
    except ValueError:
        await query.answer(views.say("button.stale"))
        return
    assert user is not None
    log.info("meeting answered", extra={"meeting": meeting.id, "answer": answer.value})
    await query.answer(views.say("rsvp.saved", answer=views.answer(answer)))
    await _show_card(context, query, views, user, meeting.id, edit=True)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle a meeting card's buttons: open, calendar file, edit, cancel, minutes."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    views = await views_for(update, context)
    try:
        pressed = parse(MEETING_CARD, query.data, parts=2)
        action, meeting_id = pressed.action, pressed.number(1)
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    user = await registered_sender(update, context)
    if user is None or not user.onboarded:
        await query.answer(views.say("meeting.finish_onboarding"), show_alert=True)
        return
    try:
        if action == "open":
            await _show_card(context, query, views, user, meeting_id, edit=False)
            await query.answer()
        elif action == "ics":
            await _send_ics(context, query, views, user, meeting_id)
        elif action in ("edit", "cancel", "cancelyes", "keep", "minutes"):
            await _officer_action(context, query, views, user, (action, meeting_id))
        else:
            await query.answer(views.say("button.stale"))
    except UserError as problem:
        await query.answer(views.say(problem.reason, **problem.params), show_alert=True)


async def _show_card(
    context: BotContext,
    query: CallbackQuery,
    views: MeetingViews,
    user: User,
    meeting_id: int,
    *,
    edit: bool,
) -> None:
    """Show a meeting's card: edit the pressed message, or send a new one."""
    card = await context.services.meetings.card(meeting_id, user)
    meeting = card.meeting
    rows = []
    if meeting.is_upcoming(context.services.meetings.now()):
        rows += views.rsvp_rows(meeting, card.answer)
    elif meeting.status is not MeetingStatus.CANCELLED:
        rows.append([(views.say("meeting.button_ics"), encode(MEETING_CARD, "ics", meeting.id))])
    if card.officer:
        rows += views.officer_rows(meeting, context.services.meetings.now())
    text = views.card(meeting, card.answer, card.counts)
    markup = keyboard(rows) if rows else None
    if edit and query.message is not None:
        await replace(context, query.message, text, markup)
    elif query.message is not None:
        await send_text(context.bot, query.message.chat.id, text, markup)


async def _send_ics(
    context: BotContext, query: CallbackQuery, views: MeetingViews, user: User, meeting_id: int
) -> None:
    card = await context.services.meetings.card(meeting_id, user)
    await query.answer()
    if query.message is not None:
        domain = uid_domain(context.services.settings.ics_domain, context.bot.username)
        await context.bot.send_document(
            query.message.chat.id,
            calendar_file(card.meeting, domain=domain),
            filename=file_name(card.meeting),
            caption=views.say("meeting.ics_caption"),
        )


async def _officer_action(
    context: BotContext,
    query: CallbackQuery,
    views: MeetingViews,
    user: User,
    pressed: tuple[str, int],
) -> None:
    """Edit, cancel or write up a meeting: officers only."""
    try:  # every branch below asks the service, which checks the role and audits a refusal
        await _officer_step(context, query, views, user, pressed)
    except NotAllowed:
        await query.answer(views.say("access.officers_only"), show_alert=True)


async def _officer_step(
    context: BotContext,
    query: CallbackQuery,
    views: MeetingViews,
    user: User,
    pressed: tuple[str, int],
) -> None:
    """Carry out an officer's meeting button (the services refuse anyone else)."""
    action, meeting_id = pressed
    assert query.message is not None
    meetings, chat_id = context.services.meetings, query.message.chat.id
    if action == "edit":
        draft = await context.services.meeting_flow.start_edit(user.id, meeting_id)
        await query.answer()
        await meeting_forms.ask(context, chat_id, draft)
    elif action == "minutes":
        draft = await context.services.meeting_flow.start_minutes(user.id, meeting_id)
        await query.answer()
        await meeting_forms.ask(context, chat_id, draft)
    elif action == "cancel":
        meeting = await meetings.editable_by(user.id, meeting_id)
        await query.answer()
        rows = [
            [(views.say("meeting.cancel_yes"), encode(MEETING_CARD, "cancelyes", meeting.id))],
            [(views.say("meeting.cancel_keep"), encode(MEETING_CARD, "keep", meeting.id))],
        ]
        await send_text(
            context.bot, chat_id, views.say("meeting.cancel_confirm", title=escape(meeting.title)),
            keyboard(rows),
        )  # fmt: skip
    elif action == "keep":
        await meetings.require_officer(user.id, "meeting_cancel")
        await query.answer()
        await replace(context, query.message, views.say("meeting.cancel_kept"), None)
    else:
        meeting = await meetings.cancel_by(user.id, meeting_id)
        counts = await meetings.counts(meeting_id)
        told = counts.attend + counts.maybe + counts.cannot
        log.info("meeting cancelled", extra={"meeting": meeting.id})
        await query.answer()
        text = views.say("meeting.cancel_done", title=escape(meeting.title), count=told)
        await replace(context, query.message, text, None)
        wake(cast(BotApplication, context.application))


async def resolve_reports(
    update: Update, context: BotContext, views: MeetingViews, actor: int
) -> None:
    """Resolve the open reports a done action item is linked to: each reporter is told and
    asked "Is it fixed?", supporters are told (follow-up checks the officer's role)."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    services = context.services
    try:
        item = await services.meetings.action(parse(ACTION_ITEM, query.data).number(1))
    except BadCallback:
        item = None
    if item is None or item.done_at is None:
        await query.answer(views.say("button.stale"), show_alert=True)
        return
    resolved: list[str] = []
    for reference in item.references:
        try:
            done = await services.followup.set_status(actor, reference, Status.RESOLVED)
        except NotAllowed:
            await query.answer(views.say("access.officers_only"), show_alert=True)
            return
        except UserError:  # closed already (resolved, rejected, a duplicate): left as it is
            continue
        resolved.append(done.reference)
        await send_notifications(context.bot, services, done.notifications)
    await query.answer()
    text = (
        views.say("action.reports_resolved", references=", ".join(resolved))
        if resolved
        else views.say("action.reports_closed_already")
    )
    if isinstance(query.message, Message) and query.message.text_html:
        text = f"{query.message.text_html}\n\n{text}"  # the outcome stays, the button goes
    await replace(context, query.message, text, None)


async def on_action_button(update: Update, context: BotContext) -> None:
    """Start marking an action item done: its outcome is asked next (officers only)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    views = await views_for(update, context)
    user = await registered_sender(update, context)
    if user is None:
        await query.answer(views.say("access.officers_only"), show_alert=True)
        return
    data, actor = query.data, user.id
    if data.startswith(encode(ACTION_ITEM, "resolve", "")):
        await resolve_reports(update, context, views, actor)
        return

    async def start() -> MeetingDraft:
        """Open the outcome form of the pressed item (the flow checks the role, audited)."""
        pressed = parse(ACTION_ITEM, data, parts=2)
        if pressed.action != "done":
            raise BadCallback(f"unknown action-item button {pressed.action!r}")
        return await context.services.meeting_flow.start_outcome(actor, pressed.number(1))

    draft = await on_press(query, views, start, gone="meeting.no_form")
    if draft is None:
        return
    await query.answer()
    await meeting_forms.ask(context, query.message.chat.id, draft)
