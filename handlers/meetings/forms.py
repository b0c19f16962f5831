"""Officers' meeting forms in Telegram: /newmeeting, editing, minutes, and closing an item.

Each answer is saved before the next question is shown; officers only, checked on every
message and button.
"""

from __future__ import annotations

import logging
from typing import cast

from telegram import InlineKeyboardMarkup, Update

from bot.core.access import NotAllowed
from bot.core.conversations import Conversation, Flow
from bot.core.errors import NoDraft, UserError
from bot.core.forms import read_form
from bot.meetings.drafts import MeetingDraft, Mode, Step
from bot.meetings.flow import Done, MeetingFlow
from handlers.kit.callbacks import encode, parse
from handlers.kit.common import language_for
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.render import escape, keyboard, send_text
from handlers.kit.replies import on_press, replace
from handlers.meetings.form_views import MEETING_FORM, FormViews
from handlers.meetings.jobs import wake
from handlers.meetings.views import ACTION_ITEM

log = logging.getLogger(__name__)


async def views_for(context: BotContext, language: str) -> FormViews:
    """Return the form views in a language."""
    services = context.services
    return FormViews(services.translate, services.reports.taxonomy, language)


async def _officer(context: BotContext, user_id: int, action: str) -> bool:
    """Ask the service whether this user may use the meeting form (a refusal is audited)."""
    try:
        await context.services.meetings.require_officer(user_id, action)
    except NotAllowed:
        return False
    return True


async def ask(context: BotContext, chat_id: int, draft: MeetingDraft, note: str = "") -> None:
    """Send the question of the form's current step, after a note (an error) if any."""
    lang = (await context.services.users.language_of(chat_id)).value
    views = await views_for(context, lang)
    text, rows = await _question(context, views, draft)
    await send_text(context.bot, chat_id, f"{note}\n\n{text}" if note else text, keyboard(rows))


async def _question(
    context: BotContext, views: FormViews, draft: MeetingDraft
) -> tuple[str, list[list[tuple[str, str]]]]:
    meetings = context.services.meetings
    counts = item = None
    if draft.mode is Mode.CLOSE and draft.meeting_id is not None:
        counts = await meetings.counts(draft.meeting_id)
    if draft.mode is Mode.OUTCOME and draft.action_id is not None:
        item = await meetings.action(draft.action_id)
    return views.question(draft, counts, item)


