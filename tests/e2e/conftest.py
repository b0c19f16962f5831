"""End-to-end fixtures: the Bot API emulator and the real application running against it."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import build_application, running
from bot.core.i18n import Translator
from bot.core.pacing import REAL_TEMPO, Tempo
from bot.sandbox import BotApiEmulator, Limits, SimUser
from config.settings import Settings
from handlers.kit.context import BotApplication, BotContext
from tests.conftest import SettingsFactory
from tests.e2e.process import BotProcess
from tests.fakes import Clock

T = Translator.from_directory()
ADMIN_ID = 900_001


BOT_PACE = 30  # API_RATE_LIMIT under Telegram's limits: the bot's own budget
# Under the limits, the emulator and an in-process bot count seconds 20 times faster than the
# wall clock: every limit, wait and retry_after holds in those seconds, and a test of forty
# messages to one chat takes two seconds, not forty. Bots in a subprocess keep real seconds.
LIMITS_TEMPO = Tempo(speed=20)


def telegram_limits(request: pytest.FixtureRequest) -> bool:
    """Tell whether the test runs under Telegram's limits (marked `telegram_limits`)."""
    return request.node.get_closest_marker("telegram_limits") is not None


@pytest.fixture
def tempo(request: pytest.FixtureRequest) -> Tempo:
    """Return the seconds Telegram's limits count in: faster ones under the limits."""
    return LIMITS_TEMPO if telegram_limits(request) else REAL_TEMPO


@pytest.fixture
async def emulator(request: pytest.FixtureRequest, tempo: Tempo) -> AsyncIterator[BotApiEmulator]:
    """Yield a running emulator (with Telegram's limits if the test is marked so); at the end,
    nothing sent may have broken Telegram's rules, and under the limits no call drew a 429."""
    async with BotApiEmulator(limits_clock=tempo.monotonic) as emu:
        limited = telegram_limits(request)
        if limited:
            emu.limits = Limits(global_per_second=30, per_chat_per_second=1)
        yield emu
        emu.assert_no_violations()
        if limited:
            assert [r for r in emu.rejections if r.error_code == 429] == []


@pytest.fixture
def bot_settings(
    make_settings: SettingsFactory, emulator: BotApiEmulator, request: pytest.FixtureRequest
) -> Settings:
    """Return settings pointing the bot at the emulator (pacing itself under the limits)."""
    return make_settings(
        bot_api_url=emulator.base_url,
        bot_api_file_url=emulator.file_base_url,
        admin_ids=str(ADMIN_ID),
        api_rate_limit=BOT_PACE if telegram_limits(request) else 0,
    )


BotRunner = Callable[..., Awaitable[BotApplication]]
Processes = Callable[..., BotProcess]


@pytest.fixture
async def processes(
    emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Processes]:
    """Return a factory of `feedback-bot run` processes on one database, the officer as admin
    unless the environment given says otherwise; any left running are killed at the end."""
    made: list[BotProcess] = []
    pace = {"API_RATE_LIMIT": str(BOT_PACE)} if telegram_limits(request) else {}

    def make(**env: str) -> BotProcess:
        settings = {"ADMIN_IDS": str(ADMIN_ID), **pace, **env}
        proc = BotProcess(emulator, tmp_path / "feedback.db", **settings)
        made.append(proc)
        return proc

    yield make
    for proc in made:
        await proc.ensure_stopped()


@pytest.fixture
def clock() -> Clock:
    """Return the bot's clock: it keeps real time, and jumps when the test moves it."""
    return Clock(ticking=True)


@pytest.fixture
async def start_bot(
    bot_settings: Settings, clock: Clock, tempo: Tempo
) -> AsyncIterator[Callable[..., Any]]:
    """Return a function that runs the application (as `feedback-bot run` builds it)."""
    stack: list[Any] = []

    async def start(settings: Settings | None = None) -> BotApplication:
        app = build_application(settings or bot_settings, clock=clock, tempo=tempo)
        context = running(app)
        await context.__aenter__()
        stack.append(context)
        return app

    yield start
    while stack:
        await stack.pop().__aexit__(None, None, None)


@pytest.fixture
async def bot(start_bot: Callable[..., Any]) -> BotApplication:
    """Run the bot for one test."""
    app: BotApplication = await start_bot()
    return app


def said(lang: str, key: str, **params: object) -> str:
    """Return a catalog text as the user sees it (HTML tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", T(lang, key, **params)))


def language_label(code: str, preselected: str) -> str:
    """Return the language button's text as the bot shows it (the preselected one is marked)."""
    name = T(code, "language.name")
    return f"• {name} •" if code == preselected else name


async def onboard(
    user: SimUser,
    lang: str = "en",
    *,
    role: str = "trader",
    organisation: str | None = "Acme Trading",
    size: str = "small",
    women_led: str = "undisclosed",
    staff: bool = False,
) -> None:
    """Take a simulated user through onboarding, checking each question arrives (staff who
    joined through an invite are not asked the trader's business questions)."""
    preselected = (user.language_code or "en").split("-")[0]
    preselected = preselected if preselected in T.languages else "en"
    await user.send("/start")
    await user.wait_for_message(said(preselected, "onboarding.ask_language"))
    await user.press(language_label(lang, preselected))
    if not staff:
        await user.wait_for_message(said(lang, "onboarding.ask_role"))
        await user.press(T(lang, f"role.{role}"))
    await user.wait_for_message(said(lang, "onboarding.ask_organisation"))
    if organisation is None:
        await user.press(T(lang, "button.skip"))
    else:
        await user.send(organisation)
    if not staff:
        await user.wait_for_message(said(lang, "onboarding.ask_size"))
        await user.press(T(lang, f"size.{size}"))
        await user.wait_for_message(said(lang, "onboarding.ask_women_led"))
        await user.press(T(lang, f"women_led.{women_led}"))
    await user.wait_for_message(said(lang, "onboarding.privacy_notice"))
    await user.press(T(lang, "onboarding.privacy_accept"))
    await user.wait_for_message(said(lang, "onboarding.done"))


async def tap(user: SimUser, text: str, limit: float = 5.0) -> None:
    """Press a button as soon as the bot has shown it (a person waits for it to appear)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        try:
            await user.press(text)
            return
        except AssertionError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.02)


async def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll until the condition holds (what arrives, arrives: no fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def run_due_jobs(app: BotApplication, clock: Clock) -> list[str]:
    """Run now, in order, each JobQueue job due by the bot's clock, and return their names.

    What waits for a moment (a one-off job, a timer) runs once and is removed; a repeating
    job runs once and stays. Errors are raised here, in the test, not sent to the error handler.
    """
    assert app.job_queue is not None
    due = sorted(
        (job for job in app.job_queue.jobs() if job.next_t is not None and job.next_t <= clock.now),
        key=lambda job: job.next_t or clock.now,
    )
    ran: list[str] = []
    for job in due:
        if job.removed:
            continue  # an earlier job replaced it (a timer set again)
        if not isinstance(job.job.trigger, IntervalTrigger):
            with contextlib.suppress(JobLookupError):  # it may have just fired on its own
                job.schedule_removal()
        await job.callback(BotContext.from_job(job, app))
        ran.append(job.name or "")
    return ran
