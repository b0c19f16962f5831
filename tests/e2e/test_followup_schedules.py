"""Follow-up on a clock, with short test service levels: overdue flags, the daily overdue
summary, and "Is it fixed?" asked once more after a delay, across kill -9 and restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox import BotApiEmulator, SimUser
from tests.e2e.conftest import ADMIN_ID, Processes, T, onboard, said, tap
from tests.e2e.reporting import answer_until_summary, start_report, submit

pytestmark = pytest.mark.slow
ACKNOWLEDGE = 1  # seconds: the test's service level to acknowledge a report
LEVELS = ", ".join(f"{level}={ACKNOWLEDGE}s/8s" for level in ("high", "normal", "low"))
REASK = 4  # seconds after "Is it fixed?" went unanswered, it is asked once more


async def _file(trader: SimUser, text: str) -> str:
    await start_report(trader, "en", "issue")
    await answer_until_summary(trader, "en", "issue", text)
    return await submit(trader, "en")


async def _open(officer: SimUser, reference: str) -> None:
    await officer.send("/inbox")
    page = await officer.wait_for_message(reference)
    rows = (page.reply_markup or {}).get("inline_keyboard", [])
    await tap(officer, next(b["text"] for r in rows for b in r if b["text"].endswith(reference)))
    await officer.wait_for_message(said("en", "followup.card_title", reference=reference))


async def test_overdue_flags_summary_and_reask_survive_restarts(
    emulator: BotApiEmulator, processes: Processes
) -> None:
    trader = emulator.add_user(first_name="Tom", language_code="en")
    officer = emulator.add_user(first_name="Olga", language_code="en", id=ADMIN_ID)
    env = {"SERVICE_LEVELS": LEVELS, "SATISFACTION_REASK": f"{REASK}s", "DELIVERY_GRACE": "10m"}
    bot = processes(**env)
    try:
        await bot.start()
        await onboard(trader, "en")
        await onboard(officer, "en")
        waiting = await _file(trader, "The scanner at the port is broken since Monday.")
        solved = await _file(trader, "Our declaration is stuck in the single window portal.")

        # Past the test's target to acknowledge, the inbox flags both.
        await asyncio.sleep(ACKNOWLEDGE + 0.2)
        await officer.send("/inbox overdue")
        page = await officer.wait_for_message(said("en", "inbox.filter_overdue"))
        flag = said("en", "inbox.overdue_acknowledge")
        assert page.content.count(flag) == 2 and waiting in page.content

        # Resolved: the trader does not answer "Is it fixed?"; the bot is killed meanwhile.
        await _open(officer, solved)
        await tap(officer, T("en", "followup.btn.resolved"))
        await trader.wait_for_message(said("en", "followup.ask.fixed", reference=solved))
        await bot.kill()
        bot = processes(**env)
        await bot.start()
        again = said("en", "followup.ask.fixed_again", reference=solved)
        await trader.wait_for_message(again, timeout=30)
        assert await bot.terminate() == 0
        # The officers now want a daily summary, a few seconds from now.
        summary_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
        env["OVERDUE_SUMMARY"] = f"daily {summary_at:%H:%M:%S}"
        bot = processes(**env)
        await bot.start()

        # The daily summary at its time, once, even with a kill -9 right after it.
        summary = await officer.wait_for_message(said("en", "overdue.title", count=1), timeout=30)
        assert waiting in summary.content and solved not in summary.content
        await bot.kill()
        bot = processes(**env)
        await bot.start()  # within the grace window: the summary run is caught up, claimed
        await asyncio.sleep(5.5)  # the caught-up run at start, and two re-ask sweeps (3 s, 5 s)
        titles = [m for m in officer.messages if said("en", "overdue.title", count=1) in m.content]
        assert len(titles) == 1
        assert sum(again in m.content for m in trader.messages) == 1
        assert await bot.terminate() == 0
    finally:
        await bot.ensure_stopped()
