"""Follow-up on a clock: the daily overdue summary, and asking once more "Is it fixed?"."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.container import Services
from bot.core.schedules import Schedule
from bot.followup.model import InboxFilter
from handlers.followup.views import INBOX, OfficerViews
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.outbox import delivered, send_notifications
from handlers.kit.render import keyboard, send_text
from handlers.kit.scheduling import schedule_chain

log = logging.getLogger(__name__)
SUMMARY = "overdue-summary"
REASK = "satisfaction-reask"
SUMMARY_LINES = 30


def schedule_followup(app: BotApplication, services: Services, now: datetime) -> None:
    """(Re)create the overdue-summary chain and the satisfaction re-ask sweep."""
    settings = services.settings
    schedules = [settings.overdue_schedule] if settings.overdue_schedule else []
    schedule_chain(app, SUMMARY, schedules, _overdue_summary, settings, now)
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(REASK):
        job.schedule_removal()
    every = min(max(settings.satisfaction_reask / 4, timedelta(seconds=2)), timedelta(minutes=10))
    app.job_queue.run_repeating(_reask, interval=every, first=3, name=REASK)


async def _overdue_summary(context: BotContext, schedule: Schedule, due: datetime) -> None:
    """Send each officer (or the officers' chat) the reports past their service level, once."""
    services = context.services
    day = due.astimezone(services.settings.zone).date()
    overdue = await services.alerts.overdue()
    if not overdue:
        return
    for chat_id in await services.alerts.summary_recipients():
        if not await services.alerts.claim_summary(day, chat_id):
            continue  # sent before a restart
        lang = await services.followup.access.language_of(chat_id) or services.translate.default
        views = OfficerViews(
            services.translate, services.reports.taxonomy, lang, services.settings.zone
        )
        lines = [views.say("overdue.title", count=len(overdue)), ""]
        lines += [views.inbox_line(item) for item in overdue[:SUMMARY_LINES]]
        if len(overdue) > SUMMARY_LINES:
            lines.append(views.say("overdue.more", count=len(overdue) - SUMMARY_LINES))
        token = InboxFilter(overdue=True).to_token()
        button = keyboard([[(views.say("overdue.open_inbox"), f"{INBOX}:p:{token}:1")]])
        sending = send_text(context.bot, chat_id, "\n".join(lines), button)
        await delivered(services, chat_id, sending, "overdue summary")


async def _reask(context: BotContext) -> None:
    """Ask reporters who did not answer "Is it fixed?" once more (each survey once)."""
    services = context.services
    for note in await services.satisfaction.due_reasks():
        if note.report_id is not None and await services.satisfaction.claim_reask(note.report_id):
            await send_notifications(context.bot, services, [note])
