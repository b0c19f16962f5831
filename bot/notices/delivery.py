"""The delivery engine: drains the persistent queue at the pace Telegram allows, at most once.

Each queued copy is claimed (state 'sending', committed) right before its own API call, once
its pace slot is taken, and settled after it: sent, blocked, failed, or back to pending for a
retry. At most MAX_IN_FLIGHT copies are claimed and unsettled at any moment. A copy still
claimed when the bot starts was in flight when the process died: Telegram may or may not have
delivered it, and the Bot API cannot tell, so it is settled as 'unconfirmed' and not sent again
on its own: what is sent after a restart resumes with the copies not yet claimed. The delivery
report counts them, and the admin may send them again (a duplicate rather than a gap).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, utc_now
from bot.core.outbox import Outcome, Sent
from bot.core.pacing import Pace, SendBudget
from bot.notices.model import Delivery, Outgoing, QuietHours

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # transient errors before a copy counts as failed
MAX_BACKOFF = 60.0  # seconds
MAX_IN_FLIGHT = 8  # copies claimed and not yet settled: what a kill -9 may leave unconfirmed


class Sender(Protocol):
    """Sends one message and tells how it went (bot.core.outbox: sent, blocked, retry...)."""

    async def send(self, message: Outgoing) -> Sent: ...


class QueueStore(Protocol):
    """The persistent queue of copies to send."""

    async def release_claimed(self, now: datetime) -> int: ...
    async def skip_inactive(self, now: datetime) -> int: ...
    async def due(self, now: datetime, limit: int) -> list[Delivery]: ...
    async def claim(self, delivery: Delivery, now: datetime) -> bool: ...
    async def mark_sent(self, delivery: Delivery, message_id: int, now: datetime) -> None: ...
    async def mark_blocked(self, delivery: Delivery, now: datetime) -> None: ...
    async def mark_failed(self, delivery: Delivery, error: str, now: datetime) -> None: ...
    async def mark_unconfirmed(self, delivery: Delivery, error: str, now: datetime) -> None: ...
    async def mark_skipped(self, delivery: Delivery, now: datetime) -> None: ...
    async def requeue_unconfirmed(self, notice_id: int, now: datetime) -> int: ...
    async def retry(
        self, delivery: Delivery, at: datetime, error: str, *, rate_limited: bool, now: datetime
    ) -> None: ...


class Renderer(Protocol):
    """Turns a queued copy into the message to send (None: it is no longer wanted)."""

    async def outgoing(self, delivery: Delivery, now: datetime) -> Outgoing | None: ...


@dataclass
class DeliveryStats:
    """What this process sent since it started (the queue holds the lasting record)."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unconfirmed: int = 0
    retried: int = 0
    rate_limited: int = 0


def backoff(attempts: int) -> timedelta:
    """Return the wait before another try after `attempts` failed ones: 1 s, 2 s, 4 s..."""
    return timedelta(seconds=min(2.0 ** max(attempts - 1, 0), MAX_BACKOFF))


