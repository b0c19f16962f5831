"""Whom to tell about a report: its reporter (relayed, never named) or the officers."""

from __future__ import annotations

from typing import Protocol

from bot.core.access import AccessControl, UserDirectory
from bot.core.notifications import Notification
from bot.followup.model import TrackedReport
from bot.reporting.model import Follower, Following, Report

Params = str | int
# Public steps supporters hear of too, in their own words (the report is not theirs).
SUPPORTER_KEYS = {
    "followup.notice.reply": "followup.supporter.reply",
    "followup.notice.status": "followup.supporter.status",
    "followup.notice.rejected": "followup.supporter.rejected",
    "followup.notice.duplicate": "followup.supporter.duplicate",
}


class FollowerDirectory(Protocol):
    """Who follows a report: its reporter and its supporters, each with their language."""

    async def followers(self, report_id: int) -> list[Follower]: ...


class Recipients:
    """Address notifications in each recipient's language."""

    def __init__(
        self,
        access: AccessControl,
        users: UserDirectory,
        officers_chat_id: int | None = None,
        *,
        followers: FollowerDirectory | None = None,
    ) -> None:
        self._access = access
        self._users = users
        self.officers_chat_id = officers_chat_id
        self._followers = followers

    async def followers(self, report: Report, key: str, **params: Params) -> list[Notification]:
        """Tell the reporter, and the report's supporters if the step is public to them.

        Supporters read their own version of the text, in their language; none is told who
        the others are.
        """
        return await self.reporter(report, key, **params) + await self.supporters(
            report, key, **params
        )

    async def supporters(self, report: Report, key: str, **params: Params) -> list[Notification]:
        """Tell the report's supporters of a public step (a reporter's key, in their words)."""
        supporter_key = SUPPORTER_KEYS.get(key)
        if self._followers is None or supporter_key is None:
            return []
        values: dict[str, Params] = {"reference": report.reference, **params}
        return [
            Notification(follower.user_id, supporter_key, values, follower.language, report.id)
            for follower in await self._followers.followers(report.id)
            if follower.following is Following.SUPPORTER
        ]

    async def reporter(self, report: Report, key: str, **params: Params) -> list[Notification]:
        """Tell the reporter (none if their data was erased), with the reference."""
        if report.reporter_id is None:
            return []
        user = await self._users.get(report.reporter_id)
        language = user.language.value if user else report.language
        return [
            Notification(
                report.reporter_id,
                key,
                {"reference": report.reference, **params},
                language,
                report.id,
            )
        ]

    async def officer(
        self, officer_id: int, report: Report, key: str, **params: Params
    ) -> list[Notification]:
        """Tell one officer in private (none if they never started the bot)."""
        language = await self._access.language_of(officer_id)
        if language is None:
            return []
        return [
            Notification(
                officer_id, key, {"reference": report.reference, **params}, language, report.id
            )
        ]

    async def officers(self, report: Report, key: str, **params: Params) -> list[Notification]:
        """Tell the officers' group chat if configured, else every officer in private."""
        if self.officers_chat_id is not None:
            chat = self.officers_chat_id
            return [
                Notification(chat, key, {"reference": report.reference, **params}, None, report.id)
            ]
        return [
            Notification(officer_id, key, {"reference": report.reference, **params}, language,
                         report.id)
            for officer_id, language in await self._access.reachable_staff()
        ]  # fmt: skip

    async def handlers(
        self, tracked: TrackedReport, key: str, **params: Params
    ) -> list[Notification]:
        """Tell the assigned officer, or all officers when nobody is assigned."""
        if tracked.assigned_to is not None:
            return await self.officer(tracked.assigned_to, tracked.report, key, **params)
        return await self.officers(tracked.report, key, **params)

    async def officer_chats(self) -> list[int]:
        """Return where officer-wide messages go: the group chat, or each officer."""
        if self.officers_chat_id is not None:
            return [self.officers_chat_id]
        return [officer_id for officer_id, _ in await self._access.reachable_staff()]
