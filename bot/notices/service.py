"""Notices on their way: the copies each recipient gets, acknowledgements, comments on drafts,
subscriptions, and the steps of a broadcast's life (start, reminders, end, summary)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, utc_now
from bot.core.conversations import Conversation, ConversationStore, Flow
from bot.core.errors import UserError
from bot.core.forms import FormService
from bot.core.i18n import Translator
from bot.core.labels import Classification
from bot.core.taxonomy import Taxonomy
from bot.notices.model import (
    SUBSCRIPTION_KINDS,
    Audience,
    Comment,
    Delivery,
    DeliveryKind,
    Notice,
    NoticeTimes,
    Outgoing,
    QuietHours,
    Reach,
    Subscription,
    reminder_time,
)

COMMENT_MIN, COMMENT_MAX = 3, 3500
PREFIX = "ntc"  # callback data of the buttons under a notice
COMMENT_WAIT = timedelta(hours=1)  # a "Comment" press is forgotten after this long


class NoticeStore(Protocol):
    """What the notice service needs from storage (notices, comments, subscriptions)."""

    async def get(self, notice_id: int) -> Notice | None: ...
    async def due(self, now: datetime) -> list[Notice]: ...
    async def start_sending(
        self,
        notice: Notice,
        now: datetime,
        comment_until: datetime | None,
        remind_at: datetime | None,
    ) -> Notice | None: ...
    async def sending(self) -> list[Notice]: ...
    async def finish(self, notice_id: int, now: datetime) -> bool: ...
    async def queue_reminders(self, now: datetime) -> list[int]: ...
    async def closed_comment_periods(self, now: datetime) -> list[Notice]: ...
    async def next_due(self, now: datetime) -> NoticeTimes: ...
    async def start_summary(self, notice_id: int, now: datetime) -> bool: ...
    async def claim_summary(self, notice_id: int, recipient_id: int, now: datetime) -> bool: ...
    async def add_comment(self, values: dict[str, Any]) -> Comment: ...
    async def comments(self, notice_id: int) -> list[Comment]: ...
    async def subscription(self, user_id: int) -> Subscription: ...
    async def set_subscription(self, user_id: int, kind: str, codes: tuple[str, ...]) -> None: ...
    async def count_audience(self, audience: Audience) -> int: ...
    async def update(self, notice_id: int, changes: dict[str, Any]) -> Notice: ...


class ReachStore(Protocol):
    """What the notice service reads from the delivery queue."""

    async def reach(self, notice_id: int) -> Reach: ...
    async def acknowledge(self, notice_id: int, user_id: int, now: datetime) -> bool: ...
    async def is_recipient(self, notice_id: int, user_id: int) -> bool: ...


class Sorter(Protocol):
    """Sorts a text like a report (the classifier of bot.sorting.service)."""

    async def classify(self, text: str, language: str | None = None) -> Classification: ...


class NoticeService:
    """Use cases of notices once written: sending steps, recipients' answers, subscriptions."""

    def __init__(
        self,
        store: NoticeStore,
        queue: ReachStore,
        translate: Translator,
        taxonomy: Taxonomy,
        sorter: Sorter,
        *,
        zone: ZoneInfo,
        quiet: QuietHours | None = None,
        reminder_lead: timedelta = timedelta(days=2),
        conversations: ConversationStore,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._queue = queue
        self._t = translate
        self.taxonomy = taxonomy
        self._sorter = sorter
        self.zone = zone
        self.quiet = quiet
        self._lead = reminder_lead
        self._clock = clock
        self._cache: dict[int, Notice] = {}
        self._forms = FormService(conversations, clock)  # a "Comment" press is a user's form

    @property
    def default_language(self) -> str:
        """Return the language a notice falls back to."""
        return self._t.default

    # --- what recipients get ------------------------------------------------------------

    def local(self, moment: datetime) -> str:
        """Return a moment as shown to users: local date and time in the configured zone."""
        return f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M} ({self.zone.key})"

    def message(
        self,
        notice: Notice,
        kind: DeliveryKind,
        language: str,
        chat_id: int,
        comment_until: datetime | None = None,
    ) -> Outgoing:
        """Return the copy of a notice (or its reminder) for one recipient, in their language."""
        t, deadline = self._t, comment_until or notice.comment_until
        comment = (t(language, "consultation.comment"), f"{PREFIX}:cmt:{notice.id}")
        if kind is DeliveryKind.REMINDER:
            assert deadline is not None
            when = self.local(deadline)
            text = t(language, "consultation.reminder", number=notice.id, deadline=when)
            return Outgoing(chat_id=chat_id, text=text, buttons=((comment,),))
        parts = [
            t(language, "notice.header", number=notice.id),
            notice.text_for(language, self.default_language),
        ]
        buttons = [(t(language, "notice.understood"), f"{PREFIX}:ack:{notice.id}")]
        if deadline is not None:
            parts.append(t(language, "consultation.open_until", deadline=self.local(deadline)))
            buttons.append(comment)
        return Outgoing(
            chat_id=chat_id,
            text="\n\n".join(parts),
            document=notice.document,
            buttons=(tuple(buttons),),
        )

    async def outgoing(self, delivery: Delivery, now: datetime) -> Outgoing | None:
        """Return the message for a queued copy (None: a reminder after the deadline)."""
        notice = self._cache.get(delivery.notice_id)
        if notice is None:
            notice = await self._store.get(delivery.notice_id)
            if notice is None:
                return None
            self._cache[notice.id] = notice
        if delivery.kind is DeliveryKind.REMINDER and not notice.open_for_comments(now):
            return None
        return self.message(notice, delivery.kind, delivery.language, delivery.user_id)

    # --- a notice's life ----------------------------------------------------------------

    def start_time(self, notice: Notice, now: datetime) -> datetime:
        """Return when a confirmed notice will start going out (after any quiet hours)."""
        start = max(notice.send_at or now, now)
        return self.quiet.next_allowed(start, self.zone) if self.quiet else start

    async def start_due(self, now: datetime) -> list[Notice]:
        """Start the confirmed notices whose time came (not in quiet hours); return them."""
        if self.quiet is not None and self.quiet.next_allowed(now, self.zone) > now:
            return []
        started = []
        for notice in await self._store.due(now):
            period = notice.comment_period
            until = now + period if period else None
            remind = reminder_time(now, period, self._lead) if period else None
            begun = await self._store.start_sending(notice, now, until, remind)
            if begun is not None:
                started.append(begun)
        return started

    async def queue_reminders(self, now: datetime) -> list[int]:
        """Queue the reminders that are due (once per consultation); return the notices."""
        return await self._store.queue_reminders(now)

    async def sending(self) -> list[Notice]:
        """Return the notices going out."""
        return await self._store.sending()

    async def finish_done(self, now: datetime) -> list[Notice]:
        """Mark the notices whose copies are all settled as sent; return them (once each)."""
        finished = []
        for notice in await self._store.sending():
            if await self._store.finish(notice.id, now):
                done = await self._store.get(notice.id)
                if done is not None:
                    finished.append(done)
        return finished

    async def next_due(self, now: datetime) -> NoticeTimes:
        """Return when the notices' rows next fall due (quiet hours are the caller's)."""
        return await self._store.next_due(now)

    async def closed_comment_periods(self, now: datetime) -> list[Notice]:
        """Return consultations whose deadline passed, claiming each summary once."""
        return [
            notice
            for notice in await self._store.closed_comment_periods(now)
            if await self._store.start_summary(notice.id, now)
        ]

    async def claim_summary(self, notice_id: int, recipient_id: int) -> bool:
        """Claim the summary for one admin or officer (at most once each)."""
        return await self._store.claim_summary(notice_id, recipient_id, self._clock())

    async def set_progress_message(self, notice_id: int, message_id: int) -> None:
        """Remember which message shows a notice's progress."""
        await self._store.update(notice_id, {"progress_message_id": message_id})

    async def get(self, notice_id: int) -> Notice | None:
        """Return a notice."""
        return await self._store.get(notice_id)

    async def reach(self, notice_id: int) -> Reach:
        """Return how far a notice got."""
        return await self._queue.reach(notice_id)

    async def comments(self, notice_id: int) -> list[Comment]:
        """Return the comments on a notice."""
        return await self._store.comments(notice_id)

    # --- recipients' answers ------------------------------------------------------------

    async def acknowledge(self, notice_id: int, user_id: int) -> bool:
        """Record "understood"; tell whether the user had the notice."""
        return await self._queue.acknowledge(notice_id, user_id, self._clock())

    async def start_comment(self, notice_id: int, user_id: int) -> Notice:
        """Take the user's next message as a comment on this consultation."""
        notice = await self._store.get(notice_id)
        if notice is None or not await self._queue.is_recipient(notice_id, user_id):
            raise UserError("consultation.not_recipient")
        if not notice.open_for_comments(self._clock()):
            raise UserError("consultation.closed", number=notice.id)
        await self._forms.save(user_id, Flow.COMMENT, str(notice_id))
        return notice

    def comment_awaited(self, conversation: Conversation | None) -> int | None:
        """Return the consultation an open form waits for a comment on, unless it expired."""
        if conversation is None or conversation.flow is not Flow.COMMENT:
            return None
        if conversation.updated_at < self._clock() - COMMENT_WAIT:
            return None
        return int(conversation.data) if conversation.data.isdigit() else None

    async def awaiting_comment(self, user_id: int) -> int | None:
        """Return the consultation the user is writing a comment on, if any."""
        return self.comment_awaited(await self._forms.current(user_id))

    async def cancel_comment(self, user_id: int) -> bool:
        """Stop waiting for the user's comment."""
        return await self._forms.clear_flow(user_id, Flow.COMMENT)

    async def comment(
        self, user_id: int, text: str, language: str, notice_id: int | None = None
    ) -> Comment:
        """Store the user's comment, sorted like a report, on the consultation they chose
        (`notice_id`: the one their open form waits for, if already read)."""
        waiting = notice_id or await self.awaiting_comment(user_id)
        if waiting is None:
            raise UserError("consultation.not_recipient")
        notice = await self._store.get(waiting)
        if notice is None or not notice.open_for_comments(self._clock()):
            await self.cancel_comment(user_id)
            raise UserError("consultation.closed", number=waiting)
        body = text.strip()
        if not COMMENT_MIN <= len(body) <= COMMENT_MAX:
            raise UserError("consultation.error_length", minimum=COMMENT_MIN, maximum=COMMENT_MAX)
        sorting = await self._sorter.classify(body, language)
        comment = await self._store.add_comment(
            {
                "notice_id": notice.id,
                "user_id": user_id,
                "body": body,
                "language": language,
                "kind": sorting.kind,
                "topic": sorting.topic,
                "urgency": sorting.urgency,
                "sentiment": sorting.sentiment,
                "confidence": sorting.confidence,
                "text_language": sorting.language,
            }
        )
        await self._forms.clear(user_id)  # the comment form is done
        return comment

    # --- subscriptions ------------------------------------------------------------------

    def codes(self, kind: str) -> tuple[str, ...]:
        """Return every topic or office code one can subscribe to."""
        items: Iterable[Any] = self.taxonomy.topics if kind == "topic" else self.taxonomy.offices
        return tuple(item.code for item in items)

    async def subscription(self, user_id: int) -> Subscription:
        """Return what the user subscribed to."""
        return await self._store.subscription(user_id)

    async def toggle_subscription(self, user_id: int, kind: str, code: str) -> Subscription:
        """Add or remove one topic or office; all of them chosen is stored as "everything"."""
        every = self.codes(kind) if kind in SUBSCRIPTION_KINDS else ()
        if code not in every:
            raise UserError("subscribe.stale")
        current = getattr(await self._store.subscription(user_id), f"{kind}s") or every
        chosen = tuple(c for c in every if (c in current) != (c == code))
        if not chosen:
            raise UserError("subscribe.keep_one")
        await self._store.set_subscription(user_id, kind, () if chosen == every else chosen)
        return await self._store.subscription(user_id)

    async def subscribe_everything(self, user_id: int) -> Subscription:
        """Subscribe the user to every topic and office again."""
        for kind in SUBSCRIPTION_KINDS:
            await self._store.set_subscription(user_id, kind, ())
        return Subscription()

    async def count(self, audience: Audience) -> int:
        """Return how many active users an audience reaches now."""
        return await self._store.count_audience(audience)
