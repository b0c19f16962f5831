"""Writing a broadcast: an admin's draft notice, saved in SQLite after every answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.core.access import Gate
from bot.core.clock import Clock, utc_now
from bot.core.conversations import ConversationStore, Flow
from bot.core.durations import parse_duration
from bot.core.errors import UserError
from bot.core.forms import FormService
from bot.core.taxonomy import Taxonomy
from bot.core.users import Access, BusinessRole
from bot.notices.model import (
    DIMENSIONS,
    Audience,
    ComposeStep,
    Notice,
    NoticeDocument,
    NoticeStatus,
    check_text,
    parse_local_time,
    plain_text,
)

MAX_PERIOD = timedelta(days=365)
GO_TO_STEPS = (ComposeStep.LANGUAGES, ComposeStep.AUDIENCE, ComposeStep.PERIOD, ComposeStep.WHEN)


class DraftStore(Protocol):
    """What writing a broadcast needs from storage."""

    async def get(self, notice_id: int) -> Notice | None: ...
    async def draft_of(self, author_id: int) -> Notice | None: ...
    async def create_draft(self, author_id: int, step: str) -> Notice: ...
    async def update(self, notice_id: int, changes: dict[str, Any]) -> Notice: ...
    async def count_audience(self, audience: Audience) -> int: ...


class NoticeForm(BaseModel):
    """An admin's open notice form: which draft takes their typed answers."""

    notice_id: int
    resting: bool = False  # another command came since: typed text is not the draft's


class NoNoticeDraft(Exception):
    """The admin has no broadcast being written (sent, cancelled, or never started)."""