class DeliveryEngine:
    """Send queued copies, paced by the shared budget, each at most once."""

    def __init__(
        self,
        store: QueueStore,
        renderer: Renderer,
        budget: SendBudget,
        *,
        rate: float,
        zone: ZoneInfo,
        quiet: QuietHours | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        max_in_flight: int = MAX_IN_FLIGHT,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._renderer = renderer
        self.budget = budget
        self.rate = rate
        self.pace = Pace(rate)
        self._zone = zone
        self.quiet = quiet
        self._max_attempts = max_attempts
        self._max_in_flight = max_in_flight
        self._clock = clock
        self._batch = max(50, int(rate * 2))
        self.stats = DeliveryStats()

    async def recover(self) -> int:
        """Settle copies claimed by a process that died as unconfirmed; return how many."""
        released = await self._store.release_claimed(self._clock())
        if released:
            log.warning(
                "copies in flight at the last stop are unconfirmed", extra={"count": released}
            )
        return released

    async def send_again_unconfirmed(self, notice_id: int) -> int:
        """Queue again a notice's unconfirmed copies (some may arrive twice); return how many."""
        count = await self._store.requeue_unconfirmed(notice_id, self._clock())
        if count:
            log.info("unconfirmed copies sent again", extra={"notice": notice_id, "count": count})
        return count

    def quiet_until(self, now: datetime) -> datetime | None:
        """Return when the quiet hours end if they are on now, else None."""
        if self.quiet is None:
            return None
        allowed = self.quiet.next_allowed(now, self._zone)
        return allowed if allowed > now else None

    async def pump(
        self, sender: Sender, seconds: float, keep_going: Callable[[], bool] = lambda: True
    ) -> int:
        """Send what is due for about `seconds`, paced; return how many sends were started."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        if self.quiet_until(self._clock()) is not None:
            return 0
        if not await self._store.due(self._clock(), 1):
            return 0  # idle: no write at all
        await self._store.skip_inactive(self._clock())
        started = 0
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while keep_going() and loop.time() < end:
                batch = await self._store.due(self._clock(), self._batch)
                began = await self._dispatch(sender, batch, in_flight, end, keep_going)
                started += began
                if began < len(batch) or not began:
                    break  # out of time, stopping, or what is left must wait
        finally:
            if in_flight:
                await asyncio.gather(*in_flight)
        return started

    async def _dispatch(
        self,
        sender: Sender,
        batch: list[Delivery],
        in_flight: set[asyncio.Task[None]],
        end: float,
        keep_going: Callable[[], bool],
    ) -> int:
        """Start the batch's sends one slot at a time; return how many were started.

        A copy for a chat that had a message under a second ago (the user is talking with the
        bot) waits aside and goes as soon as its chat may have another, not after the rest.
        """
        loop, started = asyncio.get_running_loop(), 0
        queue, aside, order = deque(batch), list[tuple[float, int, Delivery]](), count()
        while (queue or aside) and keep_going():
            if aside and (not queue or aside[0][0] <= loop.time()):
                ready = aside[0][0]
                if ready > end:
                    break
                if ready > loop.time():
                    await asyncio.sleep(ready - loop.time())
                delivery = heapq.heappop(aside)[2]
            else:
                delivery = queue.popleft()
            message = await self._renderer.outgoing(delivery, self._clock())
            if message is None:
                await self._store.mark_skipped(delivery, self._clock())
                continue
            if not await self._slot(end):
                break
            wait = self.budget.chat_wait(delivery.user_id)
            if wait > 0:
                heapq.heappush(aside, (loop.time() + wait, next(order), delivery))
                continue
            # The slot is taken at once, with no wait between the look and the taking.
            self.pace.take()
            token = self.budget.note(delivery.user_id)
            if not await self._store.claim(delivery, self._clock()):
                self.budget.cancel(token, delivery.user_id)
                continue  # settled meanwhile, or the user stopped notices
            task = asyncio.create_task(self._send(sender, delivery, message, token))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            started += 1
            if len(in_flight) >= self._max_in_flight:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        return started

    async def _slot(self, end: float) -> bool:
        """Wait for a free slot (pace, room, no pause); False if it would come after `end`."""
        delay = max(self.pace.wait(), self.budget.room_wait(), self.budget.paused_for())
        if delay <= 0:
            return True
        if asyncio.get_running_loop().time() + delay > end:
            return False
        await asyncio.sleep(delay)
        return await self._slot(end)  # a reply may have taken the slot meanwhile

    async def _send(
        self, sender: Sender, delivery: Delivery, message: Outgoing, token: int
    ) -> None:
        """Make one API call and record how it went (never raises)."""
        attempts = delivery.attempts + 1
        try:
            try:
                result = await sender.send(message)
            finally:
                self.budget.done(token, delivery.user_id)
        except Exception as error:  # a bug: the call may have gone out, so never again
            log.exception("unexpected error while sending a notice")
            result = Sent(Outcome.UNCONFIRMED, error=repr(error))
        await self._settle(delivery, result, attempts)

    async def _settle(self, delivery: Delivery, result: Sent, attempts: int) -> None:
        """Record one send's outcome in the queue and in the stats."""
        store, now = self._store, self._clock()
        match result.outcome:
            case Outcome.SENT:
                self.stats.sent += 1
                await store.mark_sent(delivery, result.message_id or 0, now)
            case Outcome.RETRY_AFTER:
                self.budget.pause(result.wait)
                self.stats.rate_limited += 1
                log.warning("Telegram asked to wait", extra={"seconds": result.wait})
                await store.retry(delivery, now, "429", rate_limited=True, now=now)
            case Outcome.BLOCKED:
                self.stats.blocked += 1
                await store.mark_blocked(delivery, now)
            case Outcome.TRANSIENT if attempts < self._max_attempts:
                self.stats.retried += 1
                at = now + backoff(attempts)
                await store.retry(delivery, at, result.error, rate_limited=False, now=now)
            case Outcome.TRANSIENT:
                self.stats.failed += 1
                await store.mark_failed(delivery, f"transient: {result.error}", now)
            case Outcome.REJECTED:
                self.stats.failed += 1
                await store.mark_failed(delivery, result.error, now)
            case Outcome.UNCONFIRMED:
                self.stats.unconfirmed += 1
                await store.mark_unconfirmed(delivery, result.error, now)
