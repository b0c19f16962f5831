"""/digest for officers, and the scheduled digests: summary, picture, XLSX, CSV, HTML and PDF."""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from pathlib import Path
from typing import cast

from telegram import Update

from bot.container import Services
from bot.core.access import NotAllowed
from bot.core.schedules import Schedule
from bot.digests.model import MAX_DAYS, Period, PeriodError
from handlers.kit.common import language_for
from handlers.kit.context import BotApplication, BotContext
from handlers.kit.outbox import delivered
from handlers.kit.render import send_text
from handlers.kit.scheduling import schedule_chain

log = logging.getLogger(__name__)
UPLOAD_LIMIT = 50 * 1024 * 1024  # Telegram's limit for files a bot sends
JOB_PREFIX = "digest"


async def digest_command(update: Update, context: BotContext) -> None:
    """Send the digest of a period: /digest week|month|YYYY-MM-DD..YYYY-MM-DD."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is None or sender is None:
        return
    services = context.services
    t, lang = services.translate, (await language_for(update, context)).value
    try:  # the service checks that the sender is an officer, and audits a refusal
        period = await services.digests.period_for(
            sender.id, " ".join(context.args or []) or "week"
        )
    except NotAllowed:
        await send_text(context.bot, chat.id, t(lang, "access.officers_only"))
        return
    except PeriodError as error:
        reason = t(lang, error.key, days=MAX_DAYS, **error.params)
        await send_text(context.bot, chat.id, f"{reason}\n{t(lang, 'digest.usage')}")
        return
    await send_text(context.bot, chat.id, t(lang, "digest.preparing"))
    await send_digest(cast(BotApplication, context.application), chat.id, lang, period)


async def send_digest(app: BotApplication, chat_id: int, language: str, period: Period) -> None:
    """Send a period's summary, picture, workbook, CSV and the printable digest to one chat."""
    services: Services = app.bot_data["services"]
    digests, t, bot = services.digests, services.translate, app.bot
    digest = await digests.build(period)
    start, end = period.start.isoformat(), period.last.isoformat()
    await send_text(bot, chat_id, digests.text(digest, language))
    picture = await digests.chart(digest, language)
    await bot.send_photo(
        chat_id,
        picture,
        caption=t(language, "digest.caption_picture", period=digests.period_name(period, language)),
        filename=f"digest-{period.key}.png",
    )
    with tempfile.TemporaryDirectory(prefix="digest-") as folder:
        xlsx = Path(folder, f"digest-{period.key}.xlsx")
        csv = Path(folder, f"reports-{period.key}.csv")
        count = await digests.write_xlsx(digest, xlsx, language)
        await digests.write_csv(period, csv, language)
        for path, key in ((xlsx, "digest.caption_xlsx"), (csv, "digest.caption_csv")):
            if path.stat().st_size > UPLOAD_LIMIT:
                await send_text(bot, chat_id, t(language, "digest.too_large", start=start, end=end))
                continue
            with path.open("rb") as file:
                await bot.send_document(
                    chat_id, file, filename=path.name, caption=t(language, key, count=count)
                )
    printable = t(language, "digest.caption_printable", start=start, end=end)
    page = digests.html(digest, language, picture).encode()
    await bot.send_document(chat_id, page, filename=f"digest-{period.key}.html", caption=printable)
    pdf = await digests.pdf(digest, language, picture)
    await bot.send_document(chat_id, pdf, filename=f"digest-{period.key}.pdf", caption=printable)


def schedule_digests(app: BotApplication, services: Services, now: datetime) -> None:
    """(Re)create the digest jobs from DIGEST_SCHEDULE, catching up a run missed lately."""
    settings = services.settings
    schedule_chain(app, JOB_PREFIX, settings.digest_schedule, _scheduled_digest, settings, now)


async def digest_recipients(services: Services) -> list[tuple[int, str]]:
    """Return where scheduled digests go: once to the officers' group when it is set (in the
    default language), else to every officer in private."""
    group = services.settings.officers_chat_id
    if group is not None:
        return [(group, services.settings.default_language.value)]
    return list(await services.followup.access.reachable_staff())


async def _scheduled_digest(context: BotContext, schedule: Schedule, due: datetime) -> None:
    """Send a due digest to the officers' group, or to every officer, who has not had it yet."""
    services, app = context.services, cast(BotApplication, context.application)
    period = Period.scheduled(
        schedule.every.value, due.astimezone(services.settings.timezone).date()
    )
    for officer_id, language in await digest_recipients(services):
        if not await services.digests.claim_delivery(period, officer_id):
            continue  # already sent, before a restart
        sending = send_digest(app, officer_id, language, period)
        if await delivered(services, officer_id, sending, "digest", period=period.key):
            log.info("digest delivered", extra={"period": period.key})
