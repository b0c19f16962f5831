"""Meeting messages in every language: each renders, is valid Telegram HTML, escapes what users
typed, and states the time with its zone; buttons stay within Telegram's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.i18n import Translator
from bot.meetings.drafts import MeetingDraft, Mode, Step
from bot.meetings.model import ActionItem, Meeting, MeetingStatus, NewActionItem, Rsvp, RsvpCounts
from bot.meetings.scheduling import AgendaPack, RecurringLine
from bot.meetings.sends import Job, JobKind
from config.reference_data import load_taxonomy
from handlers.kit.render import keyboard
from handlers.meetings.form_views import FormViews
from handlers.meetings.views import MeetingViews
from tests.telegram_html import HOSTILE_TEXTS, html_problems, refusals

T = Translator.from_directory()
TAXONOMY = load_taxonomy()
START = datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # 10:00 in Madrid, just after the DST change
MEETING = Meeting(
    id=7, title="Scanner <queues> & fees", starts_at=START, ends_at=START + timedelta(hours=2),
    zone="Europe/Madrid", place="Customs House", link="https://meet.example.org/x?a=1&b=2",
    agenda="1. <b>not bold</b>", recurrence="FREQ=MONTHLY;BYDAY=-1TU", created_by=1,
    created_at=START,
)  # fmt: skip
ITEM = ActionItem(
    id=3, meeting_id=7, what="Open lane <2>", owner_id=9, owner_name="Olga",
    due_on=date(2026, 4, 2), references=("R-2026-00042",), outcome="Done & dusted",
)  # fmt: skip
LANGUAGES = T.languages


def _valid(text: str) -> None:
    assert not html_problems(text), text
    assert "<queues>" not in text and "<2>" not in text and "<b>not bold" not in text
    assert "& " not in text and "&b=" not in text, text  # user text escaped
    assert len(text) < 4096


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_renders(lang: str) -> None:
    views = MeetingViews(T, TAXONOMY, lang)
    counts = RsvpCounts(attend=3, maybe=1, cannot=2, organisations=("A & B Ltd",))
    was = (START - timedelta(days=1)).isoformat()
    detail = json.dumps({"fields": ["when", "place"], "was": was})
    change = Job(id=1, meeting_id=7, kind=JobKind.CHANGE, lead=1, due_at=START, detail=detail)
    pack = AgendaPack(
        meeting=MEETING, since=START - timedelta(days=30),
        recurring=(
            RecurringLine("inspections", "PORT-MAIN", 3, 2),
            RecurringLine(None, None, 2, 0),
        ),
        overdue=4, oldest=(("R-2026-00001", "it_systems", None, START),), actions=(ITEM,),
    )  # fmt: skip
    held = MEETING.model_copy(
        update={"status": MeetingStatus.HELD, "minutes": "<i>x", "attendance": 5}
    )
    texts = [
        views.invitation(MEETING),
        views.card(MEETING, Rsvp.MAYBE, counts),
        views.card(held, None),
        views.card(MEETING.model_copy(update={"status": MeetingStatus.CANCELLED}), None),
        views.reminder(MEETING, 3600),
        views.change(MEETING, change),
        views.cancelled(MEETING),
        views.agenda_pack(pack, date(2026, 4, 10)),
        views.action_due(ITEM, MEETING),
        views.action_overdue(ITEM, MEETING),
        views.outcome(ITEM, ["R-2026-00042"]),
        views.listing([(MEETING, Rsvp.ATTEND)])[0],
    ]
    for text in texts:
        _valid(text)
    assert "(Europe/Madrid)" in views.reminder(MEETING, 3600)
    assert "10:00" in views.reminder(MEETING, 3600)  # Madrid wall-clock time, not UTC
    assert "⚠️" in views.agenda_pack(pack, date(2026, 4, 10))  # the overdue item is flagged
    keyboard(views.rsvp_rows(MEETING, Rsvp.ATTEND))
    keyboard(views.officer_rows(MEETING, START - timedelta(days=1)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_form_question_renders(lang: str) -> None:
    views = FormViews(T, TAXONOMY, lang)
    draft = MeetingDraft(
        key="k", zone="Europe/Madrid", title="T <x>", starts_at=START, ends_at=START,
        link="https://x.org", agenda="a & b",
    )  # fmt: skip
    for step in (
        Step.TITLE, Step.WHEN, Step.PLACE, Step.LINK, Step.AGENDA, Step.AUDIENCE,
        Step.AUDIENCE_TOPIC, Step.AUDIENCE_OFFICE, Step.REPEAT, Step.SUMMARY,
    ):  # fmt: skip
        text, rows = views.question(draft.model_copy(update={"step": step}))
        _valid(text)
        keyboard(rows)  # callback data within 64 bytes
    item = NewActionItem(what="w <1>", owner_id=1, owner_name="O", due_on=date(2026, 4, 1))
    close = MeetingDraft(
        key="k", mode=Mode.CLOSE, meeting_id=7, minutes="m <i>", attendance=2,
        organisations=("A & B",), actions=(item,),
    )  # fmt: skip
    counts = RsvpCounts(attend=2, organisations=("A",))
    for step in (Step.MINUTES, Step.ATTENDANCE, Step.ORGANISATIONS, Step.ACTIONS, Step.REVIEW):
        text, rows = views.question(close.model_copy(update={"step": step}), counts)
        _valid(text)
        keyboard(rows)
    outcome = MeetingDraft(key="k", mode=Mode.OUTCOME, step=Step.OUTCOME, action_id=3)
    text, _ = views.question(outcome, item=ITEM)
    _valid(text)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_user_text_in_meeting_messages_is_accepted_by_telegram(name: str) -> None:
    hostile = HOSTILE_TEXTS[name]
    views = MeetingViews(T, TAXONOMY, "en")
    meeting = MEETING.model_copy(
        update={"title": hostile[:200], "place": hostile[:200], "agenda": hostile[:3000]}
    )
    held = meeting.model_copy(
        update={"status": MeetingStatus.HELD, "minutes": hostile[:3500], "attendance": 5}
    )
    counts = RsvpCounts(attend=3, organisations=(hostile[:200], hostile[:200]))
    item = ITEM.model_copy(update={"what": hostile[:500], "outcome": hostile[:500]})
    texts = [
        views.invitation(meeting),
        views.card(meeting, Rsvp.MAYBE, counts),
        views.card(held, None, counts),
        views.reminder(meeting, 3600),
        views.cancelled(meeting),
        views.action_due(item, meeting),
        views.outcome(item, ["R-2026-00042"]),
        views.listing([(meeting, Rsvp.ATTEND)] * 5)[0],
    ]
    for text in texts:
        assert not refusals(text), refusals(text)
        assert "<i>x</i>" not in text and "<b <" not in text
