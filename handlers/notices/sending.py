"""Notices going out: the Telegram sender, and the kit's DueTimer that starts due notices,
drains the queue, edits the admin's progress message and reports at the end.

No loop polls the database: the timer is armed to the next due row (a notice to start, a copy
to send or retry, a reminder to queue, a consultation closing) and woken when a notice is
confirmed; while a notice goes out it also fires every PROGRESS_EVERY to show the progress.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import cast

from telegram import CallbackQuery
from telegram.ext import ExtBot

from bot.container import Services
from bot.core.durations import format_duration
from bot.core.outbox import Outcome, Sent
from bot.notices.model import Notice, Outgoing, Reach
from handlers.kit.callbacks import encode
from handlers.kit.context import SERVICES_KEY, BotApplication, BotContext
from handlers.kit.due import DueTimer
from handlers.kit.outbox import attempt, delivered
from handlers.kit.pacing import BROADCASTING, chat_turn, patiently
from handlers.kit.render import Choice, keyboard, send_text
from handlers.notices.buttons import NOTICE_DRAFT

log = logging.getLogger(__name__)
SLICE = 5.0  # seconds of sending before the queue is looked at afresh
IDLE = 0.5  # seconds before another look when copies are due but none could start
PROGRESS_EVERY = 3.0  # seconds between two edits of an admin's progress message
PROGRESS = timedelta(seconds=PROGRESS_EVERY)
LAUNCH = "notices:launch"
PROGRESS_KEY = "notices:progress"


class TelegramSender:
    """Send a notice copy with the Bot API; tell the engine how it went (handlers.kit.outbox)."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def send(self, message: Outgoing) -> Sent:
        """Send one message, already paced and noted by the engine; return its outcome."""
        markup = keyboard(message.buttons) if message.buttons else None
        token = BROADCASTING.set(True)
        try:
            if message.document is not None:
                return await attempt(
                    self._bot.send_document(
                        message.chat_id,
                        message.document.file_id,
                        caption=message.text,
                        reply_markup=markup,
                    )
                )
            return await attempt(
                self._bot.send_message(message.chat_id, message.text, reply_markup=markup)
            )
        finally:
            BROADCASTING.reset(token)


# --- the loop ---------------------------------------------------------------------------------


def start_sending(app: BotApplication) -> None:
    """Settle what a stopped process left in flight, then start the notices' timer."""
    assert app.job_queue is not None
    for name in (LAUNCH, TIMER.name):
        for job in app.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    app.job_queue.run_once(_launch, when=0, name=LAUNCH)


def wake_sending(app: BotApplication) -> None:
    """Look at the notices now (one was confirmed, or its rows changed)."""
    TIMER.wake(app)


async def _launch(context: BotContext) -> None:
    """Settle the copies left in flight, then do what is due and arm the timer."""
    app = cast(BotApplication, context.application)
    await cast(Services, app.bot_data[SERVICES_KEY]).notice_delivery.recover()
    await TIMER.run(app)


async def due_work(app: BotApplication) -> datetime | None:
    """Start due notices, send due copies for a slice, show progress, report the end, send
    summaries; return when the notices' rows next fall due (None: nothing is pending)."""
    services = cast(Services, app.bot_data[SERVICES_KEY])
    notices, engine = services.notices, services.notice_delivery
    for notice in await notices.start_due(datetime.now(UTC)):
        log.info("notice sending", extra={"notice": notice.id, "recipients": notice.total})
    await notices.queue_reminders(datetime.now(UTC))
    progress = _progress(app, services)
    pumping = asyncio.create_task(
        engine.pump(TelegramSender(app.bot), SLICE, lambda: app.running), name="notice-pump"
    )
    while not pumping.done():  # the progress is shown while copies go, not between slices
        await asyncio.wait({pumping}, timeout=PROGRESS_EVERY)
        if not pumping.done():
            await _refreshed(progress)
    await _refreshed(progress)  # at most every PROGRESS_EVERY: refresh() keeps the pace
    started = 0
    try:
        started = pumping.result()
    except Exception:
        log.exception("notice sending failed; going on")
    try:
        for notice in await notices.finish_done(datetime.now(UTC)):
            await progress.report(notice)
        for notice in await notices.closed_comment_periods(datetime.now(UTC)):
            await send_summaries(app, services, notice)
    except Exception:
        log.exception("notice bookkeeping failed; going on")
    return await _next(services, started)


