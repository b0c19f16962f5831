"""/myreports: the user's reports, newest first, each with its thread; adding information."""

from __future__ import annotations

from telegram import Update

from bot.core.conversations import Conversation
from bot.core.errors import UserError
from bot.reporting.model import Record
from bot.reporting.my_reports import Page
from handlers.kit.callbacks import MY_REPORTS, BadCallback, encode, parse
from handlers.kit.context import BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import Choice, keyboard, send_text
from handlers.kit.replies import guarded
from handlers.reporting.files import received_attachment
from handlers.reporting.flow import views_for
from handlers.reporting.views import REPORT_FORM, ReportViews


def page_view(views: ReportViews, page: Page) -> tuple[str, list[list[Choice]]]:
    """Return the text and buttons of one page of the user's reports."""
    if not page.total:
        return views.say("myreports.empty"), []
    lines = [views.say("myreports.title", page=page.number, pages=page.pages, total=page.total), ""]
    lines += [views.line(report, supported=report.id in page.supported) for report in page.reports]
    rows: list[list[Choice]] = [
        [(f"{report.reference}", encode(MY_REPORTS, "open", report.id, page.number))]
        for report in page.reports
    ]
    nav: list[Choice] = []
    if page.number > 1:
        nav.append((views.say("button.previous"), encode(MY_REPORTS, "page", page.number - 1)))
    if page.number < page.pages:
        nav.append((views.say("button.next"), encode(MY_REPORTS, "page", page.number + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), rows


def record_rows(views: ReportViews, record: Record, back: int) -> list[list[Choice]]:
    """Return the buttons under a record: add information (the reporter's open report) or
    withdraw one's support, and back to the list."""
    rid, rows = record.report.id, []
    if record.supported:
        rows.append([(views.say("myreports.withdraw"), encode(MY_REPORTS, "wd", rid))])
    elif record.report.status.is_open:
        rows.append([(views.say("myreports.add_info"), encode(MY_REPORTS, "add", rid))])
    rows.append([(views.say("myreports.back_to_list"), encode(MY_REPORTS, "page", back))])
    return rows


async def withdraw(
    update: Update, context: BotContext, views: ReportViews, report_id: int, *, confirmed: bool
) -> None:
    """Ask before withdrawing the user's support of a report, then withdraw it."""
    query = update.callback_query
    assert query is not None and query.message is not None
    reports, uid = context.services.my_reports, query.from_user.id
    if not confirmed:
        record = await reports.record(uid, report_id)
        if not record.supported:
            raise LookupError(report_id)
        question = views.say("myreports.withdraw_question", reference=record.report.reference)
        rows = [
            [(views.say("myreports.withdraw_yes"), encode(MY_REPORTS, "wdy", report_id))],
            [(views.say("myreports.withdraw_no"), encode(MY_REPORTS, "page", 1))],
        ]
        await send_text(context.bot, query.message.chat.id, question, keyboard(rows))
        return
    report = await reports.withdraw(uid, report_id)
    done = views.say("myreports.withdrawn", reference=report.reference)
    await query.edit_message_text(done, reply_markup=None)


async def myreports_command(update: Update, context: BotContext) -> None:
    """List the user's reports, newest first."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await views_for(update, context)
    page = await context.services.my_reports.page_of(sender.id, 1)
    text, rows = page_view(views, page)
    await send_text(context.bot, chat.id, text, keyboard(rows) if rows else None)


async def on_button(update: Update, context: BotContext) -> None:
    """Page through, open, or add information to one's own reports."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    views = await views_for(update, context)
    try:
        pressed = parse(MY_REPORTS, query.data)
        action, number = pressed.action, pressed.number(1)
        back = pressed.number(2, 1) if action == "open" else 1
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    await query.answer()
    reports, uid = context.services.my_reports, query.from_user.id
    chat_id = query.message.chat.id
    if action == "page":
        text, rows = page_view(views, await reports.page_of(uid, number))
        await query.edit_message_text(text, reply_markup=keyboard(rows) if rows else None)
        return
    try:
        if action == "open":
            record = await reports.record(uid, number)
            await send_text(
                context.bot,
                chat_id,
                views.record(record),
                keyboard(record_rows(views, record, back)),
            )
        elif action in ("wd", "wdy"):
            await withdraw(update, context, views, number, confirmed=action == "wdy")
        elif action == "add":
            report = await reports.start_adding(uid, number)
            await send_text(
                context.bot,
                chat_id,
                views.say("myreports.ask_info", reference=report.reference),
                keyboard([[(views.say("button.cancel"), encode(REPORT_FORM, "cancel"))]]),
            )
    except LookupError:
        await send_text(context.bot, chat_id, views.say("myreports.not_found"))
    except UserError as problem:
        await send_text(context.bot, chat_id, views.say(problem.reason, **problem.params))


async def on_message(update: Update, context: BotContext, conversation: Conversation) -> bool:
    """Add what the user sent to the report they chose to add information to."""
    message = update.effective_message
    if message is None or not conversation.data.isdigit():
        return False
    services, chat_id = context.services, message.chat.id
    user_id, report_id = conversation.user_id, int(conversation.data)
    views = await views_for(update, context)
    try:
        attachment = await received_attachment(context, message, views)
    except UserError as problem:
        await send_text(context.bot, chat_id, views.say(problem.reason, **problem.params))
        return True
    if message.text is None and attachment is None:
        await send_text(context.bot, chat_id, views.say("report.error_unsupported"))
        return True
    work = services.followup.reporter_reply(
        report_id, user_id, message.text or message.caption, attachment
    )
    done = await guarded(context, chat_id, views, work)
    if done is None:
        if not await services.my_reports.can_add(user_id, report_id):
            await services.my_reports.stop_adding(user_id)  # closed meanwhile: stop waiting
        return True
    await services.my_reports.stop_adding(user_id)
    await send_notifications(context.bot, services, done.notifications)
    await send_text(
        context.bot, chat_id, views.say("myreports.info_added", reference=done.reference)
    )
    return True
