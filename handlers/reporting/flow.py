"""The report flow: /report, the main-menu button, or a message turned into a report."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.core.conversations import Conversation, Flow
from bot.core.errors import NoDraft, UserError
from bot.core.forms import read_form
from bot.reporting.drafts import Draft, Step
from bot.reporting.model import Attachment, AttachmentKind, Report
from bot.reporting.service import RateLimited
from handlers.kit.callbacks import encode, parse
from handlers.kit.common import is_private, language_for, registered_sender
from handlers.kit.context import BotContext
from handlers.kit.filed import report_filed
from handlers.kit.outbox import send_notifications
from handlers.kit.render import escape, fits, keyboard, send_text
from handlers.kit.replies import on_press, replace
from handlers.reporting.files import attachment_of, received_attachment
from handlers.reporting.views import REPORT_FORM, ReportViews

log = logging.getLogger(__name__)


async def views_for(update: Update, context: BotContext) -> ReportViews:
    """Return the report views in the sender's language."""
    lang = (await language_for(update, context)).value
    return ReportViews(context.services.translate, context.services.reports.taxonomy, lang)


async def ask(
    context: BotContext, chat_id: int, views: ReportViews, draft: Draft, note: str = ""
) -> None:
    """Send the question of the draft's current step, after a note (an error) if any."""
    text, rows = views.question(draft)
    await send_text(context.bot, chat_id, f"{note}\n\n{text}" if note else text, keyboard(rows))


async def begin(update: Update, context: BotContext) -> None:
    """Start a new report for an onboarded user in a private chat."""
    chat, sender = update.effective_chat, update.effective_user
    assert chat is not None and sender is not None
    views = await views_for(update, context)
    draft = await context.services.reports.start(sender.id)
    await ask(context, chat.id, views, draft)


