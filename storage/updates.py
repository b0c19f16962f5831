"""ReceivedUpdates: Telegram's updates kept from their arrival until their handlers have run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.audit import stamp
from storage.db import Database, current_rider, ride_next_commit

HANDLED = "UPDATE received_updates SET handled_at = ?, body = '' WHERE update_id = ?"


@dataclass(frozen=True)
class Received:
    """An update kept but not handled yet: its id, its JSON body, the tries begun so far."""

    update_id: int
    body: str
    attempts: int


class ReceivedUpdates:
    """The received_updates table: keep, begin, mark handled, replay, prune."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def keep(self, updates: list[tuple[int, str]], now: datetime) -> list[int]:
        """Store updates (id, JSON) in one transaction; return the ids not seen before.

        Each new one counts one try begun: it is handled at once (no write of its own for it).
        """
        fresh: list[int] = []
        async with self._db.transaction() as conn:
            for update_id, body in updates:
                cursor = await conn.execute(
                    "INSERT INTO received_updates (update_id, body, received_at, attempts)"
                    " VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING",
                    (update_id, body, stamp(now)),
                )
                if cursor.rowcount == 1:
                    fresh.append(update_id)
        return fresh

    async def begin(self, update_id: int) -> None:
        """Count one more try at handling a replayed update (a poison update is given up)."""
        await self._db.execute(
            "UPDATE received_updates SET attempts = attempts + 1 WHERE update_id = ?",
            (update_id,),
        )

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        """Record that the update's handlers have run; forget its body.

        Nothing to do when the mark rode the handler's first commit (mark_with_next_commit).
        """
        rider = current_rider()
        if (
            rider is not None
            and rider.done
            and rider.sql == HANDLED
            and rider.params[1:] == (update_id,)
        ):
            return
        await self._db.execute(HANDLED, (stamp(now), update_id))

    def mark_with_next_commit(self, update_id: int, now: datetime) -> None:
        """Record the update handled in the same transaction as the current task's next write."""
        ride_next_commit(HANDLED, (stamp(now), update_id))

    async def unhandled(self) -> list[Received]:
        """Return the updates kept but not handled, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT update_id, body, attempts FROM received_updates WHERE handled_at IS NULL"
            " ORDER BY update_id"
        )
        return [Received(int(r["update_id"]), str(r["body"]), int(r["attempts"])) for r in rows]

    async def prune(self, before: datetime) -> int:
        """Forget handled updates handled before a time, but the newest; return how many."""
        return await self._db.execute(
            "DELETE FROM received_updates WHERE handled_at IS NOT NULL AND handled_at < ?"
            " AND update_id < (SELECT MAX(update_id) FROM received_updates)",
            (stamp(before),),
        )
