"""Guided forms: the step moves every form shares, and the one open form kept per user."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar

import pytest

from bot.core.conversations import Flow
from bot.core.errors import UserError
from bot.core.forms import FORM_IDLE, FormService, StepForm
from storage.conversations import ConversationRepository
from storage.db import Database, utcnow


class Question(StrEnum):
    """The steps of a small test form."""

    NAME = "name"
    COLOUR = "colour"
    SHADE = "shade"  # a sub-list of the colour question
    AGE = "age"
    SUMMARY = "summary"


class Survey(StepForm):
    """A three-question form: name, colour (with shades), age, then the summary."""

    choose_error: ClassVar[str] = "survey.error_choose_button"

    step: Question = Question.NAME
    name: str | None = None
    age: int | None = None

    def order(self) -> Sequence[Question]:
        """Name, colour, age, summary."""
        return (Question.NAME, Question.COLOUR, Question.AGE, Question.SUMMARY)

    def editable(self) -> Sequence[Question]:
        """Name and colour may be reopened from the summary."""
        return (Question.NAME, Question.COLOUR)

    def question_of(self, step: StrEnum) -> StrEnum:
        """The shades belong to the colour question."""
        return Question.COLOUR if step is Question.SHADE else step

    def skips(self, step: StrEnum) -> bool:
        """The age is passed over when it is already known."""
        return step is Question.AGE and self.age is not None

    def follow_up(self) -> Question | None:
        """A name edited to nothing asks for the colour again."""
        return Question.COLOUR if self.step is Question.NAME and not self.name else None


def test_steps_go_in_order_back_and_to_the_summary() -> None:
    form = Survey(key="k")
    assert form.advance().step is Question.COLOUR
    assert form.advance().advance().step is Question.AGE
    assert form.advance().advance().back().step is Question.COLOUR
    assert form.back().step is Question.NAME  # the first step stays first
    known = Survey(key="k", step=Question.COLOUR, age=40)
    assert known.advance().step is Question.SUMMARY  # the known age is passed over
    summary = Survey(key="k", step=Question.SUMMARY)
    assert summary.advance().step is Question.SUMMARY


def test_a_sub_list_belongs_to_its_question() -> None:
    shade = Survey(key="k", step=Question.SHADE)
    assert shade.back().step is Question.COLOUR
    assert shade.advance().step is Question.AGE


def test_editing_from_the_summary_comes_back_to_it() -> None:
    summary = Survey(key="k", step=Question.SUMMARY, name="Ana")
    editing = summary.edit(Question.NAME)
    assert editing.step is Question.NAME and editing.editing
    assert editing.advance().step is Question.SUMMARY and not editing.advance().editing
    assert editing.back().step is Question.SUMMARY
    emptied = editing.model_copy(update={"name": None}).advance()
    assert emptied.step is Question.COLOUR and emptied.editing  # a follow-up question first
    with pytest.raises(UserError) as problem:
        summary.edit(Question.AGE)
    assert problem.value.reason == "survey.error_choose_button"


async def _users(db: Database, *ids: int) -> None:
    now = utcnow()
    for uid in ids:
        await db.execute(
            "INSERT INTO users (id, first_name, language, created_at, updated_at)"
            " VALUES (?, 'U', 'en', ?, ?)",
            (uid, now, now),
        )


async def test_one_open_form_per_user_saved_loaded_and_replaced(fresh_db: Database) -> None:
    await _users(fresh_db, 1)
    forms = FormService(ConversationRepository(fresh_db))
    await forms.save(1, Flow.REPORT, Survey(key="a", name="Ana"))
    loaded = await forms.load(1, Flow.REPORT, Survey)
    assert loaded is not None and loaded.name == "Ana"
    assert await forms.load(1, Flow.MEETING, Survey) is None  # another flow's form
    await forms.save(1, Flow.ADD_INFO, "7")  # starting a flow replaces the open form
    assert await forms.load(1, Flow.REPORT, Survey) is None
    assert await forms.raw(1, Flow.ADD_INFO) == "7"
    assert not await forms.clear_flow(1, Flow.REPORT)  # not that flow: kept
    assert await forms.clear_flow(1, Flow.ADD_INFO) and await forms.current(1) is None


async def test_idle_forms_are_dropped_after_a_day_but_kept_flows(fresh_db: Database) -> None:
    await _users(fresh_db, 1, 2, 3)
    forms = FormService(ConversationRepository(fresh_db))
    await forms.save(1, Flow.REPORT, Survey(key="a"))
    await forms.save(3, Flow.NOTICE, '{"notice_id": 1}')
    await fresh_db.execute("UPDATE conversations SET updated_at = '2000-01-01T00:00:00+00:00'")
    await forms.save(2, Flow.MEETING, Survey(key="b"))
    dropped = await forms.drop_idle(keep=(Flow.NOTICE,))
    assert [c.user_id for c in dropped] == [1]
    assert await forms.current(1) is None and await forms.current(2) is not None
    assert await forms.current(3) is not None  # a notice draft waits for /broadcast


async def test_the_idle_timer_is_armed_to_the_oldest_open_form(fresh_db: Database) -> None:
    await _users(fresh_db, 1, 2)
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    forms = FormService(ConversationRepository(fresh_db), clock=lambda: now)
    assert await forms.next_idle_at() == now + FORM_IDLE  # nothing open: look again in a day
    await forms.save(1, Flow.REPORT, Survey(key="a"))
    await forms.save(2, Flow.NOTICE, '{"notice_id": 1}')
    await fresh_db.execute(
        "UPDATE conversations SET updated_at = '2026-12-05T03:00:00+00:00' WHERE user_id = 1"
    )
    await fresh_db.execute(
        "UPDATE conversations SET updated_at = '2026-12-04T01:00:00+00:00' WHERE user_id = 2"
    )
    assert await forms.next_idle_at() == datetime(2026, 12, 4, 1, tzinfo=UTC) + FORM_IDLE
    kept = await forms.next_idle_at(keep=(Flow.NOTICE,))  # a notice draft never falls idle
    assert kept == datetime(2026, 12, 5, 3, tzinfo=UTC) + FORM_IDLE
