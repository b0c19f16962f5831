"""/myreports: the user's reports, newest first, each with its thread; adding information."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.core.errors import NoDraft, UserError
from bot.reporting.my_reports import Page
from handlers.kit.common import is_private
from handlers.kit.context import BotContext
from handlers.kit.outbox import send_notifications
from handlers.kit.render import Choice, keyboard, send_text
from handlers.kit.replies import guarded
from handlers.reporting.flow import attachment_of, views_for
from handlers.reporting.views import ReportViews

PREFIX = "myr"


def page_view(views: ReportViews, page: Page) -> tuple[str, list[list[Choice]]]:
    """Return the text and buttons of one page of the user's reports."""
    if not page.total:
        return views.say("myreports.empty"), []
    lines = [views.say("myreports.title", page=page.number, pages=page.pages, total=page.total), ""]
    lines += [views.line(report) for report in page.reports]
    rows: list[list[Choice]] = [
        [(f"{report.reference}", f"{PREFIX}:open:{report.id}:{page.number}")]
        for report in page.reports
    ]
    nav: list[Choice] = []
    if page.number > 1:
        nav.append((views.say("button.previous"), f"{PREFIX}:page:{page.number - 1}"))
    if page.number < page.pages:
        nav.append((views.say("button.next"), f"{PREFIX}:page:{page.number + 1}"))
    if nav:
        rows.append(nav)
    return "\n".join(lines), rows


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
    await query.answer()
    views = await views_for(update, context)
    reports, uid = context.services.my_reports, query.from_user.id
    parts = query.data.split(":")
    action = parts[1]
    number = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0
    chat_id = query.message.chat.id
    if action == "page":
        text, rows = page_view(views, await reports.page_of(uid, number))
        await query.edit_message_text(text, reply_markup=keyboard(rows) if rows else None)
        return
    try:
        if action == "open":
            report, thread = await reports.open_own(uid, number)
            back = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 1
            rows = []
            if report.status.is_open:
                rows.append([(views.say("myreports.add_info"), f"{PREFIX}:add:{report.id}")])
            rows.append([(views.say("myreports.back_to_list"), f"{PREFIX}:page:{back}")])
            await send_text(context.bot, chat_id, views.card(report, thread), keyboard(rows))
        elif action == "add":
            report = await reports.start_adding(uid, number)
            await send_text(
                context.bot,
                chat_id,
                views.say("myreports.ask_info", reference=report.reference),
                keyboard([[(views.say("button.cancel"), "rep:cancel")]]),
            )
    except LookupError:
        await send_text(context.bot, chat_id, views.say("myreports.not_found"))
    except UserError as problem:
        await send_text(context.bot, chat_id, views.say(problem.reason, **problem.params))


async def on_message(update: Update, context: BotContext) -> None:
    """Add what the user sent to the report they chose to add information to."""
    message, sender = update.effective_message, update.effective_user
    if message is None or sender is None or not is_private(update):
        return
    services, chat_id = context.services, message.chat.id
    try:
        report_id = await services.my_reports.adding_to(sender.id)
    except NoDraft:
        return  # not adding information: another handler takes the message
    views = await views_for(update, context)
    attachment = attachment_of(message)
    if message.text is None and attachment is None:
        await send_text(context.bot, chat_id, views.say("report.error_unsupported"))
        raise ApplicationHandlerStop
    work = services.followup.reporter_reply(
        report_id, sender.id, message.text or message.caption, attachment
    )
    done = await guarded(context, chat_id, views, work)
    if done is None:
        if not await services.my_reports.can_add(sender.id, report_id):
            await services.my_reports.stop_adding(sender.id)  # closed meanwhile: stop waiting
        raise ApplicationHandlerStop
    await services.my_reports.stop_adding(sender.id)
    await send_notifications(context.bot, services, done.notifications)
    await send_text(
        context.bot, chat_id, views.say("myreports.info_added", reference=done.reference)
    )
    raise ApplicationHandlerStop