class NoticeComposer:
    """Use cases of an admin writing a notice: text, file, languages, audience, timing."""

    def __init__(
        self,
        store: DraftStore,
        taxonomy: Taxonomy,
        *,
        languages: list[str],
        default_language: str,
        zone: ZoneInfo,
        conversations: ConversationStore,
        gate: Gate,
        periods: tuple[timedelta, ...] = (),
        clock: Clock = utc_now,
    ) -> None:
        self._gate = gate  # only admins write notices: checked here, on every call
        self._store = store
        self.taxonomy = taxonomy
        self.languages = languages
        self.default_language = default_language
        self.zone = zone
        self.periods = periods
        self._clock = clock
        self._forms = FormService(conversations, clock)  # which draft takes typed answers

    async def require_admin(self, actor_id: int, action: str = "broadcast") -> None:
        """Go on only if the actor is an admin now; else audit the refusal and raise."""
        await self._gate.require(actor_id, Access.ADMIN, action)

    async def may_be_writing(self, admin_id: int) -> bool:
        """Tell whether this admin's typed messages go to their draft (their open form)."""
        form = await self._forms.load(admin_id, Flow.NOTICE, NoticeForm)
        return form is not None and not form.resting

    async def rest(self, admin_id: int) -> None:
        """Stop taking the admin's messages for their draft until /broadcast (another command)."""
        form = await self._forms.load(admin_id, Flow.NOTICE, NoticeForm)
        if form is not None and not form.resting:
            await self._forms.save(admin_id, Flow.NOTICE, form.model_copy(update={"resting": True}))

    def choices(self, dimension: str) -> tuple[str, ...]:
        """Return the codes one audience dimension can take."""
        if dimension == "roles":
            return tuple(role.value for role in BusinessRole)
        if dimension == "topics":
            return tuple(topic.code for topic in self.taxonomy.topics)
        if dimension == "offices":
            return tuple(office.code for office in self.taxonomy.offices)
        if dimension == "languages":
            return tuple(self.languages)
        raise UserError("broadcast.stale")

    async def draft(self, admin_id: int) -> Notice | None:
        """Return the admin's draft, if any."""
        return await self._store.draft_of(admin_id)

    async def begin(self, admin_id: int) -> Notice:
        """Continue the admin's draft (touched, so it takes their next message) or start one."""
        await self.require_admin(admin_id)
        draft = await self._store.draft_of(admin_id)
        if draft is None:
            draft = await self._store.create_draft(admin_id, ComposeStep.TEXT.value)
        else:
            draft = await self._store.update(draft.id, {"step": draft.step or ComposeStep.TEXT})
        await self._forms.save(admin_id, Flow.NOTICE, NoticeForm(notice_id=draft.id))
        return draft

    async def _require(self, admin_id: int, *steps: ComposeStep) -> Notice:
        await self.require_admin(admin_id)
        draft = await self._store.draft_of(admin_id)
        if draft is None:
            raise NoNoticeDraft
        if steps and draft.step not in steps:
            raise UserError("broadcast.stale")
        return draft

    async def _go(self, draft: Notice, step: ComposeStep, **changes: Any) -> Notice:
        # Answering it makes the draft the admin's open form again: it takes their messages.
        await self._forms.save(draft.author_id, Flow.NOTICE, NoticeForm(notice_id=draft.id))
        return await self._store.update(draft.id, {"step": step, **changes})

    async def write(self, admin_id: int, html: str, plain: str) -> Notice:
        """Take the text of the notice (or of a language variant), formatted as Telegram HTML."""
        draft = await self._require(admin_id)
        if draft.step not in (ComposeStep.TEXT, ComposeStep.VARIANT):
            raise UserError("broadcast.error_use_buttons")
        check_text(plain, with_document=draft.document is not None)
        language = (
            draft.variant_language if draft.step is ComposeStep.VARIANT else None
        ) or self.default_language
        texts = {**draft.texts, language: html}
        first = draft.step is ComposeStep.TEXT
        following = ComposeStep.DOCUMENT if first else ComposeStep.LANGUAGES
        return await self._go(draft, following, texts=texts, variant_language=None)

    async def attach(self, admin_id: int, document: NoticeDocument) -> Notice:
        """Take the file sent with the notice (its texts must then fit in a caption)."""
        draft = await self._require(admin_id, ComposeStep.DOCUMENT)
        for html in draft.texts.values():
            check_text(plain_text(html), with_document=True)
        return await self._go(draft, ComposeStep.LANGUAGES, document=document)

    async def skip_document(self, admin_id: int) -> Notice:
        """Go on without a file."""
        draft = await self._require(admin_id, ComposeStep.DOCUMENT)
        return await self._go(draft, ComposeStep.LANGUAGES)

    async def write_language(self, admin_id: int, language: str) -> Notice:
        """Ask for the text in one language (a variant, or the default text again)."""
        if language not in self.languages:
            raise UserError("broadcast.stale")
        draft = await self._require(admin_id, ComposeStep.LANGUAGES, ComposeStep.VARIANT)
        return await self._go(draft, ComposeStep.VARIANT, variant_language=language)

    async def go_to(self, admin_id: int, step: ComposeStep) -> Notice:
        """Move to the languages, audience, comment period or timing (buttons, not typing)."""
        if step not in GO_TO_STEPS:
            raise UserError("broadcast.stale")
        draft = await self._require(admin_id)
        if draft.step in (ComposeStep.TEXT, ComposeStep.DOCUMENT) or not draft.texts:
            raise UserError("broadcast.stale")
        return await self._go(draft, step)

    async def toggle(self, admin_id: int, dimension: str, code: str) -> Notice:
        """Add or remove one value of an audience dimension."""
        if dimension not in DIMENSIONS or code not in self.choices(dimension):
            raise UserError("broadcast.stale")
        draft = await self._require(admin_id, ComposeStep.AUDIENCE)
        return await self._go(draft, ComposeStep.AUDIENCE, audience=draft.audience.toggled(
            dimension, code))  # fmt: skip

    async def everyone(self, admin_id: int) -> Notice:
        """Send to every active user again."""
        draft = await self._require(admin_id, ComposeStep.AUDIENCE)
        return await self._go(draft, ComposeStep.AUDIENCE, audience=Audience())

    async def count(self, audience: Audience) -> int:
        """Return how many active users an audience reaches now."""
        return await self._store.count_audience(audience)

    async def set_period(self, admin_id: int, seconds: int) -> Notice:
        """Set the comment period (0: a plain notice, no comments)."""
        draft = await self._require(admin_id, ComposeStep.PERIOD)
        if seconds < 0 or timedelta(seconds=seconds) > MAX_PERIOD:
            raise UserError("broadcast.stale")
        return await self._go(draft, ComposeStep.WHEN, comment_seconds=seconds or None)

    async def type_period(self, admin_id: int, text: str) -> Notice:
        """Set the comment period from a typed duration such as 10d or 36h."""
        await self._require(admin_id, ComposeStep.PERIOD)
        try:
            period = parse_duration(text)
        except ValueError:
            raise UserError("broadcast.error_period") from None
        if not timedelta(seconds=1) <= period <= MAX_PERIOD:
            raise UserError("broadcast.error_period")
        return await self.set_period(admin_id, int(period.total_seconds()))

    async def send_now(self, admin_id: int) -> Notice:
        """Send as soon as confirmed."""
        draft = await self._require(admin_id, ComposeStep.WHEN, ComposeStep.TIME)
        return await self._go(draft, ComposeStep.CONFIRM, send_at=None)

    async def ask_time(self, admin_id: int) -> Notice:
        """Ask for the time to send at."""
        draft = await self._require(admin_id, ComposeStep.WHEN)
        return await self._go(draft, ComposeStep.TIME)

    async def type_time(self, admin_id: int, text: str) -> Notice:
        """Send at a typed local time, YYYY-MM-DD HH:MM, in the future."""
        draft = await self._require(admin_id, ComposeStep.TIME)
        moment = parse_local_time(text, self.zone)
        if moment <= self._clock():
            raise UserError("broadcast.error_time_past")
        return await self._go(draft, ComposeStep.CONFIRM, send_at=moment)

    async def confirm(self, admin_id: int, chat_id: int, message_id: int | None) -> Notice:
        """Confirm the notice: it goes out at its time; return it."""
        draft = await self._require(admin_id, ComposeStep.CONFIRM)
        if not draft.texts.get(self.default_language):
            raise UserError("broadcast.stale")
        if draft.send_at is not None and draft.send_at <= self._clock():
            draft = await self._store.update(draft.id, {"send_at": None})
        await self._forms.clear_flow(admin_id, Flow.NOTICE)
        return await self._store.update(
            draft.id,
            {
                "status": NoticeStatus.SCHEDULED,
                "step": None,
                "chat_id": chat_id,
                "progress_message_id": message_id,
                "confirmed_at": self._clock(),
            },
        )

    async def cancel(self, admin_id: int) -> bool:
        """Drop the admin's draft; tell whether there was one."""
        draft = await self._store.draft_of(admin_id)
        if draft is None:
            return False
        await self._store.update(draft.id, {"status": NoticeStatus.CANCELLED, "step": None})
        await self._forms.clear_flow(admin_id, Flow.NOTICE)
        return True
