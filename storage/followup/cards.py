"""CardRepository: the messages that show reports' cards and files, and forum topic threads."""

from __future__ import annotations

from bot.followup.model import CardPlace, ShownFile
from storage.db import Database, utcnow


class CardRepository:
    """Store and read where cards and files were shown."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def place(self, chat_id: int, report_id: int) -> CardPlace | None:
        """Return the card message of a report in a chat."""
        row = await self._db.fetch_one(
            "SELECT chat_id, report_id, message_id, thread_id, prompt_message_id"
            " FROM report_cards WHERE chat_id = ? AND report_id = ?",
            (chat_id, report_id),
        )
        return CardPlace(*row) if row else None

    async def save_place(self, place: CardPlace) -> None:
        """Store (or replace) the card message of a report in a chat."""
        await self._db.execute(
            "INSERT INTO report_cards (chat_id, report_id, message_id, thread_id,"
            " prompt_message_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_id, report_id) DO UPDATE SET message_id = excluded.message_id,"
            " thread_id = excluded.thread_id, prompt_message_id = excluded.prompt_message_id,"
            " updated_at = excluded.updated_at",
            (
                place.chat_id,
                place.report_id,
                place.message_id,
                place.thread_id,
                place.prompt_message_id,
                utcnow(),
            ),
        )

    async def save_file(self, chat_id: int, message_id: int, shown: ShownFile) -> None:
        """Store which report file a message forwarded."""
        await self._db.execute(
            "INSERT OR REPLACE INTO report_file_messages (chat_id, message_id, report_id, position)"
            " VALUES (?, ?, ?, ?)",
            (chat_id, message_id, shown.report_id, shown.position),
        )

    async def file(self, chat_id: int, message_id: int) -> ShownFile | None:
        """Return the report file a message forwarded."""
        row = await self._db.fetch_one(
            "SELECT report_id, position FROM report_file_messages"
            " WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        return ShownFile(*row) if row else None

    async def topic_thread(self, chat_id: int, topic: str) -> int | None:
        """Return the forum thread of a report topic in a group."""
        row = await self._db.fetch_one(
            "SELECT thread_id FROM forum_topics WHERE chat_id = ? AND topic = ?", (chat_id, topic)
        )
        return int(row[0]) if row else None

    async def save_topic_thread(self, chat_id: int, topic: str, thread_id: int) -> None:
        """Store the forum thread created for a report topic."""
        await self._db.execute(
            "INSERT OR REPLACE INTO forum_topics (chat_id, topic, thread_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            (chat_id, topic, thread_id, utcnow()),
        )
