"""Received updates: kept until handled, each once; "handled" commits with the handler's write."""

from __future__ import annotations

import asyncio
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest

from storage.db import Database
from storage.updates import ReceivedUpdates

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def test_an_update_kept_twice_is_new_once(fresh_db: Database) -> None:
    updates = ReceivedUpdates(fresh_db)
    assert await updates.keep([(7, '{"update_id":7}'), (8, '{"update_id":8}')], NOW) == [7, 8]
    assert await updates.keep([(8, '{"update_id":8}'), (9, '{"update_id":9}')], NOW) == [9]
    assert [kept.update_id for kept in await updates.unhandled()] == [7, 8, 9]


async def test_a_handled_update_is_not_replayed_and_its_body_is_forgotten(
    fresh_db: Database,
) -> None:
    updates = ReceivedUpdates(fresh_db)
    await updates.keep([(7, '{"update_id":7,"message":{"text":"secret"}}')], NOW)
    assert [(k.update_id, k.attempts) for k in await updates.unhandled()] == [(7, 1)]
    await updates.begin(7)  # replayed after a stop
    assert [(k.update_id, k.attempts) for k in await updates.unhandled()] == [(7, 2)]
    await updates.mark_handled(7, NOW)
    assert await updates.unhandled() == []
    row = await fresh_db.fetch_one("SELECT body FROM received_updates WHERE update_id = 7")
    assert row is not None and row["body"] == ""


async def test_the_handlers_first_write_marks_the_update_handled_in_its_transaction(
    fresh_db: Database,
) -> None:
    updates = ReceivedUpdates(fresh_db)
    await updates.keep([(7, "{}"), (8, "{}")], NOW)

    async def handler(update_id: int, fail: bool) -> None:
        updates.mark_with_next_commit(update_id, NOW)
        with pytest.raises(RuntimeError) if fail else nullcontext():
            async with fresh_db.transaction() as conn:
                await conn.execute("INSERT INTO claims (kind, key, recipient_id, claimed_at)"
                                   " VALUES ('t', ?, 1, 'now')", (str(update_id),))  # fmt: skip
                if fail:
                    raise RuntimeError("the handler failed: its write rolls back")

    await asyncio.gather(asyncio.create_task(handler(7, False)), handler(8, True))
    assert [kept.update_id for kept in await updates.unhandled()] == [8]  # 8's write rolled back


async def test_marking_after_a_handler_that_carried_the_mark_writes_nothing_more(
    fresh_db: Database,
) -> None:
    updates = ReceivedUpdates(fresh_db)
    await updates.keep([(7, "{}"), (8, "{}")], NOW)
    later = NOW + timedelta(seconds=5)

    async def handler(update_id: int, writes: bool) -> None:
        updates.mark_with_next_commit(update_id, NOW)
        if writes:
            await fresh_db.execute(
                "INSERT INTO claims (kind, key, recipient_id, claimed_at) VALUES ('t', 'k', 1, 'x')"
            )
        await updates.mark_handled(update_id, later)

    await asyncio.gather(
        asyncio.create_task(handler(7, True)), asyncio.create_task(handler(8, False))
    )
    rows = await fresh_db.fetch_all(
        "SELECT update_id, handled_at FROM received_updates ORDER BY update_id"
    )
    assert [tuple(row) for row in rows] == [
        (7, NOW.isoformat(timespec="seconds")),  # marked once, with the handler's write
        (8, NOW.isoformat(timespec="seconds")),  # nothing written: the mark's own commit
    ]


async def test_pruning_forgets_old_handled_updates_but_the_newest_one(fresh_db: Database) -> None:
    updates = ReceivedUpdates(fresh_db)
    await updates.keep([(7, "{}"), (8, "{}"), (9, "{}")], NOW)
    for update_id in (7, 8):
        await updates.mark_handled(update_id, NOW)
    await updates.mark_handled(9, NOW)
    assert await updates.prune(NOW + timedelta(days=2)) == 2
    assert await updates.keep([(9, "{}"), (10, "{}")], NOW) == [10]  # 9 is still known
