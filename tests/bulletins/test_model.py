"""Bulletins' pure rules: months, small groups kept out of figures, texts that name someone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.bulletins.model import (
    Bulletin,
    Headline,
    Item,
    ItemKind,
    Month,
    clean_outcome,
    first_line,
    identifying,
    public_count,
    public_share,
    quotes,
)
from bot.bulletins.text import Words, figures, message
from bot.core.errors import UserError
from bot.core.i18n import Translator
from config.reference_data import load_taxonomy

T = Translator.from_directory()


def test_months() -> None:
    assert Month.before(date(2026, 1, 15)).key == "2025-12"
    november = Month.parse("2026-11")
    assert (november.first, november.last, november.end) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        date(2026, 12, 1),
    )
    for bad in ("2026-13", "nov", "2026-1", "1999-05"):
        with pytest.raises(UserError):
            Month.parse(bad)


def test_no_figure_for_a_group_under_five() -> None:
    assert public_count(4) is None and public_count(5) == 5
    assert public_share(4, 4) is None and public_share(3, 6) == 0.5
    small = Headline(reports=4, resolved_in_time=2, resolved_measured=3, satisfaction=4.5, rated=2)
    bulletin = Bulletin(
        id=1, month=Month.parse("2026-11"), figures=small, created_at=datetime.now(UTC)
    )
    words = Words(T, load_taxonomy(), "en")
    lines = figures(bulletin, words)
    assert all(T("en", "bulletin.figure_hidden") in line for line in lines)
    assert not any(ch in "".join(lines) for ch in "234")  # no small figure leaks
    issue = Item(kind=ItemKind.ISSUE, topic="release_delays", office="PORT-MAIN", traders=3)
    text = message(bulletin.model_copy(update={"items": (issue,)}), words)
    assert T("en", "bulletin.traders_few") in text and "3" not in text.split("\n\n")[1]


def test_what_names_someone() -> None:
    names = ("Dmitri", "Volkov Logistics", "tombaker", "Al")
    assert identifying("Thanks Dmitri, done.", names)
    assert identifying("Asked by VOLKOV LOGISTICS.", names)
    assert identifying("Write to @someone", names)
    assert identifying("Trader 5000123 was called", names)
    assert not identifying("Customs raised the portal limit.", ("Tom",))  # not inside a word
    assert not identifying("All lanes open; R-2026-00012 closed.", names)  # 2-letter names skip


def test_what_quotes_a_trader() -> None:
    typed = ("Our reefer truck waited three days at the northern border post",)
    assert quotes("Officers saw that the reefer truck waited three days at the post.", typed)
    assert not quotes("Trucks now wait less than a day at the northern post.", typed)


def test_an_admins_text_and_a_notices_first_line() -> None:
    assert clean_outcome("  Lane   open \n now ") == "Lane open now"
    with pytest.raises(UserError):
        clean_outcome("   ")
    with pytest.raises(UserError):
        clean_outcome("x" * 601)
    assert first_line("<b>New rule</b> on transit\nDetails…") == "New rule on transit"
    edited = Item(kind=ItemKind.NOTICE, outcome="Rewritten", texts={"es": "Regla"}, edited=True)
    assert edited.text_in("es") == "Rewritten"
    assert edited.model_copy(update={"edited": False}).text_in("es") == "Regla"
