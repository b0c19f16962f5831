"""The delivery engine on a real queue: pace, each copy at most once, 429 pauses, blocked users,
retries with backoff, unconfirmed copies after a crash, quiet hours, chats and replies first."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.outbox import Outcome, Sent
from bot.core.pacing import SendBudget
from bot.notices.delivery import DeliveryEngine, backoff
from bot.notices.model import Audience, ComposeStep, Delivery, Outgoing, QuietHours
from storage.db import Database
from storage.notices.queue import NoticeQueue
from storage.notices.repository import NoticeRepository
from tests.notices.test_storage import add_users

UTC_ZONE = ZoneInfo("UTC")


class Renderer:
    """Every copy is a one-line message to the recipient's chat."""

    async def outgoing(self, delivery: Delivery, now: datetime) -> Outgoing | None:
        return Outgoing(chat_id=delivery.user_id, text=f"notice {delivery.notice_id}")


class Sender:
    """Records sends; answers the scripted failures for some chats first."""

    def __init__(self, script: dict[int, list[Sent]] | None = None) -> None:
        self.script = script or {}
        self.sent: Counter[int] = Counter()
        self.calls: list[tuple[float, int]] = []

    async def send(self, message: Outgoing) -> Sent:
        self.calls.append((time.monotonic(), message.chat_id))
        errors = self.script.get(message.chat_id)
        if errors:
            return errors.pop(0)
        await asyncio.sleep(0.001)
        self.sent[message.chat_id] += 1
        return Sent(Outcome.SENT, message_id=1000 + message.chat_id)


async def queued(db: Database, count: int, first: int = 100) -> NoticeQueue:
    """Put one notice for `count` users in the queue."""
    await add_users(db, *[(first + i, "en", "trader") for i in range(count)])
    store = NoticeRepository(db)
    draft = await store.create_draft(1, ComposeStep.TEXT.value)
    notice = await store.update(
        draft.id, {"texts": {"en": "x"}, "audience": Audience(), "status": "scheduled"}
    )
    await store.start_sending(notice, datetime.now(UTC), None, None)
    return NoticeQueue(db)


def engine(
    queue: NoticeQueue, budget: SendBudget | None = None, **options: object
) -> DeliveryEngine:
    return DeliveryEngine(
        queue,
        Renderer(),
        budget or SendBudget(),
        zone=UTC_ZONE,
        **options,  # type: ignore[arg-type]
    )


