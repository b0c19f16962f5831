"""/inbox and /history for officers: open reports by urgency and age, a report's card and log."""

from __future__ import annotations

import logging
from typing import TypeVar

from telegram import Update

from bot.core.access import NotAllowed
from bot.core.audit import Action
from bot.core.users import Access
from bot.followup.model import InboxFilter
from handlers.followup.card import show_report, staff_name
from handlers.followup.views import INBOX, OfficerViews
from handlers.kit.callbacks import BadCallback, parse
from handlers.kit.common import language_for
from handlers.kit.context import BotContext
from handlers.kit.render import keyboard, send_text
from handlers.kit.replies import guarded

log = logging.getLogger(__name__)
T = TypeVar("T")
FLAGS = {"mine": "mine", "unassigned": "unassigned", "overdue": "overdue"}
FIELDS = ("topic", "office", "status")


async def officer_views(update: Update, context: BotContext) -> OfficerViews:
    """Return the officer views in the sender's language."""
    services = context.services
    lang = (await language_for(update, context)).value
    return OfficerViews(
        services.translate, services.reports.taxonomy, lang, services.settings.timezone
    )


def parse_filter(args: list[str]) -> InboxFilter | None:
    """Read "/inbox mine overdue topic=it_systems office=PORT-MAIN status=new"; None if bad."""
    values: dict[str, object] = {}
    for arg in args:
        name, sep, value = arg.partition("=")
        if not sep and name.lower() in FLAGS:
            values[FLAGS[name.lower()]] = True
        elif sep and name.lower() in FIELDS and value:
            values[name.lower()] = value if name.lower() != "status" else value.lower()
        else:
            return None
    try:
        return InboxFilter.model_validate(values)
    except ValueError:
        return None


async def inbox_command(update: Update, context: BotContext) -> None:
    """Show the first page of open reports: /inbox [mine] [unassigned] [overdue] [topic=…]."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await officer_views(update, context)
    query = parse_filter(context.args or [])
    if query is None:
        await send_text(context.bot, chat.id, views.say("inbox.usage"))
        return
    await show_page(context, chat.id, sender.id, views, query)


async def show_page(
    context: BotContext,
    chat_id: int,
    officer_id: int,
    views: OfficerViews,
    query: InboxFilter,
    *,
    number: int = 1,
    message_id: int | None = None,
) -> None:
    """Send an inbox page, or edit the message that showed the previous one."""
    page = await guarded(
        context, chat_id, views, context.services.inbox.inbox(officer_id, query, number)
    )
    if page is None:
        return
    text, rows = views.inbox(page, query)
    if message_id is None:
        await send_text(context.bot, chat_id, text, keyboard(rows))
    else:
        await context.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(rows)
        )


async def on_button(update: Update, context: BotContext) -> None:
    """Page through the inbox (ib:p:<filter>:<n>) or open a report (ib:o:<id>)."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    views = await officer_views(update, context)
    try:
        pressed = parse(INBOX, query.data)
        opened = pressed.number(1) if pressed.action == "o" and len(pressed) == 2 else None
        number = pressed.number(2) if pressed.action == "p" and len(pressed) == 3 else None
        if opened is None and number is None:
            raise BadCallback(f"inbox data {query.data!r} has the wrong shape")
    except BadCallback:
        await query.answer(views.say("button.stale"))
        return
    try:  # cards go to the officer's private chat: refuse others here, where they pressed
        await context.services.team.access.require(query.from_user.id, Access.OFFICER, "inbox")
    except NotAllowed:
        await query.answer()
        await send_text(context.bot, query.message.chat.id, views.say("access.officers_only"))
        return
    await query.answer()
    officer_id, chat_id = query.from_user.id, query.from_user.id
    if opened is not None:
        await show_report(context, chat_id, officer_id, views, opened)
    elif number is not None:
        try:
            wanted = InboxFilter.from_token(pressed.text(1))
        except ValueError:
            wanted = InboxFilter()  # forged or outdated data: the plain inbox
        await show_page(
            context, query.message.chat.id, officer_id, views, wanted,
            number=number, message_id=query.message.message_id,
        )  # fmt: skip


async def history_command(update: Update, context: BotContext) -> None:
    """Show a report's audit log: /history R-2026-00042."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    views = await officer_views(update, context)
    if not context.args:
        await send_text(context.bot, chat.id, views.say("history.usage"))
        return
    await show_history(context, chat.id, sender.id, views, context.args[0])


async def show_history(
    context: BotContext, chat_id: int, officer_id: int, views: OfficerViews, key: int | str
) -> None:
    """Send a report's audit log, oldest first."""
    services = context.services
    view = await guarded(context, chat_id, views, services.inbox.open_report(officer_id, key))
    if view is None:
        return
    entries = await services.inbox.history(officer_id, view.id)
    staff = {entry.actor_id for entry in entries if entry.actor_id is not None}  # never reporters
    for entry in entries:  # and whom reports were assigned to, from and to
        if entry.action is Action.ASSIGN:
            staff |= {
                v for v in (entry.detail.get("from"), entry.detail.get("to")) if isinstance(v, int)
            }
    names = {user_id: await staff_name(context, user_id) for user_id in staff}
    text = views.history(view.reference, entries, names, anonymous=view.anonymous)
    await send_text(context.bot, chat_id, text)
