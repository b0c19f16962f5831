"""What other capabilities do when a report is filed (the officers' forum posts its card),
registered once at start so reporting never imports them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.reporting.model import Report
from handlers.kit.context import BotContext

OnFiled = Callable[[BotContext, Report], Awaitable[None]]
_ON_FILED: list[OnFiled] = []


def register_filed(hook: OnFiled) -> None:
    """Run `hook` after each newly filed report (once, however often it is registered)."""
    if hook not in _ON_FILED:
        _ON_FILED.append(hook)


async def report_filed(context: BotContext, report: Report) -> None:
    """Run every registered hook for a newly filed report."""
    for hook in _ON_FILED:
        await hook(context, report)
