"""NoticeQueue: the persistent queue of notice copies, one row per recipient and message kind."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from bot.notices.model import Delivery, DeliveryKind, DeliveryState, Reach
from storage.db import Database

INACTIVE = "SELECT id FROM users WHERE blocked_bot = 1 OR notices_enabled = 0"
KEY = "notice_id = ? AND kind = ? AND user_id = ?"


def at(moment: datetime) -> str:
    """Return a queue time as stored: UTC ISO 8601 with milliseconds (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _key(delivery: Delivery) -> tuple[int, str, int]:
    return (delivery.notice_id, delivery.kind.value, delivery.user_id)


def _delivery(row: aiosqlite.Row) -> Delivery:
    return Delivery.model_validate(dict(row))


class NoticeQueue:
    """Claim, settle and count queued copies; the only place that changes their state."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def release_claimed(self, now: datetime) -> int:
        """Settle copies left claimed by a process that died as unconfirmed (never resent)."""
        return await self._db.execute(
            "UPDATE notice_deliveries SET state = 'unconfirmed',"
            " error = 'in flight when the bot stopped', updated_at = ? WHERE state = 'sending'",
            (at(now),),
        )

    async def requeue_unconfirmed(self, notice_id: int, now: datetime) -> int:
        """Put a notice's unconfirmed copies back in the queue (the notice goes out again, and
        is reported again when they are settled); return how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notice_deliveries SET state = 'pending', next_try_at = ?, error = NULL,"  # noqa: S608
                " updated_at = ? WHERE notice_id = ? AND kind = 'notice' AND state = 'unconfirmed'"
                f" AND user_id NOT IN ({INACTIVE})",
                (at(now), at(now), notice_id),
            )
            count = cursor.rowcount
            if count:
                await conn.execute(
                    "UPDATE notices SET status = 'sending', finished_at = NULL WHERE id = ?"
                    " AND status = 'sent'",
                    (notice_id,),
                )
        return count

    async def skip_inactive(self, now: datetime) -> int:
        """Skip pending copies for users who blocked the bot or stopped notices."""
        return await self._db.execute(
            "UPDATE notice_deliveries SET state = 'skipped', updated_at = ?"  # noqa: S608
            f" WHERE state = 'pending' AND user_id IN ({INACTIVE})",
            (at(now),),
        )

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        """Return pending copies whose time has come, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT notice_id, kind, user_id, language, state, attempts FROM notice_deliveries"
            " WHERE state = 'pending' AND next_try_at <= ? ORDER BY next_try_at LIMIT ?",
            (at(now), limit),
        )
        return [_delivery(row) for row in rows]

    async def claim(self, delivery: Delivery, now: datetime) -> bool:
        """Mark a pending copy as being sent (committed before the call); tell if it was ours."""
        changed = await self._db.execute(
            "UPDATE notice_deliveries SET state = 'sending', attempts = attempts + 1,"  # noqa: S608
            f" updated_at = ? WHERE {KEY} AND state = 'pending'"
            f" AND user_id NOT IN ({INACTIVE})",
            (at(now), *_key(delivery)),
        )
        return changed == 1

    async def mark_sent(self, delivery: Delivery, message_id: int, now: datetime) -> None:
        """Record that Telegram took the copy."""
        await self._settle(delivery, DeliveryState.SENT, now, message_id=message_id)

    async def mark_failed(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Record that the copy cannot be sent."""
        await self._settle(delivery, DeliveryState.FAILED, now, error=error[:500])

    async def mark_unconfirmed(self, delivery: Delivery, error: str, now: datetime) -> None:
        """Record that the copy may or may not have arrived (it is not sent again)."""
        await self._settle(delivery, DeliveryState.UNCONFIRMED, now, error=error[:500])

    async def mark_skipped(self, delivery: Delivery, now: datetime) -> None:
        """Record that the copy is no longer wanted (e.g. a reminder after the deadline)."""
        await self._db.execute(
            f"UPDATE notice_deliveries SET state = 'skipped', updated_at = ? WHERE {KEY}"  # noqa: S608
            " AND state = 'pending'",
            (at(now), *_key(delivery)),
        )

    async def mark_blocked(self, delivery: Delivery, now: datetime) -> None:
        """Record that the user blocked the bot, and mark them inactive, in one transaction."""
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE notice_deliveries SET state = 'blocked', updated_at = ? WHERE {KEY}",  # noqa: S608
                (at(now), *_key(delivery)),
            )
            await conn.execute(
                "UPDATE users SET blocked_bot = 1, updated_at = ? WHERE id = ?",
                (now.isoformat(timespec="seconds"), delivery.user_id),
            )

    async def retry(
        self, delivery: Delivery, at_: datetime, error: str, *, rate_limited: bool, now: datetime
    ) -> None:
        """Put a copy back in the queue; count the error on its notice."""
        counter = "rate_limited" if rate_limited else "transient_errors"
        undo = " - 1" if rate_limited else ""  # a 429 is no fault of the copy: not an attempt
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE notice_deliveries SET state = 'pending', next_try_at = ?,"  # noqa: S608
                f" attempts = attempts{undo}, error = ?, updated_at = ? WHERE {KEY}",
                (at(at_), error[:500], at(now), *_key(delivery)),
            )
            await conn.execute(
                f"UPDATE notices SET {counter} = {counter} + 1 WHERE id = ?",  # noqa: S608
                (delivery.notice_id,),
            )

    async def _settle(
        self,
        delivery: Delivery,
        state: DeliveryState,
        now: datetime,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE notice_deliveries SET state = ?, message_id = ?, error = ?,"  # noqa: S608
            f" updated_at = ? WHERE {KEY}",
            (state.value, message_id, error, at(now), *_key(delivery)),
        )

    async def reach(self, notice_id: int) -> Reach:
        """Return the notice's copies by state, acknowledgements, comments and error counts."""
        rows = await self._db.fetch_all(
            "SELECT state, COUNT(*) AS n, COUNT(acknowledged_at) AS acks FROM notice_deliveries"
            " WHERE notice_id = ? AND kind = 'notice' GROUP BY state",
            (notice_id,),
        )
        counts = {row["state"]: int(row["n"]) for row in rows}
        extra = await self._db.fetch_one(
            "SELECT n.transient_errors, n.rate_limited,"
            " (SELECT COUNT(*) FROM notice_comments c WHERE c.notice_id = n.id) AS comments,"
            " (SELECT COUNT(DISTINCT user_id) FROM notice_comments c WHERE c.notice_id = n.id)"
            " AS commenters FROM notices n WHERE n.id = ?",
            (notice_id,),
        )
        return Reach(
            total=sum(counts.values()),
            acknowledged=sum(int(row["acks"]) for row in rows),
            transient_errors=int(extra["transient_errors"]) if extra else 0,
            rate_limited=int(extra["rate_limited"]) if extra else 0,
            comments=int(extra["comments"]) if extra else 0,
            commenters=int(extra["commenters"]) if extra else 0,
            **{state.value: counts.get(state.value, 0) for state in DeliveryState},
        )

    async def acknowledge(self, notice_id: int, user_id: int, now: datetime) -> bool:
        """Record that a recipient understood the notice; tell whether they had a copy."""
        await self._db.execute(
            "UPDATE notice_deliveries SET acknowledged_at = COALESCE(acknowledged_at, ?)"
            " WHERE notice_id = ? AND kind = 'notice' AND user_id = ?",
            (at(now), notice_id, user_id),
        )
        row = await self._db.fetch_one(
            "SELECT 1 FROM notice_deliveries WHERE notice_id = ? AND kind = 'notice'"
            " AND user_id = ? AND acknowledged_at IS NOT NULL",
            (notice_id, user_id),
        )
        return row is not None

    async def is_recipient(self, notice_id: int, user_id: int) -> bool:
        """Tell whether the user was sent this notice."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM notice_deliveries WHERE notice_id = ? AND kind = ? AND user_id = ?"
            " AND state IN ('sent', 'unconfirmed')",
            (notice_id, DeliveryKind.NOTICE.value, user_id),
        )
        return row is not None

    async def unsettled(self, notice_id: int) -> int:
        """Return how many copies of the notice are still to send or in flight."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM notice_deliveries WHERE notice_id = ? AND kind = 'notice'"
            " AND state IN ('pending', 'sending')",
            (notice_id,),
        )
        return int(row[0]) if row else 0
