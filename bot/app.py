"""The composition root: build_application() wires settings, storage, services and handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, cast

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

import handlers
from bot.container import Services
from bot.core.clock import Clock, utc_now
from bot.core.pacing import REAL_TEMPO, Tempo
from bot.wiring import build_services
from config.settings import Settings
from handlers.kit.context import SERVICES_KEY, BotApplication, BotContext
from handlers.kit.flood import FloodGate
from handlers.kit.health import start_monitoring, stop_monitoring
from handlers.kit.metrics import instrument
from handlers.kit.pacing import budget_limiter
from handlers.kit.received import UpdateInbox, poll
from handlers.kit.webhook import WebhookServer
from storage.db import Database
from storage.health import HealthQueries
from storage.updates import ReceivedUpdates

log = logging.getLogger(__name__)
SETTINGS_KEY = "settings"
CLOCK_KEY = "clock"
DATABASE_KEY = "database"
WEBHOOK_KEY = "webhook"
INBOX_KEY = "inbox"
DRAIN_SECONDS = 10.0  # at a stop, how long handlers running may take to finish
POLL_TIMEOUT = 10  # seconds a getUpdates long poll may wait for an update
UNBOUNDED = 1 << 30  # PTB's semaphore, wide open: PerChatUpdateProcessor counts its own slots


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates of different chats concurrently, and those of one chat in order.

    The flood gate (FLOOD_LIMIT), when set, screens each update as it arrives; an update then
    waits for its chat's earlier ones before it takes one of the concurrent slots, so a busy
    chat holds one slot at most and never delays other chats. (PTB's own semaphore, taken
    before this, is left wide open: the slots are ours.)
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(UNBOUNDED)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self.gate: FloodGate | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Screen the update, wait for the chat's earlier updates, then run it in a slot."""
        work = coroutine if self.gate is None else self.gate.screen(update, coroutine)
        if work is None:
            return
        key = _chat_key(update)
        if key is None:
            async with self._slots:
                await work
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await work
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


def application_builder(
    settings: Settings, tempo: Tempo = REAL_TEMPO
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """Return the builder with the stack every bot of ours shares (API, defaults, concurrency);
    `tempo` is the seconds Telegram's limits are counted in (a test's may run faster)."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.bot_api_url)
        .base_file_url(settings.bot_api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
    )
    limiter: AIORateLimiter | None = None
    if settings.api_rate_limit > 0:  # groups' per-minute limit only: the budget does the rest
        limiter = AIORateLimiter(overall_max_rate=0, max_retries=0)
    # Every message counts in one budget, each chat in its own turn: broadcasts take only what
    # replies to users leave, and one chat's backlog or 429 never holds back another chat.
    return builder.rate_limiter(budget_limiter(settings.api_rate_limit, limiter, tempo))


def build_application(
    settings: Settings, clock: Clock = utc_now, tempo: Tempo = REAL_TEMPO
) -> BotApplication:
    """Build the bot: the one place where every part is put together (one clock for all)."""
    builder = (
        application_builder(settings, tempo).post_init(_post_init).post_shutdown(_post_shutdown)
    )
    app = cast(BotApplication, builder.build())
    app.bot_data[SETTINGS_KEY] = settings
    app.bot_data[CLOCK_KEY] = clock
    if settings.flood_limit is not None and isinstance(
        app.update_processor, PerChatUpdateProcessor
    ):
        app.update_processor.gate = FloodGate(app, settings.flood_limit, clock)
    handlers.register(app)
    instrument(app)  # updates and handler latency by capability, for METRICS_PORT
    return app


async def _post_init(app: BotApplication) -> None:
    """Open storage, build the services, set the command menus."""
    settings = cast(Settings, app.bot_data[SETTINGS_KEY])
    clock = cast(Clock, app.bot_data.get(CLOCK_KEY, utc_now))
    db = await Database.open(settings.database_path)
    services = await build_services(app, settings, db, clock)
    app.bot_data[DATABASE_KEY] = db
    app.bot_data[SERVICES_KEY] = services
    app.bot_data[INBOX_KEY] = UpdateInbox(app, ReceivedUpdates(db), clock)
    await handlers.set_default_menus(app.bot, services)
    handlers.schedule_jobs(app, services)
    await start_monitoring(app, settings, HealthQueries(db), clock)  # /healthz, HEALTH/METRICS_PORT
    log.info("bot ready", extra={"bot": app.bot.username, "database": str(settings.database_path)})


async def _post_shutdown(app: BotApplication) -> None:
    """Stop background work and close storage."""
    await stop_monitoring(app)
    services = app.bot_data.get(SERVICES_KEY)
    if isinstance(services, Services):
        await services.sorting.stop()
        await services.digests.close()
    db = app.bot_data.pop(DATABASE_KEY, None)
    if isinstance(db, Database):
        await db.close()


@asynccontextmanager
async def running(app: BotApplication, *, poll_timeout: int = 1) -> AsyncIterator[BotApplication]:
    """Run the application inside the current event loop: long polling, or the webhook server
    when WEBHOOK_URL is set; either way each update is stored before Telegram may forget it."""
    settings = cast(Settings, app.bot_data[SETTINGS_KEY])
    server: WebhookServer | None = None
    polling: asyncio.Task[None] | None = None
    await app.initialize()
    try:
        await _post_init(app)
        await app.start()
        inbox = inbox_of(app)
        await inbox.replay()  # what a killed process stored but did not handle
        if settings.webhook_url:
            server = webhook_server(app, settings, inbox)
            app.bot_data[WEBHOOK_KEY] = server
            await server.start(settings.webhook_listen, settings.webhook_port)
        else:
            polling = await _start_polling(app, inbox, poll_timeout)
        yield app
    finally:
        await _stop_receiving(app, server, polling)
        if app.running:
            await app.stop()
        await app.shutdown()
        await _post_shutdown(app)


def inbox_of(app: BotApplication) -> UpdateInbox:
    """Return the application's update inbox (made when storage opened)."""
    return cast(UpdateInbox, app.bot_data[INBOX_KEY])


async def _start_polling(
    app: BotApplication, inbox: UpdateInbox, poll_timeout: int
) -> asyncio.Task[None]:
    """Stop any webhook and start our long polling (PTB's Updater confirms before handling)."""
    await app.bot.delete_webhook()
    return asyncio.create_task(poll(app, inbox, wait=poll_timeout), name="polling")


async def _stop_receiving(
    app: BotApplication, server: WebhookServer | None, polling: asyncio.Task[None] | None
) -> None:
    """Stop taking updates, then let the handlers running finish (the rest run after a restart)."""
    if server is not None:
        await server.stop()
    if polling is not None:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
    inbox = app.bot_data.get(INBOX_KEY)
    if isinstance(inbox, UpdateInbox):
        await inbox.drain(DRAIN_SECONDS)


def webhook_server(app: BotApplication, settings: Settings, inbox: UpdateInbox) -> WebhookServer:
    """Return the webhook server for WEBHOOK_URL (its path), WEBHOOK_SECRET and the body limit."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    return WebhookServer(
        app,
        inbox,
        url=settings.webhook_url,
        secret=settings.webhook_secret.get_secret_value(),
        max_body=settings.webhook_max_body,
    )


def serve(app: BotApplication) -> None:
    """Serve updates (long polling, or the webhook when WEBHOOK_URL is set) until SIGINT or
    SIGTERM."""

    async def until_stopped() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with running(app, poll_timeout=POLL_TIMEOUT):
            await stop.wait()

    asyncio.run(until_stopped())
