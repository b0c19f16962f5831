"""ConversationRepository: each user's open guided conversation, saved after every answer."""

from __future__ import annotations

from datetime import datetime

from bot.core.conversations import Conversation
from storage.db import Database, utcnow


class ConversationRepository:
    """Store, read and drop users' open conversations (report drafts and the like)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Conversation | None:
        """Return the user's open conversation, if any."""
        row = await self._db.fetch_one(
            "SELECT user_id, flow, data, updated_at FROM conversations WHERE user_id = ?",
            (user_id,),
        )
        return Conversation.model_validate(dict(row)) if row else None

    async def save(self, user_id: int, flow: str, data: str) -> None:
        """Create or replace the user's conversation (committed when this returns)."""
        await self._db.execute(
            "INSERT INTO conversations (user_id, flow, data, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET flow = excluded.flow, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (user_id, flow, data, utcnow()),
        )

    async def clear(self, user_id: int) -> bool:
        """Drop the user's conversation; tell whether there was one."""
        return await self._db.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,)) > 0

    async def idle_since(self, before: datetime) -> list[Conversation]:
        """Return conversations untouched since before."""
        rows = await self._db.fetch_all(
            "SELECT user_id, flow, data, updated_at FROM conversations WHERE updated_at < ?"
            " ORDER BY updated_at",
            (before.isoformat(timespec="seconds"),),
        )
        return [Conversation.model_validate(dict(row)) for row in rows]

    async def clear_if_unchanged(self, conversation: Conversation) -> bool:
        """Drop a conversation only if nobody touched it since it was read."""
        changed = await self._db.execute(
            "DELETE FROM conversations WHERE user_id = ? AND updated_at = ?",
            (conversation.user_id, conversation.updated_at.isoformat(timespec="seconds")),
        )
        return changed > 0

    async def oldest_update(self, excluding: tuple[str, ...] = ()) -> datetime | None:
        """Return when the least recently touched conversation (of other flows) was saved."""
        marks = ",".join("?" * len(excluding)) or "''"
        row = await self._db.fetch_one(
            f"SELECT MIN(updated_at) AS oldest FROM conversations WHERE flow NOT IN ({marks})",  # noqa: S608 - only placeholders
            excluding,
        )
        return datetime.fromisoformat(row["oldest"]) if row and row["oldest"] else None
