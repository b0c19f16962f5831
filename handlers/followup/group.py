"""The officers' forum group as a workplace: each new report's card, with its buttons and
files, in a topic thread per report topic (created on demand, its id kept)."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, TelegramError

from bot.reporting.model import Report
from handlers.followup.card import refresh_card, send_card, send_files
from handlers.followup.views import OfficerViews
from handlers.kit.context import BotContext
from handlers.kit.render import keyboard

log = logging.getLogger(__name__)
TOPIC_NAME_MAX = 128
NO_THREAD = "thread not found"


def group_views(context: BotContext) -> OfficerViews:
    """Return the officer views in the group's language (the default language)."""
    services = context.services
    settings = services.settings
    return OfficerViews(
        services.translate,
        services.reports.taxonomy,
        settings.default_language.value,
        settings.timezone,
    )


def officers_group(context: BotContext, chat_id: int) -> bool:
    """Tell whether a chat is the officers' group."""
    return chat_id == context.services.settings.officers_chat_id


async def is_forum(context: BotContext, chat_id: int) -> bool:
    """Tell whether a group has topics (asked once per run)."""
    key = f"forum:{chat_id}"
    known = context.application.bot_data.get(key)
    if not isinstance(known, bool):
        known = bool((await context.bot.get_chat(chat_id)).is_forum)
        context.application.bot_data[key] = known
    return known


async def topic_thread(
    context: BotContext, chat_id: int, topic: str, views: OfficerViews, *, fresh: bool = False
) -> int:
    """Return the thread of a report topic in the forum, created the first time (or again
    when the one kept was deleted)."""
    cards = context.services.cards
    thread = None if fresh else await cards.topic_thread(chat_id, topic)
    if thread is None:
        name = views.topic_name(topic)[:TOPIC_NAME_MAX] or topic
        created = await context.bot.create_forum_topic(chat_id, name)
        thread = created.message_thread_id
        await cards.topic_created(chat_id, topic, thread)
    return thread


async def post_report(context: BotContext, report: Report) -> None:
    """Post a newly filed report's card and files to its topic in the officers' forum, if the
    officers' group is a forum."""
    group = context.services.settings.officers_chat_id
    if group is None:
        return
    try:
        if not await is_forum(context, group):
            return
        views = group_views(context)
        view = await context.services.inbox.officers_view(report.id)
        text, markup = views.officer_card(view, None), keyboard(views.actions(view))
        topic = report.topic or "not_sure"
        thread = await topic_thread(context, group, topic, views)
        try:
            await send_card(context, group, view.id, text, markup, thread_id=thread)
        except BadRequest as problem:
            if NO_THREAD not in problem.message.lower():
                raise
            thread = await topic_thread(context, group, topic, views, fresh=True)
            await send_card(context, group, view.id, text, markup, thread_id=thread)
        await send_files(context, group, views, view, thread)
    except TelegramError as problem:
        log.warning("report not posted to the officers' forum", extra={"error": problem.message})


async def refresh_everywhere(
    context: BotContext, officer_id: int, views: OfficerViews, report_id: int
) -> None:
    """Edit the report's card where it is shown: the officer's private chat (in their
    language) and the officers' group (in the group's)."""
    cards, group = context.services.cards, context.services.settings.officers_chat_id
    if await cards.place(officer_id, report_id) is not None:
        await refresh_card(context, officer_id, officer_id, views, report_id)
    if group is not None and await cards.place(group, report_id) is not None:
        await refresh_card(context, group, officer_id, group_views(context), report_id)
