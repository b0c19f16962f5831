"""Notice services: writing a broadcast step by step, the copies recipients get, comments
sorted like reports, subscriptions, starting in quiet hours, and a consultation's summary."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.core.access import NotAllowed
from bot.core.conversations import Conversation, Flow
from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.core.users import Access
from bot.notices.comments import CommentPeriodReports
from bot.notices.composer import NoNoticeDraft, NoticeComposer
from bot.notices.model import Audience, ComposeStep, DeliveryKind, NoticeDocument, QuietHours
from bot.notices.service import NoticeService
from bot.sorting import Classification
from config.reference_data import load_taxonomy
from storage.db import Database
from storage.notices.queue import NoticeQueue
from storage.notices.repository import NoticeRepository
from tests.fakes import Clock, Gate
from tests.notices.test_storage import add_users

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday morning

T = Translator.from_directory()
TAXONOMY = load_taxonomy()
ZONE = ZoneInfo("Europe/Madrid")
ADMIN = 1


class Sorter:
    """Sorts every text as a negative comment on documentation."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []

    async def classify(self, text: str, language: str | None = None) -> Classification:
        self.seen.append((text, language))
        return Classification(kind="issue", topic="documentation", urgency="normal",
                              sentiment=-0.6, confidence=0.8, language="en")  # fmt: skip


class Conversations:
    """Users' open forms in memory (the admin here is no stored user)."""

    def __init__(self) -> None:
        self.rows: dict[int, Conversation] = {}

    async def get(self, user_id: int) -> Conversation | None:
        """Return the user's open form."""
        return self.rows.get(user_id)

    async def save(self, user_id: int, flow: str, data: str) -> None:
        """Open or replace the user's form."""
        self.rows[user_id] = Conversation(
            user_id=user_id, flow=Flow(flow), data=data, updated_at=datetime.now(UTC)
        )

    async def clear(self, user_id: int) -> bool:
        """Drop the user's form."""
        return self.rows.pop(user_id, None) is not None

    async def idle_since(self, before: datetime) -> list[Conversation]:
        """Return forms untouched since before."""
        return [row for row in self.rows.values() if row.updated_at < before]

    async def clear_if_unchanged(self, conversation: Conversation) -> bool:
        """Drop a form nobody touched since it was read."""
        if self.rows.get(conversation.user_id) != conversation:
            return False
        return await self.clear(conversation.user_id)

    async def oldest_update(self, excluding: tuple[str, ...] = ()) -> datetime | None:
        """Return when the least recently touched form (of other flows) was saved."""
        times = [row.updated_at for row in self.rows.values() if row.flow.value not in excluding]
        return min(times, default=None)


def composer(db: Database, clock: Clock, gate: Gate | None = None) -> NoticeComposer:
    return NoticeComposer(
        NoticeRepository(db), TAXONOMY, languages=["en", "es", "ru"], default_language="en",
        zone=ZONE, periods=(timedelta(days=7),), clock=clock,
        conversations=Conversations(), gate=gate or Gate({ADMIN: Access.ADMIN}),
    )  # fmt: skip


def service(db: Database, clock: Clock, quiet: QuietHours | None = None) -> NoticeService:
    return NoticeService(
        NoticeRepository(db), NoticeQueue(db), T, TAXONOMY, Sorter(), zone=ZONE, quiet=quiet,
        reminder_lead=timedelta(days=2), clock=clock, conversations=Conversations(),
    )  # fmt: skip