async def report_command(update: Update, context: BotContext) -> None:
    """Start a report (in groups, point to a private chat)."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await views_for(update, context)
    if not is_private(update):
        link = f"https://t.me/{context.bot.username}?start=report"
        await send_text(context.bot, chat.id, views.say("group.private_only", link=link))
        return
    user = await registered_sender(update, context)
    if user is None or not user.onboarded:
        await send_text(context.bot, chat.id, views.say("help.finish_onboarding"))
        return
    await begin(update, context)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle a button of the report flow."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    reports, uid, data, message = (
        context.services.reports,
        query.from_user.id,
        query.data,
        query.message,
    )
    views = await views_for(update, context)

    async def move() -> Draft | None:
        """Carry out the press; return the draft to ask about next, or None if answered."""
        pressed = parse(REPORT_FORM, data)
        action, value = pressed.action, pressed.text(1, "")
        if action == "cancel":
            await query.answer()
            dropped = await reports.cancel(uid)
            note = views.say("report.cancelled" if dropped else "report.nothing_to_cancel")
            await replace(context, message, note, None)
            return None
        if action in ("submit", "new"):
            await _submit(update, context, views, value, as_new=action == "new")
            return None
        if action == "voice":
            await _add_voice(update, context, views, value)
            return None
        if action == "offer" and value == "no":
            await query.answer()
            await reports.cancel(uid)
            await replace(context, message, views.say("report.offer_declined"), None)
            return None
        if action == "offer":
            return await reports.accept_offer(uid)
        if action == Step.ATTACHMENTS and value == "near":
            return await reports.use_nearest_office(uid)
        if action == "opage":
            return await reports.browse_offices(uid, pressed.number(1))
        if action == "back":
            return await reports.back(uid)
        if action == "edit":
            return await reports.edit(uid, Step(value))
        return await reports.choose(uid, Step(action), value)

    draft = await on_press(query, views, move, gone="report.no_draft")
    if draft is None:
        return
    await query.answer()
    text, rows = views.question(draft)
    await replace(context, query.message, text, keyboard(rows))


async def _submit(
    update: Update, context: BotContext, views: ReportViews, key: str, *, as_new: bool = False
) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    reports = context.services.reports
    try:
        done = await reports.submit(query.from_user.id, views.lang, key, as_new=as_new)
    except RateLimited as limited:
        await query.answer()
        await send_text(
            context.bot,
            query.message.chat.id,
            views.say("report.rate_limited", limit=limited.limit, minutes=limited.wait_minutes),
        )
        return
    except NoDraft:
        await query.answer(views.say("report.no_draft"), show_alert=True)
        return
    except UserError as problem:
        await query.answer(views.say(problem.reason, **problem.params), show_alert=True)
        return
    await query.answer()
    if done.similar is not None:
        text, rows = views.similar(done.similar, key)
        await replace(context, query.message, text, keyboard(rows))
        return
    assert done.report is not None
    log.info("report submitted", extra={"report": done.report.reference, "new": done.created})
    summary = query.message.text_html if isinstance(query.message, Message) and not as_new else ""
    both = f"{summary}\n\n{confirmation(views, done.report)}".strip()
    if fits(both):
        await replace(context, query.message, both, None)
    else:
        await replace(context, query.message, summary, None)
        await send_text(context.bot, query.message.chat.id, confirmation(views, done.report))
    if done.created:  # a high-urgency report reaches the officers at once
        services = context.services
        await send_notifications(context.bot, services, await services.alerts.urgent(done.report))
        await report_filed(context, done.report)  # e.g. its card in the officers' forum


async def _add_voice(update: Update, context: BotContext, views: ReportViews, value: str) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    key = value.partition("-")[0]  # older buttons also named a report: never trusted
    try:
        match = await context.services.reports.add_voice(query.from_user.id, views.lang, key)
    except (NoDraft, LookupError):
        await query.answer(views.say("button.stale"), show_alert=True)
        return
    await query.answer()
    text = views.say("report.voice_added", reference=match.report.reference, count=match.size)
    await replace(context, query.message, text, None)


def confirmation(views: ReportViews, report: Report) -> str:
    """Return the message confirming a stored report."""
    key = "report.confirm_anonymous" if report.anonymous else "report.confirm"
    return views.say(key, reference=report.reference, status=views.say(f"status.{report.status}"))


async def offer(update: Update, context: BotContext) -> bool:
    """Offer to turn free text (no form open) into a report."""
    message, sender = update.effective_message, update.effective_user
    if message is None or sender is None or not message.text:
        return False
    views = await views_for(update, context)
    draft = await context.services.reports.offer(sender.id, message.text)
    await ask(context, message.chat.id, views, draft)
    return True


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Take a message for the open report draft."""
    message = update.effective_message
    draft = read_form(conversation, Flow.REPORT, Draft)
    if message is None or draft is None:
        return False
    reports, user_id = context.services.reports, conversation.user_id
    views = await views_for(update, context)
    chat_id = message.chat.id
    try:
        if message.text is not None:
            asked = draft.step
            draft = await reports.write(user_id, message.text, draft, views.lang)
            if asked is Step.OFFICE and draft.step is not Step.OFFICE:  # one office: taken
                office = reports.taxonomy.office(draft.office)
                name = escape(office.name(views.lang)) if office else ""
                await ask(
                    context, chat_id, views, draft, views.say("report.office_taken", office=name)
                )
                return True
        else:
            attachment = (  # fetched and checked only when the draft can take it
                await received_attachment(context, message, views)
                if draft.step is Step.ATTACHMENTS
                else attachment_of(message)
            )
            if attachment is None:
                raise UserError("report.error_unsupported")
            draft = await reports.attach(user_id, attachment, draft)
            if draft.step is Step.ATTACHMENTS:
                await _attachment_saved(context, views, chat_id, draft, attachment)
                return True
    except UserError as problem:
        await ask(context, chat_id, views, draft, views.say(problem.reason, **problem.params))
        return True
    await ask(context, chat_id, views, draft)
    return True


async def _attachment_saved(
    context: BotContext, views: ReportViews, chat_id: int, draft: Draft, attachment: Attachment
) -> None:
    """Confirm a file or location kept; for a location, offer the nearest office."""
    _, rows = views.question(draft)
    text = views.say("report.attachment_saved", count=len(draft.attachments))
    nearest = context.services.reports.nearest_office(draft)
    if attachment.kind is AttachmentKind.LOCATION and nearest and nearest.code != draft.office:
        name = escape(nearest.name(views.lang))
        text = views.say("report.location_saved", office=name)
        use = views.say("report.use_nearest_office", office=nearest.name(views.lang))
        rows = [[(use, encode(REPORT_FORM, Step.ATTACHMENTS, "near"))], *rows]
    await send_text(context.bot, chat_id, text, keyboard(rows))