async def _refreshed(progress: ProgressMessages) -> None:
    """Edit the progress messages if it is time to (a failure is logged, never raised)."""
    try:
        await progress.refresh()
    except Exception:
        log.exception("progress not shown; going on")


async def _next(services: Services, started: int) -> datetime | None:
    """Return when to look again: the next due row, after quiet hours for what is paced."""
    now = datetime.now(UTC)
    times = await services.notices.next_due(now)
    send = times.send
    if send is not None:
        quiet = services.notice_delivery.quiet_until(now)
        if quiet is not None:
            send = max(send, quiet)
        elif not started:  # due but nothing could start (a 429 pause): not a busy loop
            send = max(send, now + timedelta(seconds=IDLE))
    if times.sending:
        send = min(send or now + PROGRESS, now + PROGRESS)
    present = [moment for moment in (send, times.bookkeeping) if moment is not None]
    return min(present) if present else None


def _progress(app: BotApplication, services: Services) -> ProgressMessages:
    """Return the application's progress messages (made on first use)."""
    progress = app.bot_data.get(PROGRESS_KEY)
    if not isinstance(progress, ProgressMessages):
        progress = app.bot_data[PROGRESS_KEY] = ProgressMessages(app, services)
    return progress


TIMER = DueTimer("notices:timer", due_work)


class ProgressMessages:
    """One message per notice being sent, edited every few seconds, then the delivery report."""

    def __init__(self, app: BotApplication, services: Services) -> None:
        self._app = app
        self._services = services
        self._shown: dict[int, str] = {}
        self._last = 0.0

    async def refresh(self) -> None:
        """Edit the progress message of every notice being sent, if it is time to."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._last < PROGRESS_EVERY:
            return
        self._last = loop.time()
        for notice in await self._services.notices.sending():
            reach = await self._services.notices.reach(notice.id)
            lang = await self._language(notice)
            await self._show(notice, self._progress_text(notice, reach, lang))

    def _progress_text(self, notice: Notice, reach: Reach, lang: str) -> str:
        services, t = self._services, self._services.translate
        quiet = services.notice_delivery.quiet_until(datetime.now(UTC))
        if quiet is not None:
            return t(
                lang,
                "broadcast.quiet_pause",
                number=notice.id,
                sent=reach.sent,
                total=reach.total,
                until=services.notices.local(quiet),
            )
        budget, rate = services.notice_delivery.budget, services.notice_delivery.rate
        if budget.overall:
            rate = min(rate, max(budget.overall - budget.reserve, 1))
        left = timedelta(seconds=round((reach.pending + reach.sending) / rate))
        return t(
            lang,
            "broadcast.progress",
            number=notice.id,
            sent=reach.sent,
            total=reach.total,
            blocked=reach.blocked,
            failed=reach.failed + reach.unconfirmed,
            left=format_duration(left),
        )

    async def _language(self, notice: Notice) -> str:
        return (await self._services.users.language_of(notice.author_id)).value

    async def _show(self, notice: Notice, text: str) -> None:
        if self._shown.get(notice.id) == text:
            return
        self._shown[notice.id] = text
        chat_id = notice.chat_id or notice.author_id
        await chat_turn(self._services.notice_delivery.budget, chat_id)
        bot, message_id = self._app.bot, notice.progress_message_id
        if message_id is None:
            shown = Sent(Outcome.REJECTED, error="no progress message yet")
        else:
            shown = await attempt(patiently(bot.edit_message_text, text, chat_id, message_id))
        if shown.outcome is Outcome.REJECTED and "not modified" not in shown.error.lower():
            shown = await attempt(patiently(send_text, bot, chat_id, text))
            if shown.message_id is not None:
                await self._services.notices.set_progress_message(notice.id, shown.message_id)
        if not shown.ok and "not modified" not in shown.error.lower():
            log.info("progress not shown", extra={"notice": notice.id, "error": shown.error})

    async def report(self, notice: Notice) -> None:
        """Show the final figures and send the delivery report (once, after the claim)."""
        services, t = self._services, self._services.translate
        lang = await self._language(notice)
        reach = await services.notices.reach(notice.id)
        await self._show(
            notice,
            t(
                lang,
                "broadcast.progress_done",
                number=notice.id,
                sent=reach.sent,
                total=reach.total,
            ),
        )
        self._shown.pop(notice.id, None)
        took = (notice.finished_at or datetime.now(UTC)) - (notice.started_at or notice.created_at)
        text = delivery_report(services, notice, reach, lang, took)
        markup = keyboard(report_buttons(services, lang, notice.id, reach))
        chat_id = notice.chat_id or notice.author_id
        await chat_turn(services.notice_delivery.budget, chat_id)
        reported = await attempt(patiently(send_text, self._app.bot, chat_id, text, markup))
        if not reported.ok:
            log.warning(
                "delivery report not sent", extra={"notice": notice.id, "error": reported.error}
            )
        log.info("notice sent", extra={"notice": notice.id, **reach.model_dump()})


def report_buttons(
    services: Services, lang: str, notice_id: int, reach: Reach
) -> list[list[Choice]]:
    """Return the delivery report's buttons: the reach, and sending the unconfirmed again."""
    t = services.translate
    rows = [[(t(lang, "broadcast.reach_button"), encode(NOTICE_DRAFT, "reach", notice_id))]]
    if reach.unconfirmed:
        label = t(lang, "broadcast.resend_button", count=reach.unconfirmed)
        rows.append([(label, encode(NOTICE_DRAFT, "resend", notice_id))])
    return rows


