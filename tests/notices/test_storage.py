"""Notices in SQLite: audiences, fixing recipients once, claims, reminders, reach, summaries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.notices.model import Audience, ComposeStep, Delivery, DeliveryKind, Notice
from storage.db import Database
from storage.notices.queue import NoticeQueue
from storage.notices.repository import NoticeRepository

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def add_users(db: Database, *rows: tuple[int, str, str]) -> None:
    """Insert onboarded users as (id, language, business role)."""
    now = NOW.isoformat()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO users (id, first_name, language, business_role, privacy_accepted_at,"
            " created_at, updated_at) VALUES (?, 'U', ?, ?, ?, ?, ?)",
            [(uid, lang, role, now, now, now) for uid, lang, role in rows],
        )


async def confirmed(store: NoticeRepository) -> Notice:
    """Return a confirmed notice for admin 1 to everyone."""
    draft = await store.create_draft(1, ComposeStep.TEXT.value)
    return await store.update(
        draft.id, {"texts": {"en": "Hello"}, "audience": Audience(), "status": "scheduled"}
    )


async def test_the_audience_counts_only_active_users_in_every_dimension(fresh_db: Database) -> None:
    store = NoticeRepository(fresh_db)
    await add_users(
        fresh_db, (11, "en", "trader"), (12, "es", "broker"), (13, "ru", "trader"),
        (14, "en", "forwarder"), (15, "en", "trader"), (16, "en", "trader"),
    )  # fmt: skip
    await fresh_db.execute("UPDATE users SET blocked_bot = 1 WHERE id = 15")
    await fresh_db.execute("UPDATE users SET notices_enabled = 0 WHERE id = 16")
    await fresh_db.execute("UPDATE users SET onboarding_step = 'role' WHERE id = 14")
    await store.set_subscription(12, "topic", ("fees_payments",))
    await store.set_subscription(13, "topic", ("it_systems", "inspections"))
    assert await store.count_audience(Audience()) == 3
    assert await store.count_audience(Audience(roles=("trader",))) == 2
    assert await store.count_audience(Audience(languages=("es", "ru"))) == 2
    # Users who chose no topics get every topic; the others only theirs.
    assert await store.count_audience(Audience(topics=("fees_payments",))) == 2  # 11, 12
    assert await store.count_audience(Audience(topics=("inspections", "x"))) == 2  # 11, 13
    assert await store.count_audience(Audience(roles=("trader",), topics=("fees_payments",))) == 1
    assert (await store.subscription(13)).topics == ("inspections", "it_systems")
    await store.set_subscription(13, "topic", ())
    assert (await store.subscription(13)).topics == ()


async def test_recipients_are_fixed_once_and_claims_are_exclusive(fresh_db: Database) -> None:
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "es", "broker"))
    notice = await confirmed(store)
    assert [n.id for n in await store.due(NOW)] == [notice.id]
    started = await store.start_sending(notice, NOW, None, None)
    assert started is not None and started.status == "sending" and started.total == 2
    assert await store.start_sending(notice, NOW, None, None) is None  # a second start loses
    due = await queue.due(NOW, 10)
    assert [(d.user_id, d.language) for d in due] == [(11, "en"), (12, "es")]
    assert await queue.claim(due[0], NOW)
    assert not await queue.claim(due[0], NOW)  # already claimed: never sent twice
    await queue.mark_sent(due[0], 501, NOW)
    assert await queue.unsettled(notice.id) == 1
    assert not await store.finish(notice.id, NOW)
    await fresh_db.execute("UPDATE users SET notices_enabled = 0 WHERE id = 12")
    assert not await queue.claim(due[1], NOW)  # stopped notices meanwhile
    assert await queue.skip_inactive(NOW) == 1
    assert await store.finish(notice.id, NOW)
    assert not await store.finish(notice.id, NOW)
    reach = await queue.reach(notice.id)
    assert (reach.total, reach.sent, reach.skipped, reach.done) == (2, 1, 1, True)


async def test_claimed_copies_become_unconfirmed_at_start(fresh_db: Database) -> None:
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "en", "trader"))
    notice = await confirmed(store)
    await store.start_sending(notice, NOW, None, None)
    first, _ = await queue.due(NOW, 10)
    await queue.claim(first, NOW)
    assert await queue.release_claimed(NOW) == 1
    assert [d.user_id for d in await queue.due(NOW, 10)] == [12]
    assert (await queue.reach(notice.id)).unconfirmed == 1


async def test_blocked_users_are_marked_inactive_and_retries_are_counted(
    fresh_db: Database,
) -> None:
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "en", "trader"))
    notice = await confirmed(store)
    await store.start_sending(notice, NOW, None, None)
    first, second = await queue.due(NOW, 10)
    await queue.claim(first, NOW)
    await queue.mark_blocked(first, NOW)
    await queue.claim(second, NOW)
    await queue.retry(second, NOW + timedelta(seconds=2), "502", rate_limited=False, now=NOW)
    assert await queue.due(NOW, 10) == []  # not before its time
    (again,) = await queue.due(NOW + timedelta(seconds=2), 10)
    assert again.attempts == 1
    await queue.claim(again, NOW)
    await queue.retry(again, NOW, "429", rate_limited=True, now=NOW)
    (after_429,) = await queue.due(NOW, 10)
    assert after_429.attempts == 1  # a 429 is no attempt of the copy
    reach = await queue.reach(notice.id)
    assert (reach.blocked, reach.transient_errors, reach.rate_limited) == (1, 1, 1)
    with sqlite3.connect(fresh_db.path) as conn:
        assert conn.execute("SELECT blocked_bot FROM users WHERE id = 11").fetchone() == (1,)
    assert await store.count_audience(Audience()) == 1  # skipped from then on


async def test_reminders_go_once_to_recipients_who_did_not_comment(fresh_db: Database) -> None:
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "es", "trader"), (13, "en", "trader"))
    notice = await confirmed(store)
    until, remind = NOW + timedelta(days=7), NOW + timedelta(days=5)
    await store.start_sending(notice, NOW, until, remind)
    for delivery in await queue.due(NOW, 10):
        await queue.claim(delivery, NOW)
        if delivery.user_id != 13:
            await queue.mark_sent(delivery, 1, NOW)
        else:
            await queue.mark_failed(delivery, "chat not found", NOW)
    comment = await store.add_comment(
        {"notice_id": notice.id, "user_id": 11, "body": "Too short", "language": "en",
         "topic": "documentation", "sentiment": -0.5}
    )  # fmt: skip
    assert comment.business_role == "trader"
    assert await store.queue_reminders(NOW + timedelta(days=4)) == []
    assert await store.queue_reminders(NOW + timedelta(days=5)) == [notice.id]
    assert await store.queue_reminders(NOW + timedelta(days=6)) == []  # once
    reminders = [d for d in await queue.due(NOW + timedelta(days=5), 10)]
    assert reminders == [Delivery(notice_id=notice.id, kind=DeliveryKind.REMINDER, user_id=12,
                                  language="es")]  # fmt: skip
    assert await store.closed_comment_periods(NOW + timedelta(days=6)) == []
    (closed,) = await store.closed_comment_periods(until)
    assert await store.start_summary(closed.id, until)
    assert not await store.start_summary(closed.id, until)
    assert await store.claim_summary(closed.id, 1, until)
    assert not await store.claim_summary(closed.id, 1, until)
    assert await queue.acknowledge(notice.id, 12, NOW)
    assert not await queue.acknowledge(notice.id, 99, NOW)
    assert await queue.is_recipient(notice.id, 12) and not await queue.is_recipient(notice.id, 13)
    reach = await queue.reach(notice.id)
    assert (reach.acknowledged, reach.comments, reach.commenters) == (1, 1, 1)


async def test_unconfirmed_copies_go_again_when_the_admin_asks_and_the_notice_reopens(
    fresh_db: Database,
) -> None:
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "es", "broker"), (13, "en", "trader"))
    notice = await confirmed(store)
    await store.start_sending(notice, NOW, None, None)
    for delivery in await queue.due(NOW, 10):
        await queue.claim(delivery, NOW)  # then the process is killed
    await queue.release_claimed(NOW)
    assert await store.finish(notice.id, NOW)
    await fresh_db.execute("UPDATE users SET blocked_bot = 1 WHERE id = 13")
    assert await queue.requeue_unconfirmed(notice.id, NOW) == 2  # not to who blocked the bot
    assert (await store.get(notice.id)).status == "sending"  # type: ignore[union-attr]
    assert [d.user_id for d in await queue.due(NOW, 10)] == [11, 12]
    assert await queue.requeue_unconfirmed(notice.id, NOW) == 0  # a second press: none left
    reach = await queue.reach(notice.id)
    assert (reach.pending, reach.unconfirmed) == (2, 1)
