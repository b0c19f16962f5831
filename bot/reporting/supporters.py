"""Supporters: traders behind someone else's report, who they are told of and how they leave."""

from __future__ import annotations

from typing import Protocol

from bot.reporting.model import Follower, Support


class SupporterStore(Protocol):
    """What supporters need from storage."""

    async def supports(self, report_id: int, user_id: int | None = None) -> list[Support]: ...
    async def withdraw_voice(self, report_id: int, user_id: int) -> bool: ...
    async def followers(self, report_id: int) -> list[Follower]: ...


class Supporters:
    """Use cases about the traders who follow a report: its reporter and its supporters."""

    def __init__(self, store: SupporterStore) -> None:
        self._store = store

    async def followers(self, report_id: int) -> list[Follower]:
        """Return who follows report R: its reporter, then its supporters, each with their
        language (a user whose data was erased follows nothing)."""
        return await self._store.followers(report_id)

    async def of(self, report_id: int) -> list[Support]:
        """Return a report's supports, oldest first, with their texts and files."""
        return await self._store.supports(report_id)

    async def support_of(self, report_id: int, user_id: int) -> Support | None:
        """Return the user's support of a report, if they gave one."""
        found = await self._store.supports(report_id, user_id)
        return found[0] if found else None

    async def withdraw(self, user_id: int, report_id: int) -> bool:
        """Withdraw the user's support (their text and files go with it); False if none."""
        return await self._store.withdraw_voice(report_id, user_id)
