"""Follow-up on a clock: the daily overdue summary (a wall-clock chain), and asking once more
"Is it fixed?" (a timer armed to the next survey due, woken when a report is resolved)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import cast

from bot.container import Services
from bot.core.schedules import Schedule
from bot.followup.model import InboxFilter
from handlers.followup.views import INBOX, OfficerViews
from handlers.kit.callbacks import encode
from handlers.kit.context import SERVICES_KEY, BotApplication, BotContext
from handlers.kit.due import DueTimer
from handlers.kit.outbox import delivered, send_notifications
from handlers.kit.render import keyboard, send_text
from handlers.kit.scheduling import schedule_chain

log = logging.getLogger(__name__)
SUMMARY = "overdue-summary"
REASK = "satisfaction-reask"
SUMMARY_LINES = 30
FIRST_LOOK = timedelta(seconds=3)  # after start, as the sweep did: the bot settles first
MIN_GAP = timedelta(seconds=1)  # between two looks at surveys, however many are due


def schedule_followup(app: BotApplication, services: Services, now: datetime) -> None:
    """(Re)create the overdue-summary chain and start the satisfaction re-ask timer."""
    settings = services.settings
    schedules = [settings.overdue_summary] if settings.overdue_summary else []
    schedule_chain(app, SUMMARY, schedules, _overdue_summary, settings, now)
    REASKS.start(app, after=FIRST_LOOK)


def wake_reasks(app: BotApplication) -> None:
    """Look again at when the next re-ask falls due (a report was resolved or reopened)."""
    REASKS.wake(app)


async def _overdue_summary(context: BotContext, schedule: Schedule, due: datetime) -> None:
    """Send each officer (or the officers' chat) the reports past their service level, once."""
    services = context.services
    day = due.astimezone(services.settings.timezone).date()
    overdue = await services.alerts.overdue()
    if not overdue:
        return
    for chat_id in await services.alerts.summary_recipients():
        if not await services.alerts.claim_summary(day, chat_id):
            continue  # sent before a restart
        lang = await services.followup.access.language_of(chat_id) or services.translate.default
        views = OfficerViews(
            services.translate, services.reports.taxonomy, lang, services.settings.timezone
        )
        lines = [views.say("overdue.title", count=len(overdue)), ""]
        lines += [views.inbox_line(item) for item in overdue[:SUMMARY_LINES]]
        if len(overdue) > SUMMARY_LINES:
            lines.append(views.say("overdue.more", count=len(overdue) - SUMMARY_LINES))
        token = InboxFilter(overdue=True).to_token()
        button = keyboard([[(views.say("overdue.open_inbox"), encode(INBOX, "p", token, "1"))]])
        sending = send_text(context.bot, chat_id, "\n".join(lines), button)
        await delivered(services, chat_id, sending, "overdue summary")


async def _reask(app: BotApplication) -> datetime | None:
    """Ask reporters who did not answer "Is it fixed?" once more (each survey once); return
    when the next re-ask falls due."""
    services = cast(Services, app.bot_data[SERVICES_KEY])
    satisfaction = services.satisfaction
    for note in await satisfaction.due_reasks():
        if note.report_id is not None and await satisfaction.claim_reask(note.report_id):
            await send_notifications(app.bot, services, [note])
    following = await satisfaction.next_reask()
    # A survey due but not asked again (its reporter left meanwhile) must not spin the timer.
    soonest = datetime.now(UTC) + MIN_GAP
    return max(following, soonest) if following is not None else None


REASKS = DueTimer(REASK, _reask)