async def test_writing_a_notice_step_by_step(fresh_db: Database) -> None:
    clock = Clock(START)
    writer = composer(fresh_db, clock)
    assert not await writer.may_be_writing(ADMIN)
    draft = await writer.begin(ADMIN)
    assert draft.step is ComposeStep.TEXT and await writer.may_be_writing(ADMIN)
    assert (await writer.begin(ADMIN)).id == draft.id  # continued, not a second draft
    with pytest.raises(UserError):
        await writer.write(ADMIN, "", "   ")
    draft = await writer.write(ADMIN, "<b>New</b> rates &amp; forms", "New rates & forms")
    assert draft.step is ComposeStep.DOCUMENT and draft.texts == {
        "en": "<b>New</b> rates &amp; forms"
    }
    draft = await writer.attach(ADMIN, NoticeDocument(file_id="F1", file_name="rule.pdf"))
    assert draft.step is ComposeStep.LANGUAGES and draft.document is not None
    draft = await writer.write_language(ADMIN, "es")
    assert draft.step is ComposeStep.VARIANT and draft.variant_language == "es"
    with pytest.raises(UserError) as problem:  # with a file the text is a caption
        await writer.write(ADMIN, "x" * 900, "x" * 900)
    assert problem.value.reason == "broadcast.error_caption_long"
    draft = await writer.write(ADMIN, "Nuevas tarifas", "Nuevas tarifas")
    assert draft.step is ComposeStep.LANGUAGES and set(draft.texts) == {"en", "es"}
    with pytest.raises(UserError):
        await writer.toggle(ADMIN, "roles", "trader")  # not at the audience step
    await writer.rest(ADMIN)  # another command: the draft takes no messages
    assert not await writer.may_be_writing(ADMIN)
    draft = await writer.go_to(ADMIN, ComposeStep.AUDIENCE)  # until it is answered again
    assert await writer.may_be_writing(ADMIN)
    draft = await writer.toggle(ADMIN, "roles", "trader")
    assert draft.audience == Audience(roles=("trader",))
    with pytest.raises(UserError):
        await writer.toggle(ADMIN, "topics", "no_such_topic")
    draft = await writer.everyone(ADMIN)
    assert draft.audience.everyone
    draft = await writer.go_to(ADMIN, ComposeStep.PERIOD)
    with pytest.raises(UserError):
        await writer.type_period(ADMIN, "soon")
    draft = await writer.type_period(ADMIN, "36h")
    assert draft.step is ComposeStep.WHEN and draft.comment_seconds == 36 * 3600
    draft = await writer.ask_time(ADMIN)
    with pytest.raises(UserError):
        await writer.type_time(ADMIN, "2026-03-01 09:00")  # the past
    draft = await writer.type_time(ADMIN, "2026-03-05 09:00")
    assert draft.step is ComposeStep.CONFIRM
    assert draft.send_at == datetime(2026, 3, 5, 9, 0, tzinfo=ZONE)
    notice = await writer.confirm(ADMIN, chat_id=ADMIN, message_id=55)
    assert notice.status == "scheduled" and notice.progress_message_id == 55
    assert not await writer.may_be_writing(ADMIN) and await writer.draft(ADMIN) is None
    with pytest.raises(NoNoticeDraft):
        await writer.skip_document(ADMIN)


async def test_a_cancelled_draft_is_gone(fresh_db: Database) -> None:
    writer = composer(fresh_db, Clock(START))
    assert not await writer.cancel(ADMIN)
    await writer.begin(ADMIN)
    assert await writer.cancel(ADMIN) and await writer.draft(ADMIN) is None


async def test_each_recipient_gets_their_language_or_the_default(fresh_db: Database) -> None:
    clock = Clock(START)
    writer, notices = composer(fresh_db, clock), service(fresh_db, clock)
    await writer.begin(ADMIN)
    draft = await writer.write(ADMIN, "Rates change", "Rates change")
    draft = await writer.skip_document(ADMIN)
    draft = await writer.write_language(ADMIN, "es")
    draft = await writer.write(ADMIN, "Tarifas cambian", "Tarifas cambian")
    until = clock.now + timedelta(days=7)
    spanish = notices.message(draft, DeliveryKind.NOTICE, "es", 7, until)
    russian = notices.message(draft, DeliveryKind.NOTICE, "ru", 8, until)
    assert "Tarifas cambian" in spanish.text and "Aviso de Aduanas" in spanish.text
    assert "Rates change" in russian.text and "Уведомление таможни" in russian.text
    assert [label for label, _ in russian.buttons[0]] == [
        T("ru", "notice.understood"), T("ru", "consultation.comment")]  # fmt: skip
    assert "2026-03-09 11:00 (Europe/Madrid)" in russian.text  # the deadline, local time
    plain = notices.message(draft, DeliveryKind.NOTICE, "en", 9)
    assert len(plain.buttons[0]) == 1  # no comment period: only "Understood"
    reminder = notices.message(draft, DeliveryKind.REMINDER, "es", 7, until)
    assert "Recordatorio" in reminder.text and reminder.buttons[0][0][1] == f"ntc:cmt:{draft.id}"


async def test_quiet_hours_hold_the_start(fresh_db: Database) -> None:
    clock = Clock(START)
    clock.now = datetime(2026, 3, 2, 22, 30, tzinfo=ZONE)
    notices = service(fresh_db, clock, QuietHours.parse("21:00-08:00"))
    writer = composer(fresh_db, clock)
    await add_users(fresh_db, (11, "en", "trader"))
    await writer.begin(ADMIN)
    await writer.write(ADMIN, "x", "x")
    await writer.skip_document(ADMIN)
    await writer.go_to(ADMIN, ComposeStep.WHEN)
    await writer.send_now(ADMIN)
    notice = await writer.confirm(ADMIN, ADMIN, None)
    assert notices.start_time(notice, clock.now) == datetime(2026, 3, 3, 8, 0, tzinfo=ZONE)
    assert await notices.start_due(clock.now) == []
    morning = datetime(2026, 3, 3, 8, 0, tzinfo=ZONE)
    (started,) = await notices.start_due(morning)
    assert started.total == 1 and started.comment_until is None


