"""Where a report's card is shown: its message in each chat, edited in place by every action,
the one prompt beside it, the files forwarded with it, and the officers' forum topics."""

from __future__ import annotations

from typing import Protocol

from bot.followup.model import CardPlace, ShownFile


class CardStore(Protocol):
    """Storage of the messages that show cards and files, and of forum topics."""

    async def place(self, chat_id: int, report_id: int) -> CardPlace | None: ...
    async def save_place(self, place: CardPlace) -> None: ...
    async def save_file(self, chat_id: int, message_id: int, shown: ShownFile) -> None: ...
    async def file(self, chat_id: int, message_id: int) -> ShownFile | None: ...
    async def topic_thread(self, chat_id: int, topic: str) -> int | None: ...
    async def save_topic_thread(self, chat_id: int, topic: str, thread_id: int) -> None: ...


class CardService:
    """Remember which messages show which report, so actions edit them instead of resending."""

    def __init__(self, store: CardStore) -> None:
        self._store = store

    async def place(self, chat_id: int, report_id: int) -> CardPlace | None:
        """Return where the report's card was last shown in the chat."""
        return await self._store.place(chat_id, report_id)

    async def shown(
        self, chat_id: int, report_id: int, message_id: int, thread_id: int | None = None
    ) -> None:
        """Remember a newly sent card (its prompt, if any, is kept)."""
        old = await self._store.place(chat_id, report_id)
        prompt = old.prompt_message_id if old else None
        await self._store.save_place(CardPlace(chat_id, report_id, message_id, thread_id, prompt))

    async def prompted(self, chat_id: int, report_id: int, message_id: int | None) -> None:
        """Remember the prompt (or confirmation) message beside the card."""
        old = await self._store.place(chat_id, report_id)
        if old is not None:
            await self._store.save_place(
                CardPlace(chat_id, report_id, old.message_id, old.thread_id, message_id)
            )

    async def file_shown(
        self, chat_id: int, message_id: int, report_id: int, position: int
    ) -> None:
        """Remember a forwarded file, so a reply to it can name it."""
        await self._store.save_file(chat_id, message_id, ShownFile(report_id, position))

    async def file(self, chat_id: int, message_id: int) -> ShownFile | None:
        """Return the report file a message forwarded, if it did."""
        return await self._store.file(chat_id, message_id)

    async def topic_thread(self, chat_id: int, topic: str) -> int | None:
        """Return the forum topic thread kept for a report topic, if created."""
        return await self._store.topic_thread(chat_id, topic)

    async def topic_created(self, chat_id: int, topic: str, thread_id: int) -> None:
        """Remember the forum topic thread created for a report topic."""
        await self._store.save_topic_thread(chat_id, topic, thread_id)
