"""Updates kept from their arrival until handled: nothing fetched is lost at a kill -9.

Telegram forgets an update once it is confirmed: by the next getUpdates (its offset) or by the
webhook's 200. Each update is stored in SQLite (received_updates) before it is confirmed, and
marked handled when its handlers have run; at start, what was stored but not handled is
handled then. An update stored twice (fetched again, a webhook retry) is handled once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.core.clock import Clock
from handlers.kit.context import BotApplication

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # tries begun (each ended by a kill) before an update is given up
KEEP_HANDLED = timedelta(days=1)  # handled ids kept to recognise a late duplicate
PRUNE_EVERY = 500  # updates received between two prunings
PAUSE_AFTER_ERROR = 1.0  # seconds before fetching again after a network error


class Kept(Protocol):
    """An update stored but not handled: its id, JSON body and tries begun."""

    @property
    def update_id(self) -> int: ...
    @property
    def body(self) -> str: ...
    @property
    def attempts(self) -> int: ...


class UpdateStore(Protocol):
    """Where updates are kept until handled (storage.updates.ReceivedUpdates)."""

    async def keep(
        self, updates: list[tuple[int, str]], now: datetime
    ) -> list[int]: ...  # 1 try each
    async def begin(self, update_id: int) -> None: ...
    async def mark_handled(self, update_id: int, now: datetime) -> None: ...
    def mark_with_next_commit(self, update_id: int, now: datetime) -> None: ...
    async def unhandled(self) -> Sequence[Kept]: ...
    async def prune(self, before: datetime) -> int: ...


class UpdateInbox:
    """Keep each update before Telegram counts it delivered; handle it; mark it handled."""

    def __init__(self, app: BotApplication, store: UpdateStore, clock: Clock) -> None:
        self._app = app
        self._store = store
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._received = 0

    async def receive(self, updates: Sequence[tuple[Update, str]]) -> int:
        """Store updates (each with its JSON) at once, then handle the new ones; return how many
        were new. When this returns, the updates are safe: they may be confirmed."""
        fresh = set(
            await self._store.keep([(u.update_id, body) for u, body in updates], self._now())
        )
        for update, _ in updates:
            if update.update_id in fresh:
                self._start(update, counted=True)
        self._received += len(fresh)
        if self._received >= PRUNE_EVERY:
            self._received = 0
            await self._store.prune(self._now() - KEEP_HANDLED)
        return len(fresh)

    async def replay(self) -> int:
        """Handle what a stopped process stored but did not handle; return how many."""
        await self._store.prune(self._now() - KEEP_HANDLED)
        replayed = 0
        for kept in await self._store.unhandled():
            if kept.attempts >= MAX_ATTEMPTS:  # it killed the bot each time: give it up
                log.error("update given up", extra={"update_id": kept.update_id})
                await self._store.mark_handled(kept.update_id, self._now())
                continue
            update = Update.de_json(json.loads(kept.body), self._app.bot)
            self._start(update, counted=False)
            replayed += 1
        if replayed:
            log.warning(
                "updates received before the last stop handled now", extra={"count": replayed}
            )
        return replayed

    async def drain(self, seconds: float) -> None:
        """Let the handlers running finish (for at most `seconds`); cancel the rest."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=seconds)
        for task in late:
            task.cancel()  # left unhandled: handled again after the restart
        if late:
            await asyncio.wait(late)

    def _start(self, update: Update, *, counted: bool) -> None:
        """Handle an update in a task of its own; `counted` when keep counted its try."""
        task = asyncio.create_task(self._handle(update, counted), name=f"update:{update.update_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, update: Update, counted: bool) -> None:
        """Run the update's handlers (one chat's in order), then mark it handled."""
        app = self._app
        try:
            if not counted:  # a replay: count this try (a new update's was counted when kept)
                await self._store.begin(update.update_id)
            # The first write the handler commits records the update handled in the same
            # transaction: once its effect is stored, a restart never runs it again.
            self._store.mark_with_next_commit(update.update_id, self._now())
            # process_update sends a handler's exception to the error handlers: it returns.
            await app.update_processor.process_update(update, app.process_update(update))
            await self._store.mark_handled(update.update_id, self._now())
        except Exception:  # storage failed: left unhandled, it is tried again at the next start
            log.exception("update not handled", extra={"update_id": update.update_id})

    def _now(self) -> datetime:
        return self._clock()


def update_json(update: Update) -> str:
    """Return an update as JSON, to store (and to rebuild it with Update.de_json)."""
    return json.dumps(update.to_dict(), ensure_ascii=False, separators=(",", ":"))


async def poll(app: BotApplication, inbox: UpdateInbox, *, wait: int) -> None:
    """Fetch updates with long polling until cancelled, each batch stored before it is confirmed.

    The offset of a getUpdates confirms every update before it; the offset is raised past a
    batch only after the batch is stored, so a kill at any moment loses nothing. A start asks
    without an offset: Telegram sends again what was not confirmed (stored ones are handled
    once), and no offset can skip the ids Telegram picks anew after a week without updates.
    """
    offset: int | None = None
    while True:
        try:
            updates = await app.bot.get_updates(
                offset=offset, timeout=wait, allowed_updates=Update.ALL_TYPES
            )
        except RetryAfter as error:
            pause = error.retry_after
            await asyncio.sleep(pause.total_seconds() if isinstance(pause, timedelta) else pause)
            continue
        except TimedOut:
            continue  # a long poll that took too long: fetch again
        except (Conflict, NetworkError) as error:
            log.warning("getUpdates failed; trying again", extra={"error": type(error).__name__})
            await asyncio.sleep(PAUSE_AFTER_ERROR)
            continue
        if updates:
            await inbox.receive([(update, update_json(update)) for update in updates])
            offset = updates[-1].update_id + 1
