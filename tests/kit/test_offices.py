"""The office picker's choices: pages (recent offices first), typed searches, button rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import UserError
from bot.core.i18n import Translator
from bot.core.taxonomy import Taxonomy
from bot.reporting.drafts import Draft, Step, find_office
from config.reference_data import load_taxonomy
from handlers.kit import offices
from handlers.kit.render import keyboard
from handlers.meetings.form_views import FormViews
from handlers.reporting.views import ReportViews
from tests.kit.office_lists import write_many_offices
from tests.telegram_html import html_problems

T = Translator.from_directory()
SHIPPED = load_taxonomy()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Taxonomy:
    return load_taxonomy(write_many_offices(Path(tmp_path_factory.mktemp("offices"))))


def test_a_short_list_is_shown_whole_in_its_order() -> None:
    screen = offices.browse(SHIPPED.offices, page=3, recent=(SHIPPED.offices[-1].code,))
    assert screen.offices == SHIPPED.offices and screen.pages == 1
    assert offices.paging_row(screen, str) == []


def test_a_long_list_pages_with_recent_offices_first(many: Taxonomy) -> None:
    recent = ("P19-PASS", "gone", "P03-SEA")
    first = offices.browse(many.offices, 0, recent)
    assert [o.code for o in first.offices[:2]] == ["P19-PASS", "P03-SEA"]
    assert len(first.offices) == offices.PAGE_SIZE and first.pages == 38 and first.total == 300
    assert offices.paging_row(first, str) == [("◀️ 38", "37"), ("2 ▶️", "1")]
    assert offices.page_note(first) == " (1/38)"
    last = offices.browse(many.offices, 99, recent)  # a page past the end: the last one
    assert last.page == 37 and len(last.offices) == 300 - 37 * offices.PAGE_SIZE
    assert offices.page_holding(many.offices, "P19-PASS", recent) == 0
    assert offices.page_holding(many.offices, "P15-BP") == 1


def test_a_search_shows_a_few_matches_and_counts_the_rest(many: Taxonomy) -> None:
    found = offices.find(many, "TURRIALBA", "en")
    assert len(found.offices) == offices.MATCHES_SHOWN and found.total == 15 and found.more == 7
    assert [o.code for o in offices.find(many, "зона лимон", "ru").offices] == ["P01-FZ"]
    assert offices.find(many, "x" * 200, "en").offices == ()


def test_typed_text_names_one_office_or_several(many: Taxonomy) -> None:
    assert find_office(many, "almacen limon", "es") == "P01-BW"  # the only match
    assert find_office(many, "bp-penas", "en") == "P00-BP"  # an alias, accents ignored
    assert find_office(many, "p00-bp", "en") == "P00-BP"  # a code
    assert find_office(many, "limón", "es") is None  # fifteen offices: buttons
    with pytest.raises(UserError) as refused:
        find_office(many, "xyzzy", "en")
    assert refused.value.reason == "offices.no_match"


@pytest.mark.parametrize("lang", ["en", "es", "ru"])
def test_the_office_question_fits_telegram(many: Taxonomy, lang: str) -> None:
    views = ReportViews(T, many, lang)
    for draft in (
        Draft(key="k", step=Step.OFFICE, office_page=37),
        Draft(key="k", step=Step.OFFICE, office_search="<b>limon</b> & co"),
        Draft(key="k", step=Step.OFFICE, office_search="limon"),
    ):
        text, rows = views.question(draft)
        assert html_problems(text) == []
        assert sum(len(row) for row in rows) <= 20
        keyboard(rows)  # callback data within 64 bytes
    meeting = FormViews(T, many, lang)
    for text, rows in (meeting.audience_offices(5), meeting.audience_offices(search="Jaco")):
        assert html_problems(text) == [] and sum(len(row) for row in rows) <= 20
        keyboard(rows)


def test_the_shipped_offices_still_show_all_at_once() -> None:
    text, rows = ReportViews(T, SHIPPED, "en").question(Draft(key="k", step=Step.OFFICE))
    assert text == T("en", "report.ask_office")
    labels = [label for row in rows for label, _ in row]
    assert all(office.name("en") in labels for office in SHIPPED.offices)
