"""The reporter's views of hostile text: the summary and the card reach Telegram whole."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.i18n import Translator
from bot.core.taxonomy import Kind
from bot.reporting.drafts import Draft, Step
from bot.reporting.model import Author, Report, Status, ThreadMessage
from config.reference_data import load_taxonomy
from handlers.reporting.views import ReportViews
from tests.telegram_html import HOSTILE_TEXTS, refusals

T = Translator.from_directory()
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
@pytest.mark.parametrize("lang", T.languages)
def test_summary_and_card_of_hostile_text_are_accepted_by_telegram(name: str, lang: str) -> None:
    hostile = HOSTILE_TEXTS[name][:3500]
    views = ReportViews(T, load_taxonomy(), lang)
    draft = Draft(
        key="k", step=Step.SUMMARY, kind=Kind.QUESTION, description=hostile,
        topic="release_delays", office="other", office_other=hostile[:200], anonymous=False,
    )  # fmt: skip
    summary, _rows = views.question(draft)
    report = Report(
        id=1, reference="R-2026-00001", reporter_id=5, status=Status.NEW, created_at=NOW,
        updated_at=NOW, kind=Kind.QUESTION, description=hostile, topic="release_delays",
        topic_source="user", office="other", office_other=hostile[:200], incident_date=None,
        language=lang, anonymous=False,
    )  # fmt: skip
    thread = [
        ThreadMessage(id=n, report_id=1, author=Author.REPORTER, body=hostile, created_at=NOW)
        for n in range(3)
    ]
    for text in (summary, views.card(report, thread), views.line(report)):
        assert not refusals(text), refusals(text)
        assert "<i>x</i>" not in text and "<b <" not in text
