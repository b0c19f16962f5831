"""Follow-up rules: status moves, inbox filters, overdue, officer views, invites, audit."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.accounts import roles as team
from bot.core.audit import Action, Actor, AuditEntry
from bot.core.errors import UserError
from bot.core.service_levels import parse_service_levels
from bot.core.taxonomy import Kind
from bot.followup import model as followup
from bot.followup.model import (
    Deadlines,
    InboxFilter,
    InvalidTransition,
    OfficerReportView,
    Overdue,
    ReporterCard,
)
from bot.reporting.model import Status

LEVELS = parse_service_levels("high=1d/5d, normal=1d/10d, low=2d/20d")
ZONE = ZoneInfo("UTC")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_usual_path_and_the_ways_out() -> None:
    path = [Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED]
    for current, wanted in itertools.pairwise(path):
        assert followup.can_move(current, wanted)
    for outcome in (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE):
        assert followup.can_move(Status.NEW, outcome)
        assert followup.can_move(outcome, Status.IN_PROGRESS)  # reopened


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (Status.RESOLVED, Status.RESOLVED),
        (Status.IN_PROGRESS, Status.ACKNOWLEDGED),
        (Status.IN_PROGRESS, Status.NEW),
        (Status.REJECTED, Status.RESOLVED),
        (Status.ACKNOWLEDGED, Status.ACKNOWLEDGED),
    ],
)
def test_moves_backwards_or_in_place_are_refused(current: Status, wanted: Status) -> None:
    with pytest.raises(InvalidTransition) as caught:
        followup.check_move(current, wanted)
    assert caught.value.current is current and caught.value.wanted is wanted


def test_texts_reasons_and_ratings_are_checked() -> None:
    assert followup.clean_message("  Thank you, we are on it.  ") == "Thank you, we are on it."
    for bad in ("", " x ", "y" * 3501):
        with pytest.raises(UserError):
            followup.clean_message(bad)
    with pytest.raises(UserError) as caught:
        followup.clean_reason(None)
    assert caught.value.reason == "followup.error_reason_required"
    assert [followup.check_rating(n) for n in range(1, 6)] == [1, 2, 3, 4, 5]
    for wrong in (0, 6, -1):
        with pytest.raises(UserError):
            followup.check_rating(wrong)


def test_inbox_filter_survives_callback_data() -> None:
    chosen = InboxFilter(
        topic="release_delays",
        status=Status.IN_PROGRESS,
        office="BORDER-NORTH",
        mine=True,
        overdue=True,
    )
    token = chosen.to_token()
    assert len(token) < 50 and InboxFilter.from_token(token) == chosen
    assert InboxFilter.from_token(InboxFilter().to_token()) == InboxFilter()
    for forged in ("", "a|b", "x||y|z", "|closed||", "a|b|c|d|e"):
        with pytest.raises(ValueError):
            InboxFilter.from_token(forged)


def test_unsorted_urgency_counts_as_normal() -> None:
    assert [followup.urgency_of(u) for u in ("high", "normal", None, "low", "weird")] == [
        "high",
        "normal",
        "normal",
        "low",
        "normal",
    ]


def test_overdue_to_acknowledge_then_to_resolve() -> None:
    def flag(status: Status, later: timedelta, urgency: str | None = "high") -> Overdue | None:
        return followup.overdue(
            status, MONDAY, urgency, levels=LEVELS, zone=ZONE, now=MONDAY + later
        )

    assert flag(Status.NEW, timedelta(hours=23)) is None
    assert flag(Status.NEW, timedelta(hours=25)) is Overdue.ACKNOWLEDGE
    assert flag(Status.ACKNOWLEDGED, timedelta(hours=25)) is None
    assert flag(Status.IN_PROGRESS, timedelta(days=6)) is None  # 5 working days: next Monday
    assert flag(Status.IN_PROGRESS, timedelta(days=7, hours=1)) is Overdue.RESOLVE
    assert flag(Status.NEW, timedelta(days=8)) is Overdue.RESOLVE
    assert flag(Status.RESOLVED, timedelta(days=30)) is None
    assert flag(Status.NEW, timedelta(hours=25), urgency=None) is Overdue.ACKNOWLEDGE


def test_deadlines_follow_the_urgency() -> None:
    low = followup.deadlines(MONDAY, "low", LEVELS, ZONE)
    assert low.acknowledge_by == MONDAY + timedelta(days=2)
    assert low.resolve_by == MONDAY + timedelta(days=28)  # 20 working days


def _view(anonymous: bool, reporter: ReporterCard | None) -> OfficerReportView:
    return OfficerReportView(
        id=1,
        reference="R-2026-00001",
        kind=Kind.ISSUE,
        description="Held at the border",
        topic=None,
        office=None,
        office_other=None,
        incident_date=None,
        language="en",
        anonymous=anonymous,
        status=Status.NEW,
        urgency=None,
        sentiment=None,
        attachments=(),
        created_at=MONDAY,
        updated_at=MONDAY,
        assigned_to=None,
        duplicate_of=None,
        reason=None,
        group_size=1,
        deadlines=Deadlines(MONDAY, MONDAY),
        overdue=None,
        thread=(),
        reporter=reporter,
    )


def test_an_anonymous_view_cannot_carry_its_reporter() -> None:
    card = ReporterCard(name="Ana Pérez", organisation="Andes Cargo")
    assert _view(False, card).reporter == card
    with pytest.raises(ValidationError):
        _view(True, card)
    fields = set(OfficerReportView.model_fields) | set(ReporterCard.model_fields)
    assert not fields & {"reporter_id", "username", "user_id", "telegram_id"}


def test_invite_links_fit_a_start_payload() -> None:
    tokens = {team.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        payload = team.invite_payload(token)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
        assert team.token_from_payload(payload) == token
    assert team.token_from_payload("report") is None
    assert team.token_from_payload("join_") is None
    assert team.token_from_payload("join_" + "x" * 80) is None
    assert team.token_from_payload(None) is None


def test_audit_never_names_the_reporter_or_ties_a_refusal_to_a_report() -> None:
    with pytest.raises(ValidationError):
        AuditEntry(actor=Actor.REPORTER, actor_id=42, action=Action.RATING, at=MONDAY)
    with pytest.raises(ValidationError):
        AuditEntry(report_id=1, actor=Actor.USER, actor_id=42, action=Action.REFUSED, at=MONDAY)
    entry = AuditEntry(report_id=1, actor=Actor.REPORTER, action=Action.RATING, at=MONDAY)
    assert entry.actor_id is None
