"""Bulletins going out: drafted on BULLETIN_SCHEDULE for the admins, published to the channel,
subscribers and the traders behind its items; every send claimed first, so never twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from bot.bulletins.model import Month, Status
from bot.bulletins.service import COPY, DRAFT, MENTION
from bot.container import Services
from bot.core.schedules import Schedule
from handlers.bulletins.views import send_draft
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.outbox import delivered
from handlers.kit.render import send_text
from handlers.kit.replies import Speaker
from handlers.kit.scheduling import schedule_chain

log = logging.getLogger(__name__)
JOB_PREFIX = "bulletin"
RESUME_WITHIN = timedelta(days=2)  # a publication cut short by a restart resumes this long


async def send_out(
    app: BotApplication, bulletin_id: int, admin_chat: int | None = None, language: str = "en"
) -> int:
    """Send a published bulletin wherever it goes; return how many copies went now."""
    services: Services = app.bot_data["services"]
    bulletins, bot, t = services.bulletins, app.bot, services.translate
    bulletin = await bulletins.get(bulletin_id)
    if bulletin.status is not Status.PUBLISHED:
        return 0
    texts = {lang: bulletins.text(bulletin, lang) for lang in t.languages}
    sent = 0
    channel = bulletins.channel_id
    if channel is not None:  # each language a post, the default one first
        for lang in sorted(texts, key=lambda code: code != t.default):
            if await bulletins.claim(COPY, f"{bulletin.id}:{lang}", channel):
                sending = send_text(bot, channel, texts[lang])
                sent += await delivered(services, channel, sending, "bulletin", channel=True)
    for user_id, lang in await bulletins.audience():
        if await bulletins.claim(COPY, str(bulletin.id), user_id):
            sending = send_text(bot, user_id, texts.get(lang, texts[t.default]))
            sent += await delivered(services, user_id, sending, "bulletin")
    for user_id, lang, reference in await bulletins.mentions(bulletin):
        if await bulletins.claim(MENTION, f"{bulletin.id}:{reference}", user_id):
            note = t(lang, "bulletin.mention", reference=reference)
            await delivered(services, user_id, send_text(bot, user_id, note), "bulletin_mention")
    log.info("bulletin sent", extra={"month": bulletin.month.key, "copies": sent})
    if admin_chat is not None:
        done = Speaker(t, language).say("bulletin.sent", month=bulletin.month.key, count=sent)
        await delivered(services, admin_chat, send_text(bot, admin_chat, done), "bulletin_done")
    return sent


def schedule_bulletins(app: BotApplication, services: Services, now: datetime) -> None:
    """(Re)create the draft chain from BULLETIN_SCHEDULE; resume a publication cut short."""
    settings = services.settings
    schedules = [settings.bulletin_schedule] if settings.bulletin_schedule else []
    schedule_chain(app, JOB_PREFIX, schedules, _scheduled_draft, settings, now)
    assert app.job_queue is not None
    app.job_queue.run_once(_resume, when=timedelta(seconds=1), name=f"{JOB_PREFIX}-resume")


async def _scheduled_draft(context: BotContext, schedule: Schedule, due: datetime) -> None:
    """Draft last month's bulletin and send it to each admin once."""
    services, app = context.services, cast(BotApplication, context.application)
    month = Month.before(due.astimezone(services.settings.timezone).date())
    bulletin, _ = await services.bulletins.draft(month)
    if bulletin.status is not Status.DRAFT:
        return
    for admin_id, language in await services.bulletins.admins():
        if not await services.bulletins.claim(DRAFT, month.key, admin_id):
            continue  # already sent, before a restart
        speaker = Speaker(services.translate, language)
        sending = send_draft(app, admin_id, speaker, bulletin)
        await delivered(services, admin_id, sending, "bulletin_draft", month=month.key)


async def _resume(context: BotContext) -> None:
    """Send what a recent publication had not sent when the bot stopped (claims skip the rest)."""
    services, app = context.services, cast(BotApplication, context.application)
    for bulletin in await services.bulletins.recently_published(RESUME_WITHIN):
        await send_out(app, bulletin.id)
