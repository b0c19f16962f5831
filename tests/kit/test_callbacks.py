"""The callback-data registry: declared prefixes, the 64-byte guard, parsing forged data, and
the wire values buttons already sitting in users' chats carry."""

from __future__ import annotations

import re

import pytest
from telegram.ext import CallbackQueryHandler

from bot.accounts.onboarding import Step
from bot.accounts.roles import Role
from bot.app import build_application
from bot.followup.model import InboxFilter
from bot.meetings.model import EVERYONE, ROLES, Rsvp
from bot.reporting.model import Status
from handlers.accounts.account import ERASE, LANGUAGE
from handlers.accounts.onboarding import ONBOARDING
from handlers.accounts.team import TEAM
from handlers.followup.views import INBOX, REPORT_ACTIONS, SURVEY
from handlers.kit import callbacks
from handlers.kit.callbacks import MY_REPORTS, BadCallback, Registry, encode, parse
from handlers.meetings.form_views import MEETING_FORM
from handlers.meetings.views import ACTION_ITEM, MEETING_CARD, RSVP
from handlers.notices.buttons import NOTICE, NOTICE_DRAFT, SUBSCRIPTION
from handlers.reporting.views import REPORT_FORM
from tests.conftest import SettingsFactory

WIRE_PREFIXES = {
    "onb", "lang", "erase", "tm", "rep", "myr", "ib", "fu", "sv",
    "rsvp", "mtg", "mtgf", "act", "bc", "ntc", "sub", "cor",
}  # fmt: skip


def test_buttons_already_in_chats_keep_their_data() -> None:
    assert {p.code for p in callbacks.REGISTRY.declared()} == WIRE_PREFIXES
    assert encode(ONBOARDING, Step.LANGUAGE, "es") == "onb:language:es"
    assert encode(LANGUAGE, "ru") == "lang:ru"
    assert encode(ERASE, "yes") == "erase:yes"
    assert encode(TEAM, "in", Role.OFFICER) == "tm:in:officer"
    assert encode(REPORT_FORM, "submit", "k3y") == "rep:submit:k3y"
    assert encode(MY_REPORTS, "open", 42, 3) == "myr:open:42:3"
    assert encode(INBOX, "p", InboxFilter(overdue=True).to_token(), 1) == "ib:p:|||o:1"
    assert encode(REPORT_ACTIONS, "st", 42, Status.RESOLVED) == "fu:st:42:resolved"
    assert encode(SURVEY, "r", 42, "1", "5") == "sv:r:42:1:5"
    assert encode(RSVP, 7, Rsvp.ATTEND) == "rsvp:7:attend"
    assert encode(MEETING_CARD, "cancelyes", 7) == "mtg:cancelyes:7"
    assert encode(MEETING_FORM, "audience", rest=ROLES[0]) == f"mtgf:audience:{ROLES[0]}"
    assert encode(MEETING_FORM, "audience", EVERYONE) == "mtgf:audience:everyone"
    assert encode(ACTION_ITEM, "done", 9) == "act:done:9"
    assert encode(NOTICE_DRAFT, "tog", "roles", 0) == "bc:tog:roles:0"
    assert encode(NOTICE, "ack", 1) == "ntc:ack:1"
    assert encode(SUBSCRIPTION, "show", "topic") == "sub:show:topic"


def test_data_round_trips() -> None:
    family = Registry().prefix("fu", "test")
    pressed = parse(family, encode(family, "at", 42, 0))
    assert (pressed.action, pressed.number(1), pressed.number(2), len(pressed)) == ("at", 42, 0, 3)
    assert pressed.text(3, "") == "" and pressed.number(3, 7) == 7
    form = Registry().prefix("mtgf", "test")
    answer = parse(form, encode(form, "audience", rest="role:officer"), parts=2)
    assert answer.parts == ("audience", "role:officer")


def test_a_code_can_be_declared_only_once() -> None:
    registry = Registry()
    registry.prefix("rep", "the report form")
    with pytest.raises(ValueError, match="already taken by 'the report form'"):
        registry.prefix("rep", "another feature")


def test_prefixes_that_would_break_the_patterns_are_refused() -> None:
    registry = Registry()
    card, form = registry.prefix("mtg", "cards"), registry.prefix("mtgf", "forms")
    assert re.match(card.pattern, "mtgf:submit") is None  # one code may start another
    assert re.match(form.pattern, "mtgf:submit") and re.match(card.pattern, "mtg:open:1")
    for bad in ("mtg:x", "", "Rep", "re.p", "a b", "ñ"):
        with pytest.raises(ValueError, match="lowercase letters and digits"):
            registry.prefix(bad, "test")


def test_data_over_64_bytes_or_with_the_separator_is_refused() -> None:
    family = Registry().prefix("ab", "test")
    assert len(encode(family, "x" * 61)) == 64
    with pytest.raises(ValueError, match="over 64 bytes"):
        encode(family, "x" * 62)
    with pytest.raises(ValueError, match="over 64 bytes"):
        encode(family, "é" * 31)  # 62 bytes, not 31 characters
    with pytest.raises(ValueError, match="contains ':'"):
        encode(family, "role:officer")


def test_forged_or_malformed_data_is_refused() -> None:
    registry = Registry()
    survey, other = registry.prefix("sv", "survey"), registry.prefix("fu", "followup")
    forged = (
        lambda: parse(survey, encode(other, "r", 1)),  # another family's data
        lambda: parse(survey, "sv" + "x" * 70),  # not even the separator
        lambda: parse(survey, None),
        lambda: parse(survey, "sv:r:" + "1" * 70),  # longer than Telegram allows
        lambda: parse(survey, "sv:r:abc").number(1),
        lambda: parse(survey, "sv:r:-1").number(1),
        lambda: parse(survey, "sv:r:١٢").number(1),  # digits, but not ASCII ones
        lambda: parse(survey, "sv:r:１２").number(1),  # full-width digits
        lambda: parse(survey, "sv:r:²").number(1),  # a digit to Python, not a number
        lambda: parse(survey, "sv:r:" + "9" * 19).number(1),  # past SQLite's 63-bit integers
        lambda: parse(survey, "sv:r").text(1),
    )
    for attempt in forged:
        with pytest.raises(BadCallback):
            attempt()
    assert parse(survey, "sv:r:" + "9" * 18).number(1) == 10**18 - 1  # the longest id taken


def test_every_declared_prefix_has_exactly_one_button_handler(
    make_settings: SettingsFactory,
) -> None:
    app = build_application(make_settings())  # registering checks it too, at start
    patterns = [
        handler.pattern.pattern
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    ]
    declared = callbacks.REGISTRY.declared()
    assert sorted(patterns) == sorted(p.pattern for p in declared)
    lonely = Registry()
    lonely.prefix("zz", "nobody listens")
    assert [p.code for p in lonely.unhandled(patterns)] == ["zz"]
