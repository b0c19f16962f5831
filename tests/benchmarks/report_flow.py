"""Benchmark: N simulated traders file a full report at once, against a bare echo bot.

Both bots are built on the same Application stack (bot.app.application_builder) and
driven through the same Bot API emulator over HTTP in the same run; the figures that
matter are the ratios, since these machines are noisy.

The echo bot does the least a bot can do for the same interactions as the report flow:
a typed message is echoed (sendMessage, with one inline button); a pressed button is
answered and its message edited to echo it (answerCallbackQuery + editMessageText),
since Telegram expects every button press to be answered. A text-only echo run is
printed as well, for comparison.

    python tests/benchmarks/report_flow.py [--traders 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.accounts.onboarding import Step as OnboardingStep
from bot.app import application_builder, build_application, running
from bot.core.i18n import Translator
from bot.core.users import TelegramProfile
from bot.sandbox import BotApiEmulator, SimUser
from config.reference_data import load_taxonomy
from config.settings import Settings, settings_from

T = Translator.from_directory()
TAXONOMY = load_taxonomy()
Step = tuple[str, Callable[[SimUser], Awaitable[Any]], str | None]
ONBOARDING_ANSWERS = {
    OnboardingStep.LANGUAGE: "en",
    OnboardingStep.ROLE: "trader",
    OnboardingStep.ORGANISATION: "skip",
    OnboardingStep.SIZE: "small",
    OnboardingStep.WOMEN_LED: "no",
    OnboardingStep.PRIVACY: "accept",
}
PRESS_STEPS = {"kind", "topic", "office", "date", "files", "anonymity", "submit"}


WORDS = str.split(
    "truck container pallet invoice waybill manifest seal scanner queue permit licence broker "
    "warehouse terminal port airport border ferry rail coffee cocoa flowers fish fruit textile "
    "steel spare parts medicine fertiliser grain sugar rice timber cement tyres laptops phones "
    "morning night weekend monday friday officer supervisor clerk window counter stamp copy "
    "original notarised translation deposit guarantee bond refund receipt bank transfer fee"
)


def description(number: int) -> str:
    """Return a distinct description for one trader (distinct reports are not recurring)."""
    rng = random.Random(number)
    names = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))]
    names += ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))]
    return f"{' '.join(rng.sample(WORDS, 4))}: {names[0]} {names[1]} ({number})."


async def submit(user: SimUser) -> None:
    """Press submit; if the bot finds a similar open report, file this one as new anyway."""
    await user.press(T("en", "report.submit"))
    answer = await user.wait_for_message(
        predicate=lambda m: "Thank you" in m.content or "similar report" in m.content, timeout=120
    )
    if "similar report" in answer.content:
        await user.press(T("en", "report.voice_new"))
        await user.wait_for_message("Thank you", timeout=120)


def report_steps() -> list[Step]:
    """Return the full report flow as (name, action, text the bot answers with)."""
    topic = TAXONOMY.topics[0].name("en")
    return [
        ("/report", lambda u: u.send("/report"), "New report"),
        ("kind", lambda u: u.press(T("en", "kind.action_issue")), "Describe the problem"),
        ("description", lambda u: u.send(description(u.id)), "Which topic"),
        ("topic", lambda u: u.press(topic), "Which customs office"),
        ("office", lambda u: u.press(T("en", "report.office_none")), "When did it happen"),
        ("date", lambda u: u.press(T("en", "report.date_today")), "You can add up to"),
        ("files", lambda u: u.press(T("en", "report.attachments_none")), "Should Customs"),
        ("anonymity", lambda u: u.press(T("en", "report.anonymity_no")), "Please check"),
        ("submit", submit, None),  # submit() waits for the confirmation itself
    ]


async def _press_echo(user: SimUser) -> Any:
    """Press the echo bot's button."""
    return await user.press("echo")


def _send_ping(i: int) -> Callable[[SimUser], Awaitable[Any]]:
    """Return a step that sends the i-th ping."""

    async def send(user: SimUser) -> Any:
        return await user.send(f"ping {i}")

    return send


def echo_steps(flow: list[Step], *, presses: bool) -> list[Step]:
    """Return the echo round trips mirroring the flow: typed text, or a button press."""
    steps: list[Step] = []
    for i, (name, _, _) in enumerate(flow):
        if presses and name in PRESS_STEPS:
            steps.append((f"{name}*", _press_echo, f"pressed {i}"))
        else:
            steps.append((f"{name}*", _send_ping(i), f"ping {i}"))
    return steps


