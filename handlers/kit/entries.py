"""Entry points one capability opens for another, registered once at start (deep links)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.kit.context import BotContext

Entry = Callable[[Update, BotContext], Awaitable[None]]
_ENTRIES: dict[str, Entry] = {}


def register_entry(name: str, entry: Entry) -> None:
    """Make `name` (a /start payload such as "report") open `entry`."""
    _ENTRIES[name] = entry


async def open_entry(name: str, update: Update, context: BotContext) -> bool:
    """Open the entry registered under `name`; False if there is none."""
    entry = _ENTRIES.get(name)
    if entry is None:
        return False
    await entry(update, context)
    return True
