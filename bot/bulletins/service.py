"""Bulletins: draft a month's, let an admin edit, drop and publish, and say who receives it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.bulletins.model import (
    Bulletin,
    Headline,
    Item,
    ItemKind,
    Month,
    Status,
    clean_outcome,
    identifying,
    quotes,
)
from bot.bulletins.text import Words, message
from bot.core.access import Gate, require
from bot.core.clock import Clock, utc_now
from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.core.taxonomy import Taxonomy
from bot.core.users import Access

log = logging.getLogger(__name__)
DRAFT = "bulletin_draft"  # claim kinds: the draft to an admin, key the month
COPY = "bulletin"  # a published bulletin to a subscriber or the channel, key "<id>:<language>"
MENTION = "bulletin_mention"  # "your report is in it", key "<id>:<report id>"

HeadlineSource = Callable[[date, date], Awaitable[Headline]]


class BulletinStore(Protocol):
    """What bulletins need from storage."""

    async def find(self, month: str) -> Bulletin | None: ...
    async def get(self, bulletin_id: int) -> Bulletin | None: ...
    async def create(
        self, month: Month, figures: Headline, items: list[Item], at: datetime
    ) -> Bulletin: ...
    async def candidates(self, start: str, end: str) -> list[Item]: ...
    async def change_item(
        self, item_id: int, *, outcome: str | None = None, dropped: bool | None = None
    ) -> int | None: ...
    async def publish(self, bulletin_id: int, admin_id: int, at: datetime) -> bool: ...
    async def published(self, limit: int = 24) -> list[Bulletin]: ...
    async def published_since(self, since: datetime) -> list[Bulletin]: ...
    async def names_behind(self, report_ids: tuple[int, ...]) -> tuple[str, ...]: ...
    async def typed_behind(self, report_ids: tuple[int, ...]) -> tuple[str, ...]: ...
    async def people_behind(self, report_ids: tuple[int, ...]) -> list[tuple[int, str, str]]: ...
    async def audience(self) -> list[tuple[int, str]]: ...
    async def admins(self, configured: frozenset[int]) -> list[tuple[int, str]]: ...
    async def opted_out(self, user_id: int) -> bool: ...
    async def set_opted_out(self, user_id: int, out: bool, at: datetime) -> None: ...
    async def claim(self, kind: str, key: str, recipient_id: int, at: datetime) -> bool: ...


class BulletinService:
    """The monthly "You said, we did" bulletin, from draft to published."""

    def __init__(
        self,
        store: BulletinStore,
        headline: HeadlineSource,
        translate: Translator,
        taxonomy: Taxonomy,
        *,
        admin_ids: frozenset[int],
        channel_id: int | None,
        zone_today: Callable[[], date],
        gate: Gate | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._headline = headline
        self._translate = translate
        self._taxonomy = taxonomy
        self._admin_ids = admin_ids
        self.channel_id = channel_id
        self._today = zone_today
        self._gate = gate
        self._clock = clock

    def words(self, language: str) -> Words:
        """Return a bulletin's texts, names and numbers in a language."""
        return Words(self._translate, self._taxonomy, language)

    def text(self, bulletin: Bulletin, language: str) -> str:
        """Return the bulletin in Telegram HTML, in a language."""
        return message(bulletin, self.words(language))

    # --- drafting -------------------------------------------------------------------------

    async def draft(self, month: Month) -> tuple[Bulletin, bool]:
        """Return the month's bulletin, drafting it first if there is none (True if drafted)."""
        found = await self._store.find(month.key)
        if found is not None:
            return found, False
        start, end = month.first.isoformat(), month.end.isoformat()
        items = await self._store.candidates(start, end)
        figures = await self._headline(month.first, month.last)
        made = await self._store.create(month, figures, items, self._clock())
        log.info("bulletin drafted", extra={"month": month.key, "items": len(made.items)})
        return made, True

    async def draft_for(self, actor_id: int, text: str) -> Bulletin:
        """Draft (or return) the bulletin of a typed month, by default last month; admins only."""
        await require(self._gate, actor_id, Access.ADMIN, "bulletin")
        month = Month.parse(text) if text.strip() else self.last_month()
        if month.first >= self._today().replace(day=1):
            raise UserError("bulletin.error_month", text=text)
        bulletin, _ = await self.draft(month)
        return bulletin

    def last_month(self) -> Month:
        """Return the calendar month before today's."""
        return Month.before(self._today())

    async def admins(self) -> list[tuple[int, str]]:
        """Return the admins who can be written to, with their language."""
        return await self._store.admins(self._admin_ids)

    # --- reviewing ------------------------------------------------------------------------

    async def get(self, bulletin_id: int) -> Bulletin:
        """Return a bulletin; raise UserError if it is gone."""
        found = await self._store.get(bulletin_id)
        if found is None:
            raise UserError("bulletin.error_stale")
        return found

    async def editable(self, actor_id: int, item_id: int, bulletin_id: int) -> Item:
        """Return an item of a draft an admin may change."""
        await require(self._gate, actor_id, Access.ADMIN, "bulletin_edit")
        bulletin = await self.get(bulletin_id)
        if bulletin.status is not Status.DRAFT:
            raise UserError("bulletin.already_published", month=bulletin.month.key)
        return bulletin.item(item_id)

    async def edit(self, actor_id: int, bulletin_id: int, item_id: int, text: str) -> Bulletin:
        """Rewrite an item's text for publication."""
        await self.editable(actor_id, item_id, bulletin_id)
        changed = await self._store.change_item(item_id, outcome=clean_outcome(text))
        if changed is None:
            raise UserError("bulletin.error_stale")
        return await self.get(bulletin_id)

    async def drop(
        self, actor_id: int, bulletin_id: int, item_id: int, *, dropped: bool = True
    ) -> Bulletin:
        """Leave an item out of the bulletin (or take it back)."""
        await self.editable(actor_id, item_id, bulletin_id)
        if await self._store.change_item(item_id, dropped=dropped) is None:
            raise UserError("bulletin.error_stale")
        return await self.get(bulletin_id)

    async def publish(self, actor_id: int, bulletin_id: int) -> Bulletin:
        """Publish a draft once nothing in it names anyone; it is committed before sending."""
        await require(self._gate, actor_id, Access.ADMIN, "bulletin_publish")
        bulletin = await self.get(bulletin_id)
        if bulletin.status is not Status.DRAFT:
            raise UserError("bulletin.already_published", month=bulletin.month.key)
        if not bulletin.published:
            raise UserError("bulletin.error_nothing")
        for number, item in enumerate(bulletin.items, start=1):
            if item.dropped:
                continue
            names = await self._store.names_behind(item.report_ids)
            typed = await self._store.typed_behind(item.report_ids)
            texts = {item.outcome, *item.texts.values()} if not item.edited else {item.outcome}
            if any(identifying(text, names) or quotes(text, typed) for text in texts):
                raise UserError("bulletin.error_identifying", number=number)
        if not await self._store.publish(bulletin.id, actor_id, self._clock()):
            raise UserError("bulletin.already_published", month=bulletin.month.key)
        log.info("bulletin published", extra={"month": bulletin.month.key})
        return await self.get(bulletin.id)

    # --- where it goes --------------------------------------------------------------------

    async def audience(self) -> list[tuple[int, str]]:
        """Return every subscriber who gets bulletins, with their language."""
        return await self._store.audience()

    async def mentions(self, bulletin: Bulletin) -> list[tuple[int, str, str]]:
        """Return (user, language, reference) for reporters and supporters of published issues."""
        seen: set[tuple[int, str]] = set()
        found = []
        for item in bulletin.published:
            if item.kind is not ItemKind.ISSUE:
                continue
            for user_id, language, reference in await self._store.people_behind(item.report_ids):
                if (user_id, reference) not in seen:
                    seen.add((user_id, reference))
                    found.append((user_id, language, reference))
        return found

    async def claim(self, kind: str, key: str, recipient_id: int) -> bool:
        """Claim one send before making it; False if it was made before (even before a restart)."""
        return await self._store.claim(kind, key, recipient_id, self._clock())

    async def recently_published(self, within: timedelta) -> list[Bulletin]:
        """Return the bulletins published lately (their sends resume at a restart)."""
        return await self._store.published_since(self._clock() - within)

    async def archive(self, limit: int = 24) -> list[Bulletin]:
        """Return the published bulletins, newest first."""
        return await self._store.published(limit)

    # --- the subscriber's switch ----------------------------------------------------------

    async def subscribed(self, user_id: int) -> bool:
        """Tell whether a user gets the monthly bulletin (on unless they turned it off)."""
        return not await self._store.opted_out(user_id)

    async def toggle(self, user_id: int) -> bool:
        """Turn a user's monthly bulletin off or back on; return whether it is now on."""
        now_on = not await self.subscribed(user_id)
        await self._store.set_opted_out(user_id, not now_on, self._clock())
        return now_on