async def test_comments_are_sorted_like_reports_and_summarised(fresh_db: Database) -> None:
    clock = Clock(START)
    notices = service(fresh_db, clock)
    store, queue = NoticeRepository(fresh_db), NoticeQueue(fresh_db)
    await add_users(fresh_db, (11, "en", "trader"), (12, "es", "broker"))
    draft = await store.create_draft(ADMIN, "text")
    notice = await store.update(draft.id, {"texts": {"en": "Draft rule"}, "comment_seconds": 3600,
                                           "status": "scheduled"})  # fmt: skip
    (notice,) = await notices.start_due(clock.now)
    for delivery in await queue.due(clock.now, 10):
        await queue.claim(delivery, clock.now)
        await queue.mark_sent(delivery, 1, clock.now)
    with pytest.raises(UserError):
        await notices.start_comment(notice.id, 99)  # not a recipient
    await notices.start_comment(notice.id, 11)
    assert await notices.awaiting_comment(11) == notice.id
    with pytest.raises(UserError):
        await notices.comment(11, "no", "en")  # too short
    comment = await notices.comment(11, "=cmd|' /C calc'!A0 the form is unclear\x00\x1b", "en")
    assert (comment.topic, comment.sentiment) == ("documentation", -0.6)
    assert await notices.awaiting_comment(11) is None
    clock.now += timedelta(hours=2)
    with pytest.raises(UserError) as problem:
        await notices.start_comment(notice.id, 12)
    assert problem.value.reason == "consultation.closed"
    (closed,) = await notices.closed_comment_periods(clock.now)
    assert await notices.closed_comment_periods(clock.now) == []  # claimed once
    reports = CommentPeriodReports(notices, T, TAXONOMY, ZONE)
    summary = await reports.summary(closed)
    assert (summary.comments, summary.commenters, summary.recipients) == (1, 1, 2)
    assert summary.by_topic == (("documentation", 1),)
    assert dict(summary.by_sentiment) == {"negative": 1, "neutral": 0, "positive": 0}
    text = reports.text(summary, "es")
    assert "Documentos y formalidades: 1" in text and "negativo 1" in text
    data, count = await reports.workbook(closed, "en")
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["Comments"].iter_rows(values_only=True))
    assert count == 1 and rows[1][-1].startswith("=cmd")  # kept as text, not a formula
    assert rows[1][-1].endswith("unclear  ")  # a NUL typed in a comment does not break the file
    assert book["Comments"].cell(row=2, column=12).data_type == "s"
    assert rows[1][9:11] == ("trader", None)  # role and organisation, never the name


async def test_subscriptions_keep_at_least_one_and_store_all_as_everything(
    fresh_db: Database,
) -> None:
    notices = service(fresh_db, Clock(START))
    await add_users(fresh_db, (11, "en", "trader"))
    codes = notices.codes("office")
    chosen = await notices.toggle_subscription(11, "office", codes[0])
    assert set(chosen.offices) == set(codes[1:])
    chosen = await notices.toggle_subscription(11, "office", codes[0])
    assert chosen.offices == ()  # all of them again: stored as everything
    for code in codes[:-1]:
        await notices.toggle_subscription(11, "office", code)
    with pytest.raises(UserError) as problem:
        await notices.toggle_subscription(11, "office", codes[-1])
    assert problem.value.reason == "subscribe.keep_one"
    with pytest.raises(UserError):
        await notices.toggle_subscription(11, "office", "NOWHERE")
    assert (await notices.subscribe_everything(11)).offices == ()


async def test_a_scheduled_notice_starts_at_its_time(fresh_db: Database) -> None:
    clock = Clock(START)
    notices, writer = service(fresh_db, clock), composer(fresh_db, clock)
    await add_users(fresh_db, (11, "en", "trader"))
    await writer.begin(ADMIN)
    await writer.write(ADMIN, "x", "x")
    await writer.skip_document(ADMIN)
    await writer.go_to(ADMIN, ComposeStep.WHEN)
    await writer.ask_time(ADMIN)
    await writer.type_time(ADMIN, "2026-03-02 12:30")  # Madrid: 11:30 UTC
    notice = await writer.confirm(ADMIN, ADMIN, None)
    assert notices.start_time(notice, clock.now) == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    clock.now = datetime(2026, 3, 2, 11, 29, tzinfo=UTC)
    assert await notices.start_due(clock.now) == []
    clock.now = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    (started,) = await notices.start_due(clock.now)
    assert started.id == notice.id and started.started_at == clock.now
    assert await notices.start_due(clock.now) == []  # once


async def test_only_an_admin_writes_a_notice_and_each_refusal_is_recorded(
    fresh_db: Database,
) -> None:
    gate = Gate({ADMIN: Access.ADMIN, 2: Access.OFFICER})
    writer = composer(fresh_db, Clock(), gate)
    with pytest.raises(NotAllowed):
        await writer.begin(2)
    with pytest.raises(NotAllowed):
        await writer.write(3, "<b>Hi</b>", "Hi")
    assert gate.refused == [(2, "broadcast"), (3, "broadcast")]
    draft = await writer.begin(ADMIN)
    assert await writer.draft(2) is None and draft.author_id == ADMIN
