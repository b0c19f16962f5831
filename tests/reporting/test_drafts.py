"""Draft rules: the order of steps, back, editing from the summary, typed answers."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import UserError
from bot.core.taxonomy import Kind
from bot.reporting.drafts import (
    Draft,
    Step,
    check_attachment,
    clean_description,
    parse_incident_date,
)
from bot.reporting.model import Attachment, AttachmentKind, format_reference, parse_reference

TODAY = date(2026, 11, 28)


def test_problem_goes_through_date_but_suggestion_does_not() -> None:
    problem = Draft(key="k", kind=Kind.ISSUE)
    suggestion = Draft(key="k", kind=Kind.SUGGESTION)
    assert Step.DATE in problem.steps()
    assert Step.DATE not in suggestion.steps()


def test_advance_walks_every_step_in_order() -> None:
    draft = Draft(key="k", kind=Kind.ISSUE)
    seen = [draft.step]
    while draft.step is not Step.SUMMARY:
        draft = draft.advance()
        seen.append(draft.step)
    assert seen == [
        Step.KIND,
        Step.DESCRIPTION,
        Step.TOPIC,
        Step.OFFICE,
        Step.DATE,
        Step.ATTACHMENTS,
        Step.ANONYMITY,
        Step.SUMMARY,
    ]


def test_prefilled_description_is_skipped_and_back_returns_to_it() -> None:
    draft = Draft(key="k", kind=Kind.QUESTION, description="How do I pay duties online?")
    after_kind = draft.advance()
    assert after_kind.step is Step.TOPIC
    assert after_kind.back().step is Step.DESCRIPTION


def test_other_office_asks_for_the_place() -> None:
    draft = Draft(key="k", kind=Kind.SUGGESTION, step=Step.OFFICE, office="other")
    assert draft.advance().step is Step.OFFICE_OTHER
    assert draft.advance().advance().step is Step.ATTACHMENTS


def test_editing_returns_to_summary_and_back_cancels_the_edit() -> None:
    draft = Draft(key="k", kind=Kind.SUGGESTION, step=Step.SUMMARY)
    editing = draft.edit(Step.TOPIC)
    assert editing.step is Step.TOPIC and editing.editing
    assert editing.advance().step is Step.SUMMARY
    assert editing.back().step is Step.SUMMARY
    with pytest.raises(UserError):
        draft.edit(Step.DATE)  # a suggestion has no date


def test_changing_kind_to_problem_while_editing_asks_the_date() -> None:
    draft = Draft(key="k", kind=Kind.ISSUE, step=Step.KIND, editing=True)
    assert draft.advance().step is Step.DATE


@pytest.mark.parametrize("text", ["", "too short", " " * 40])
def test_short_descriptions_refused(text: str) -> None:
    with pytest.raises(UserError) as caught:
        clean_description(text)
    assert caught.value.reason == "report.error_description_short"


def test_long_description_refused_with_its_length() -> None:
    with pytest.raises(UserError) as caught:
        clean_description("x" * 5000)
    assert caught.value.params["length"] == 5000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("20.11.2026", date(2026, 11, 20)),
        ("3/1/2026", date(2026, 1, 3)),
    ],
)
def test_dates_parse(text: str, expected: date) -> None:
    assert parse_incident_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", "report.error_date_format"),
        ("31.02.2026", "report.error_date_format"),
        ("2026-12-25", "report.error_date_future"),
        ("01.01.2020", "report.error_date_old"),
    ],
)
def test_bad_dates_refused(text: str, reason: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_incident_date(text, TODAY)
    assert caught.value.reason == reason


def _doc(mime: str, size: int = 1000) -> Attachment:
    return Attachment(
        kind=AttachmentKind.DOCUMENT,
        file_id="f",
        file_unique_id="u",
        mime_type=mime,
        file_size=size,
    )


def test_attachment_rules() -> None:
    draft = Draft(key="k")
    assert check_attachment(draft, _doc("application/pdf"))
    with pytest.raises(UserError, match="file_type"):
        check_attachment(draft, _doc("application/x-msdownload"))
    with pytest.raises(UserError, match="file_large"):
        check_attachment(draft, _doc("application/pdf", 21 * 1024 * 1024))
    full = draft.model_copy(
        update={"attachments": tuple(_doc("application/pdf") for _ in range(5))}
    )
    with pytest.raises(UserError, match="attachments_full"):
        check_attachment(full, _doc("application/pdf"))


def test_references_round_trip() -> None:
    assert format_reference(2026, 42) == "R-2026-00042"
    assert parse_reference(" r-2026-00042 ") == (2026, 42, "R")
    assert parse_reference("R-20x6-1") is None
    assert parse_reference("R-²⁰²⁶-1") is None  # digits, but not ASCII ones
    assert parse_reference("R-٢٠٢٦-00042") is None
    assert parse_reference("R-2026-" + "9" * 20) is None
    assert parse_reference("R-99999-1") is None