async def send_again(context: BotContext, query: CallbackQuery, lang: str, notice_id: int) -> None:
    """Send a notice's unconfirmed copies again, as the admin chose (a duplicate is better than
    a missing notice); a second press finds none left."""
    services, t = context.services, context.services.translate
    count = await services.notice_delivery.send_again_unconfirmed(notice_id)
    if not count:
        await query.answer(t(lang, "broadcast.resend_none", number=notice_id), show_alert=True)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message else query.from_user.id
    try:
        await chat_turn(services.notice_delivery.budget, chat_id)
        text = t(lang, "broadcast.resent", number=notice_id, count=count)
        await patiently(send_text, context.bot, chat_id, text)
    finally:  # after this message: the admin may be one of the unconfirmed
        wake_sending(cast(BotApplication, context.application))


def delivery_report(
    services: Services, notice: Notice, reach: Reach, lang: str, took: timedelta
) -> str:
    """Return a notice's delivery report in a language."""
    return services.translate(
        lang,
        "broadcast.report",
        number=notice.id,
        total=reach.total,
        sent=reach.sent,
        blocked=reach.blocked,
        failed=reach.failed,
        unconfirmed=reach.unconfirmed,
        skipped=reach.skipped,
        retries=reach.transient_errors,
        pauses=reach.rate_limited,
        took=format_duration(took),
    )


async def send_summaries(app: BotApplication, services: Services, notice: Notice) -> None:
    """Send a closed consultation's summary and XLSX to every admin and officer, once each."""
    reports = services.comment_periods
    summary = await reports.summary(notice)
    for officer_id, language in await services.followup.access.reachable_staff():
        if not await services.notices.claim_summary(notice.id, officer_id):
            continue
        lang, bot = language, app.bot
        sending = patiently(send_text, bot, officer_id, reports.text(summary, lang))
        if not await delivered(services, officer_id, sending, "summary", notice=notice.id):
            continue
        data, count = await reports.workbook(notice, lang)
        await chat_turn(services.notice_delivery.budget, officer_id)
        caption = services.translate(lang, "consultation.xlsx_caption", count=count)
        name = f"consultation-{notice.id}.xlsx"
        sending = patiently(bot.send_document, officer_id, data, filename=name, caption=caption)
        await delivered(services, officer_id, sending, "summary workbook", notice=notice.id)
