"""Notices going out: the Telegram sender, the bot-wide send budget, and the loop that starts
due notices, drains the queue, edits the admin's progress message and reports at the end."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import httpx
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter, ExtBot

from bot.container import Services
from bot.core.durations import format_duration
from bot.core.pacing import SENDING_METHODS, SendBudget
from bot.notices.delivery import Blocked, Rejected, RetryLater, Transient, Unconfirmed
from bot.notices.model import Notice, Outgoing, Reach
from handlers.kit.callbacks import encode
from handlers.kit.context import SERVICES_KEY, BotApplication, BotContext
from handlers.kit.render import keyboard, send_text
from handlers.notices.buttons import NOTICE_DRAFT

log = logging.getLogger(__name__)
BROADCASTING: ContextVar[bool] = ContextVar("broadcasting", default=False)
SLICE = 5.0  # seconds of sending before the queue is looked at afresh
IDLE = 0.5  # seconds between two looks at the queue (and at due notices) when idle
PROGRESS_EVERY = 3.0  # seconds between two edits of an admin's progress message
NOT_SENT = (TelegramError, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
Callback = Callable[..., Coroutine[Any, Any, Any]]
T = TypeVar("T")


def _seconds(error: RetryAfter) -> float:
    wait = getattr(error, "_retry_after", None)  # the public property warns about its type
    return wait.total_seconds() if isinstance(wait, timedelta) else 1.0


class BudgetLimiter(BaseRateLimiter[None]):
    """Note every message the bot sends in the shared budget; replies to users go first.

    Broadcast calls (marked by BROADCASTING) were paced and noted by the delivery engine and go
    straight out. Any other message waits only while Telegram asked everybody to (429) or the
    last second is full, and is then noted; the inner limiter (API_RATE_LIMIT's
    AIORateLimiter), if any, still applies.
    """

    def __init__(self, budget: SendBudget, inner: BaseRateLimiter[int] | None = None) -> None:
        self.budget = budget
        self._inner = inner

    async def initialize(self) -> None:
        """Open the inner limiter."""
        if self._inner is not None:
            await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the inner limiter."""
        if self._inner is not None:
            await self._inner.shutdown()

    async def process_request(  # noqa: PLR0917 - PTB's signature
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Any:
        """Make the call, counted in the budget, through the inner limiter if there is one."""
        if BROADCASTING.get():
            return await callback(*args, **kwargs)
        sending = endpoint.lower() in SENDING_METHODS
        chat = _chat_id(data)

        async def counted(*call_args: Any, **call_kwargs: Any) -> Any:
            token = None
            if sending:
                await self.budget.wait_turn()
                token = self.budget.note(chat)
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as error:
                self.budget.pause(_seconds(error))
                raise
            finally:
                if token is not None:
                    self.budget.done(token, chat)

        if self._inner is not None:
            return await self._inner.process_request(counted, args, kwargs, endpoint, data, None)
        return await counted(*args, **kwargs)


def _chat_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def budget_limiter(overall: float, inner: BaseRateLimiter[int] | None) -> BudgetLimiter:
    """Return the limiter that shares API_RATE_LIMIT between replies and broadcasts."""
    return BudgetLimiter(SendBudget(overall), inner)


async def patiently(call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Make a call, waiting and trying again (twice at most) while Telegram asks to wait."""
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            return await call(*args, **kwargs)
        except RetryAfter as error:
            if attempt == attempts:
                raise
            await asyncio.sleep(_seconds(error))
    raise AssertionError("unreachable")


async def chat_turn(budget: SendBudget, chat_id: int) -> None:
    """Wait until the chat may get another message (Telegram: one a second per chat)."""
    wait = budget.chat_wait(chat_id)
    if wait > 0:
        await asyncio.sleep(wait)


def budget_of(bot: ExtBot[None], overall: float) -> SendBudget:
    """Return the bot's shared send budget (a fresh one if the bot was built without it)."""
    limiter = bot.rate_limiter
    return limiter.budget if isinstance(limiter, BudgetLimiter) else SendBudget(overall)


class TelegramSender:
    """Send a notice copy with the Bot API, turning Telegram's errors into the engine's."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def send(self, message: Outgoing) -> int:
        """Send one message; return its id."""
        markup = keyboard(message.buttons) if message.buttons else None
        token = BROADCASTING.set(True)
        try:
            if message.document is not None:
                sent = await self._bot.send_document(
                    message.chat_id,
                    message.document.file_id,
                    caption=message.text,
                    reply_markup=markup,
                )
            else:
                sent = await self._bot.send_message(
                    message.chat_id, message.text, reply_markup=markup
                )
        except RetryAfter as error:
            raise RetryLater(_seconds(error)) from error
        except Forbidden as error:
            raise Blocked(str(error)) from error
        except BadRequest as error:  # before NetworkError, which it subclasses
            raise Rejected(str(error)) from error
        except (TimedOut, NetworkError) as error:  # TimedOut subclasses NetworkError too
            unsent = error.__cause__ is None or isinstance(error.__cause__, NOT_SENT)
            raise (Transient if unsent else Unconfirmed)(str(error)) from error
        except TelegramError as error:  # invalid token, chat migrated, conflict
            raise Rejected(str(error)) from error
        finally:
            BROADCASTING.reset(token)
        return sent.message_id


# --- the loop ---------------------------------------------------------------------------------


def start_sending(app: BotApplication) -> None:
    """Start the notice loop with the application (a task that Application.stop() waits for)."""
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name("notice-sender"):
        job.schedule_removal()
    app.job_queue.run_once(_launch, when=0, name="notice-sender")


async def _launch(context: BotContext) -> None:
    app = cast(BotApplication, context.application)
    task = app.bot_data.get("notice-sender")
    if isinstance(task, asyncio.Task) and not task.done():
        return
    app.bot_data["notice-sender"] = app.create_task(run(app), name="notice-sender")


async def run(app: BotApplication) -> None:
    """Send notices until the application stops; in-flight sends finish first."""
    services = cast(Services, app.bot_data[SERVICES_KEY])
    await services.notice_delivery.recover()
    await asyncio.gather(_send(app, services), _watch(app, services))


async def _send(app: BotApplication, services: Services) -> None:
    """Drain the queue, paced, without a break between batches while copies are due."""
    sender = TelegramSender(app.bot)
    while app.running:
        started = 0
        try:
            started = await services.notice_delivery.pump(sender, SLICE, lambda: app.running)
        except Exception:
            log.exception("notice sending failed; going on")
        if not started:
            await _nap(app, IDLE)


async def _watch(app: BotApplication, services: Services) -> None:
    """Start due notices, queue reminders, show progress, report the end, send summaries."""
    progress = ProgressMessages(app, services)
    notices = services.notices
    while app.running:
        try:
            for notice in await notices.start_due(datetime.now(UTC)):
                log.info("notice sending", extra={"notice": notice.id, "recipients": notice.total})
            await notices.queue_reminders(datetime.now(UTC))
            await progress.refresh()
            for notice in await notices.finish_done(datetime.now(UTC)):
                await progress.report(notice)
            for notice in await notices.closed_consultations(datetime.now(UTC)):
                await send_summaries(app, services, notice)
        except Exception:
            log.exception("notice bookkeeping failed; going on")
        await _nap(app, IDLE)


async def _nap(app: BotApplication, seconds: float) -> None:
    for _ in range(max(int(seconds / 0.1), 1)):
        if not app.running:
            return
        await asyncio.sleep(0.1)


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
        try:
            if notice.progress_message_id is None:
                raise BadRequest("no progress message yet")
            message_id = notice.progress_message_id
            await patiently(self._app.bot.edit_message_text, text, chat_id, message_id)
        except BadRequest as problem:
            if "not modified" in str(problem).lower():
                return
            message = await patiently(send_text, self._app.bot, chat_id, text)
            await self._services.notices.set_progress_message(notice.id, message.message_id)
        except (Forbidden, NetworkError, RetryAfter) as problem:
            log.info("progress not shown", extra={"notice": notice.id, "error": repr(problem)})

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
        markup = keyboard(
            [[(t(lang, "broadcast.reach_button"), encode(NOTICE_DRAFT, "reach", notice.id))]]
        )
        chat_id = notice.chat_id or notice.author_id
        try:
            await chat_turn(services.notice_delivery.budget, chat_id)
            await patiently(send_text, self._app.bot, chat_id, text, markup)
        except (Forbidden, NetworkError, RetryAfter) as problem:
            log.warning(
                "delivery report not sent", extra={"notice": notice.id, "error": repr(problem)}
            )
        log.info("notice sent", extra={"notice": notice.id, **reach.model_dump()})


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
    reports = services.consultations
    summary = await reports.summary(notice)
    for officer_id, language in await services.followup.access.reachable_staff():
        if not await services.notices.claim_summary(notice.id, officer_id):
            continue
        lang = language
        try:
            text = reports.text(summary, lang)
            await patiently(send_text, app.bot, officer_id, text)
            data, count = await reports.workbook(notice, lang)
            await chat_turn(services.notice_delivery.budget, officer_id)
            caption = services.translate(lang, "consultation.xlsx_caption", count=count)
            name = f"consultation-{notice.id}.xlsx"
            await patiently(app.bot.send_document, officer_id, data, filename=name, caption=caption)
        except (Forbidden, NetworkError, RetryAfter) as problem:
            log.info("summary not delivered", extra={"notice": notice.id, "error": repr(problem)})