async def newmeeting_command(update: Update, context: BotContext) -> None:
    """Open a new meeting form (officers only)."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await views_for(context, (await language_for(update, context)).value)
    try:  # the flow checks the sender's role, and audits a refusal
        draft = await context.services.meeting_flow.start(sender.id)
    except NotAllowed:
        await send_text(context.bot, chat.id, views.say("access.officers_only"))
        return
    await ask(context, chat.id, draft)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle a form button: an answer, back, cancel, edit a field, or submit."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    views = await views_for(context, (await language_for(update, context)).value)
    if not await _officer(context, query.from_user.id, "meeting_form"):
        await query.answer(views.say("access.officers_only"), show_alert=True)
        return
    flow, uid, data, message = (
        context.services.meeting_flow,
        query.from_user.id,
        query.data,
        query.message,
    )

    async def move() -> MeetingDraft | None:
        """Carry out the press; return the form to ask about next, or None if answered."""
        pressed = parse(MEETING_FORM, data, parts=2)
        action, value = pressed.action, pressed.text(1, "")
        if action == "cancel":
            dropped = await flow.cancel(uid)
            await query.answer()
            note = "meeting.form_cancelled" if dropped else "meeting.no_form"
            await replace(context, message, views.say(note), None)
            return None
        if action == "submit":
            done = await flow.submit(uid)
            await query.answer()
            await replace(context, message, _done_text(views, done), None)
            wake(cast(BotApplication, context.application))
            return None
        if action == "opage":  # another page of the offices: the form itself does not change
            await _office_page(flow, uid)
            await query.answer()
            text, rows = views.audience_offices(pressed.number(1))
            await replace(context, message, text, keyboard(rows))
            return None
        if action == "back":
            return await flow.back(uid)
        if action == "edit":
            return await flow.edit(uid, Step(value))
        return await flow.choose(uid, Step(action), value)

    draft = await on_press(query, views, move, gone="meeting.no_form")
    if draft is None:
        return
    await query.answer()
    text, rows = await _question(context, views, draft)
    await replace(context, query.message, text, keyboard(rows))


async def _office_page(flow: MeetingFlow, user_id: int) -> None:
    """Check the officer's form is at the audience's office list, or raise."""
    draft = await flow.draft_of(user_id)
    if draft is None:
        raise NoDraft(str(user_id))
    if draft.step is not Step.AUDIENCE_OFFICE:
        raise UserError("meeting.stale")


def _done_buttons(views: FormViews, done: Done) -> InlineKeyboardMarkup | None:
    """Offer to resolve the reports a done action item is linked to (their status follows)."""
    if done.mode is not Mode.OUTCOME or done.action is None or not done.action.references:
        return None
    label = views.say("action.resolve_reports", count=len(done.action.references))
    return keyboard([[(label, encode(ACTION_ITEM, "resolve", done.action.id))]])


def _done_text(views: FormViews, done: Done) -> str:
    """Return what the officer is told once a form is carried out."""
    if done.mode is Mode.OUTCOME and done.action is not None:
        key = "action.done_told" if done.action.references else "action.done"
        return views.say(key, what=escape(done.action.what), count=len(done.action.references))
    assert done.meeting is not None
    title = escape(done.meeting.title)
    if done.mode is Mode.CLOSE:
        return views.say("meeting.minutes_saved", title=title)
    if done.mode is Mode.EDIT:
        if not done.changed:
            return views.say("meeting.unchanged", title=title)
        fields = ", ".join(views.say(f"meeting.field.{name}") for name in done.changed)
        return views.say("meeting.updated", title=title, fields=fields)
    return views.say("meeting.created", title=title, when=views.when(done.meeting))


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take a typed answer for an open meeting form."""
    message = update.effective_message
    draft = read_form(conversation, Flow.MEETING, MeetingDraft)
    if message is None or draft is None:
        return False
    flow, user_id = context.services.meeting_flow, conversation.user_id
    views = await views_for(context, (await language_for(update, context)).value)
    chat_id = message.chat.id
    if not await _officer(context, user_id, "meeting_form"):
        await flow.cancel(user_id)
        await send_text(context.bot, chat_id, views.say("access.officers_only"))
        return True
    if message.text is None:
        await ask(context, chat_id, draft, views.say("meeting.error_type_text"))
        return True
    if draft.step is Step.AUDIENCE_OFFICE:  # part of an office's name: its matches
        text, rows = views.audience_offices(search=message.text)
        await send_text(context.bot, chat_id, text, keyboard(rows))
        return True
    try:
        draft = await flow.write(user_id, message.text, draft)
    except UserError as problem:
        await ask(context, chat_id, draft, views.say(problem.reason, **problem.params))
        return True
    except NoDraft:
        return True
    if draft.mode is Mode.OUTCOME and draft.outcome:  # one question: carry it out
        await _submit_typed(context, chat_id, views, user_id)
        return True
    await ask(context, chat_id, draft)
    return True


async def _submit_typed(context: BotContext, chat_id: int, views: FormViews, user_id: int) -> None:
    """Carry out a form whose last answer was typed, and say what it did."""
    try:
        done = await context.services.meeting_flow.submit(user_id)
    except NotAllowed:
        await context.services.meeting_flow.cancel(user_id)
        await send_text(context.bot, chat_id, views.say("access.officers_only"))
        return
    except UserError as problem:
        await context.services.meeting_flow.cancel(user_id)
        await send_text(context.bot, chat_id, views.say(problem.reason, **problem.params))
        return
    await send_text(context.bot, chat_id, _done_text(views, done), _done_buttons(views, done))
    wake(cast(BotApplication, context.application))
