"""Meeting input and plans: dates in the zone, offsets, action lines, the form's steps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.meetings.drafts import MeetingDraft, Mode, Step
from bot.meetings.model import (
    Meeting,
    check_audience,
    clean_link,
    parse_action_line,
    parse_offsets,
    parse_organisations,
    parse_when,
)
from bot.meetings.recurrence import Repeat
from bot.meetings.sends import JobKind, plan_action, plan_meeting

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_when_is_read_in_the_zone_and_stored_in_utc() -> None:
    start, end = parse_when("2026-12-15 10:00", MADRID, NOW)
    assert start == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    assert end == start + timedelta(hours=1)
    start, end = parse_when("15.12.2026 10:00-11:30", MADRID, NOW)
    assert end - start == timedelta(minutes=90)
    start, _ = parse_when("2026-11-20 13:00:30", MADRID, NOW)
    assert start == datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow at ten", "meeting.error_when_format"),
        ("2026-13-01 10:00", "meeting.error_when_format"),
        ("2026-11-20 12:59", "meeting.error_when_past"),
        ("2030-01-01 10:00", "meeting.error_when_far"),
        ("2026-12-15 10:00-09:00", "meeting.error_end_before_start"),
        ("2027-03-28 02:30", "meeting.error_time_gap"),  # skipped by the spring change
        ("0001-01-01 00:00", "meeting.error_when_format"),
        ("9999-12-31 23:59", "meeting.error_when_format"),
        ("٢٠٢٦-١٢-١٥ 10:00", "meeting.error_when_format"),
        ("2026-12-15 １０:00", "meeting.error_when_format"),
    ],
)
def test_bad_times_are_explained(text: str, reason: str) -> None:
    with pytest.raises(UserError) as problem:
        parse_when(text, MADRID, NOW)
    assert problem.value.reason == reason


def test_offsets_parse_longest_first() -> None:
    assert parse_offsets("1h, 7d, 1d, 1h") == (
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=1),
    )
    assert parse_offsets("60s,30s") == (timedelta(seconds=60), timedelta(seconds=30))
    assert parse_offsets("") == ()
    with pytest.raises(ValueError):
        parse_offsets("0s")
    with pytest.raises(ValueError):
        parse_offsets("soon")


def test_action_lines() -> None:
    line = parse_action_line(
        "Open a second lane; @olga; 2026-12-20; r-2026-00042, R-2026-00043", NOW.date()
    )
    assert (line.what, line.owner, line.due_on) == (
        "Open a second lane",
        "@olga",
        date(2026, 12, 20),
    )
    assert line.references == ("R-2026-00042", "R-2026-00043")
    assert parse_action_line("Publish FAQ; me; 21.11.2026", NOW.date()).references == ()
    for bad, reason in (
        ("just text", "action.error_format"),
        ("x; me; yesterday", "action.error_due_format"),
        ("x; me; 2026-11-01", "action.error_due_past"),
        ("x; me; 2026-12-01; see the report", "action.error_references"),
    ):
        with pytest.raises(UserError) as problem:
            parse_action_line(bad, NOW.date())
        assert problem.value.reason == reason


def test_other_checks() -> None:
    assert clean_link(" https://meet.example.org/x?id=1 ") == "https://meet.example.org/x?id=1"
    with pytest.raises(UserError):
        clean_link("javascript:alert(1)")
    assert parse_organisations("Acme, Andina\nacme;") == ("Acme", "Andina")
    assert check_audience("topic:it_systems", ["it_systems"], []) == "topic:it_systems"
    with pytest.raises(UserError):
        check_audience("role:smuggler", [], [])


def _meeting(start: datetime, recurrence: str | None = None) -> Meeting:
    return Meeting(
        id=1, title="T", starts_at=start, ends_at=start + timedelta(hours=1), zone="Europe/Madrid",
        recurrence=recurrence, created_by=1, created_at=NOW,
    )  # fmt: skip


def test_plan_leaves_out_moments_already_past() -> None:
    meeting = _meeting(NOW + timedelta(days=2), "FREQ=WEEKLY;BYDAY=SU")
    offsets = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    planned = plan_meeting(meeting, offsets, timedelta(days=2), NOW)
    assert [(p.kind, p.lead) for p in planned] == [
        (JobKind.REMINDER, 86400),
        (JobKind.REMINDER, 3600),
        (JobKind.NEXT, 0),
    ]  # the 7-day reminder and the agenda pack (exactly now) no longer apply
    assert planned[0].due_at == meeting.starts_at - timedelta(days=1)


def test_action_items_are_due_at_nine_in_the_zone() -> None:
    planned = plan_action(3, date(2026, 12, 10), MADRID, timedelta(days=1), NOW)
    assert [(p.kind, p.due_at) for p in planned] == [
        (JobKind.ACTION_DUE, datetime(2026, 12, 9, 8, 0, tzinfo=UTC)),
        (JobKind.ACTION_OVERDUE, datetime(2026, 12, 11, 8, 0, tzinfo=UTC)),
    ]
    assert planned[0].action_id == 3


def test_the_form_moves_forward_back_and_to_fields() -> None:
    draft = MeetingDraft(key="k", zone="Europe/Madrid")
    order = []
    while draft.step is not Step.SUMMARY:
        order.append(draft.step)
        draft = draft.advance()
    assert order == [
        Step.TITLE, Step.WHEN, Step.PLACE, Step.LINK, Step.AGENDA, Step.AUDIENCE, Step.REPEAT
    ]  # fmt: skip
    assert draft.back().step is Step.REPEAT
    editing = draft.edit(Step.PLACE)
    assert editing.advance().step is Step.LINK  # no place and no link: ask for a link
    assert editing.model_copy(update={"link": "https://x.org"}).advance().step is Step.SUMMARY
    assert draft.edit(Step.TITLE).back().step is Step.SUMMARY
    sub = draft.model_copy(update={"step": Step.AUDIENCE_TOPIC})
    assert sub.back().step is Step.AUDIENCE and sub.advance().step is Step.REPEAT
    with pytest.raises(UserError):
        MeetingDraft(key="k", mode=Mode.CLOSE, step=Step.REVIEW).edit(Step.TITLE)


def test_a_moved_date_asks_the_repeat_again_when_it_no_longer_fits() -> None:
    first = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # first Tuesday
    draft = MeetingDraft(
        key="k", zone="Europe/Madrid", title="T", starts_at=first, ends_at=first,
        place="Hall", repeat=Repeat.MONTHLY, step=Step.SUMMARY,
    )  # fmt: skip
    fifth = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)  # a fifth Tuesday
    moved = draft.edit(Step.WHEN).model_copy(update={"starts_at": fifth})
    assert moved.advance().step is Step.REPEAT
    assert draft.details().recurrence == "FREQ=MONTHLY;BYDAY=1TU"
    with pytest.raises(UserError) as problem:
        moved.details()
    assert problem.value.reason == "meeting.error_repeat"