async def drain(delivery: DeliveryEngine, sender: Sender, seconds: float = 10.0) -> None:
    """Pump until every copy is settled."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not await delivery.pump(sender, 1.0):
            reach = await delivery._store.reach(1)  # type: ignore[attr-defined]
            if reach.done:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the queue was not drained")


async def test_every_copy_goes_once_at_the_rate(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 40)
    sender = Sender()
    delivery = engine(queue, rate=100.0)
    started = time.monotonic()
    await drain(delivery, sender)
    took = time.monotonic() - started
    assert set(sender.sent.values()) == {1} and len(sender.sent) == 40
    assert took >= 39 / 100 * 0.95  # evenly spaced at 100 a second
    times = [t for t, _ in sender.calls]
    spans = [later - earlier for earlier, later in zip(times, times[10:], strict=False)]
    assert min(spans) > 0.085  # never a burst: ten intervals, less at most one slot late
    assert (await queue.reach(1)).sent == 40 and delivery.stats.sent == 40


async def test_a_429_pauses_all_sending_and_the_copy_goes_later(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 5)
    sender = Sender({101: [Sent(Outcome.RETRY_AFTER, wait=1, error="429")]})
    budget = SendBudget()
    delivery = engine(queue, budget, rate=1000.0)
    await delivery.pump(sender, 0.3)
    assert budget.pauses == 1 and budget.paused_for() > 0.5
    paused_at = next(t for t, chat in sender.calls if chat == 101)
    later = [t for t, _ in sender.calls if t > paused_at + 0.01]
    assert later == []  # nothing went out during the pause
    await drain(delivery, sender)
    assert sender.sent[101] == 1 and len(sender.sent) == 5
    reach = await queue.reach(1)
    assert (reach.sent, reach.rate_limited) == (5, 1)
    assert [t for t, chat in sender.calls if chat == 101][1] - paused_at >= 0.95


async def test_blocked_users_are_inactive_and_transient_errors_retried(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 4)
    sender = Sender({
        100: [Sent(Outcome.BLOCKED, error="403")],
        101: [Sent(Outcome.TRANSIENT, error="502"), Sent(Outcome.TRANSIENT, error="500")],
        102: [Sent(Outcome.REJECTED, error="chat not found")],
        103: [Sent(Outcome.UNCONFIRMED, error="read timeout")],
    })  # fmt: skip
    delivery = engine(queue, rate=1000.0)
    await drain(delivery, sender)
    reach = await queue.reach(1)
    assert (reach.blocked, reach.sent, reach.failed, reach.unconfirmed) == (1, 1, 1, 1)
    assert reach.transient_errors == 2 and sender.sent == Counter({101: 1})
    times = [t for t, chat in sender.calls if chat == 101]
    assert times[1] - times[0] >= 0.9 and times[2] - times[1] >= 1.9  # backoff 1 s, 2 s
    assert len([c for _, c in sender.calls if c == 103]) == 1  # unconfirmed: never again
    row = await fresh_db.fetch_one("SELECT blocked_bot FROM users WHERE id = 100")
    assert row is not None and row[0] == 1


async def test_a_copy_fails_after_the_last_attempt(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 1)
    sender = Sender({100: [Sent(Outcome.TRANSIENT, error="502")] * 3})
    delivery = engine(queue, rate=1000.0, max_attempts=2)
    await drain(delivery, sender)
    reach = await queue.reach(1)
    assert (reach.failed, reach.sent, reach.transient_errors) == (1, 0, 1)
    assert [timedelta(seconds=s) for s in (1, 2, 4, 60)] == [backoff(n) for n in (1, 2, 3, 9)]


async def test_copies_in_flight_at_a_crash_are_never_sent_again(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 3)
    (first, *_rest) = await queue.due(datetime.now(UTC), 10)
    await queue.claim(first, datetime.now(UTC))  # the process died during this call
    delivery = engine(queue, rate=1000.0)
    assert await delivery.recover() == 1
    sender = Sender()
    await drain(delivery, sender)
    assert sender.sent == Counter({101: 1, 102: 1})
    assert (await queue.reach(1)).unconfirmed == 1


async def test_nothing_goes_out_in_quiet_hours(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 2)
    always = QuietHours.parse("00:00-23:59")
    delivery = engine(queue, rate=1000.0, quiet=always)
    sender = Sender()
    if delivery.quiet_until(datetime.now(UTC)) is not None:  # all but the day's last minute
        assert await delivery.pump(sender, 0.2) == 0 and sender.calls == []


async def test_replies_to_a_chat_come_first(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 3)
    budget = SendBudget()
    budget.done(budget.note(101), 101)  # the bot just answered this user
    sender = Sender()
    delivery = engine(queue, budget, rate=1000.0)
    await delivery.pump(sender, 0.2)
    assert 101 not in sender.sent and len(sender.sent) == 2  # 101 waits its second
    started = time.monotonic()
    await delivery.pump(sender, 2.0)  # its turn comes within this pump, not at the end
    assert sender.sent[101] == 1 and time.monotonic() - started < 1.5


async def test_a_broadcast_takes_only_what_replies_leave(fresh_db: Database) -> None:
    queue = await queued(fresh_db, 30)
    budget = SendBudget(10, reserve=1)
    sender = Sender()
    delivery = engine(queue, budget, rate=1000.0)
    for chat in range(5):
        budget.done(budget.note(900 + chat), 900 + chat)  # five replies in this second
    await delivery.pump(sender, 0.5)
    assert len(sender.calls) == 4  # 10 a second, 1 kept for replies, 5 used by them