async def drive(users: list[SimUser], steps: list[Step]) -> tuple[float, dict[str, list[float]]]:
    """Run every user through the steps concurrently; return wall time and latencies."""
    latencies: dict[str, list[float]] = defaultdict(list)

    async def one(user: SimUser) -> None:
        for name, action, answer in steps:
            started = time.perf_counter()
            await action(user)
            if answer is not None:
                await user.wait_for_message(answer, timeout=120)
            latencies[name].append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(user) for user in users))
    return time.perf_counter() - started, latencies


def settings_for(emu: BotApiEmulator, folder: Path, name: str) -> Settings:
    """Return settings for one bot of the benchmark (no outgoing rate limit: we measure the bot)."""
    return settings_from(
        {
            "bot_token": "123456:BENCH-token",
            "bot_api_url": emu.base_url,
            "bot_api_file_url": emu.file_base_url,
            "database_path": folder / f"{name}.db",
            "api_rate_limit": 0,
            "log_level": "WARNING",
            "reports_per_hour": 1000,
        }
    )


async def bench_echo(
    emu: BotApiEmulator, folder: Path, traders: int, *, presses: bool
) -> tuple[float, dict[str, list[float]]]:
    """Measure the bare echo bot on the same stack."""
    button = InlineKeyboardMarkup([[InlineKeyboardButton("echo", callback_data="echo")]])
    pressed: dict[int, int] = defaultdict(int)

    async def echo(update: Update, context: Any) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        pressed[message.chat_id] = int(message.text.split()[-1])
        await message.reply_text(message.text, reply_markup=button)

    async def echo_press(update: Update, context: Any) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        pressed[query.message.chat.id] += 1
        await query.edit_message_text(
            f"pressed {pressed[query.message.chat.id]}", reply_markup=button
        )

    app = application_builder(settings_for(emu, folder, f"echo{presses}")).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(echo_press))
    users = [emu.add_user(first_name=f"E{i}", language_code="en") for i in range(traders)]
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            return await drive(users, echo_steps(report_steps(), presses=presses))
        finally:
            await app.updater.stop()
            await app.stop()


async def bench_reports(
    emu: BotApiEmulator, folder: Path, traders: int
) -> tuple[float, dict[str, list[float]]]:
    """Measure the real bot with every trader filing one report."""
    app = build_application(settings_for(emu, folder, "reports"))
    users = [emu.add_user(first_name=f"R{i}", language_code="en") for i in range(traders)]
    async with running(app):
        service = app.bot_data["services"].users
        for user in users:  # registered and onboarded beforehand: we measure the report flow
            await service.start(TelegramProfile(id=user.id, first_name=user.first_name))
            for step in OnboardingStep:
                await service.answer(user.id, step, ONBOARDING_ANSWERS[step])
        return await drive(users, report_steps())


def describe(label: str, wall: float, latencies: dict[str, list[float]]) -> float:
    """Print one bot's figures and return its updates per second."""
    updates = sum(len(values) for values in latencies.values())
    rate = updates / wall
    print(f"\n{label}: {updates} updates in {wall:.2f} s = {rate:.1f} updates/s")
    print(f"  {'step':<12} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in latencies.items():
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"  {name:<12} {statistics.median(ordered) * 1000:8.1f} {p99 * 1000:8.1f}")
    return rate


async def main() -> None:
    """Run both bots and print the figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traders", type=int, default=200)
    args = parser.parse_args()
    steps = len(report_steps())
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiEmulator() as emu:
            echo_wall, echo_lat = await bench_echo(emu, Path(tmp), args.traders, presses=True)
            text_wall, text_lat = await bench_echo(emu, Path(tmp), args.traders, presses=False)
            report_wall, report_lat = await bench_reports(emu, Path(tmp), args.traders)
            emu.assert_no_violations()
    echo_rate = describe("echo bot, same interactions (baseline)", echo_wall, echo_lat)
    text_rate = describe("echo bot, text only", text_wall, text_lat)
    report_rate = describe("report flow", report_wall, report_lat)
    all_echo = sorted(v for values in echo_lat.values() for v in values)
    all_report = sorted(v for values in report_lat.values() for v in values)
    print(f"\ntraders: {args.traders}, steps each: {steps}")
    print(f"report-flow updates/s ÷ echo updates/s = {report_rate / echo_rate:.2f} (target ≥ 0.5)")
    print(f"report-flow updates/s ÷ text-only echo updates/s = {report_rate / text_rate:.2f}")
    print(
        "p50 latency ratio report/echo = "
        f"{statistics.median(all_report) / statistics.median(all_echo):.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
