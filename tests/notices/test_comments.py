"""A closed consultation's summary quotes representative comments, anonymised, with their tone."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl

from bot.core.i18n import Translator
from bot.notices.comments import CommentPeriodReports, representative
from bot.notices.model import Comment, Notice, NoticeStatus, Reach
from config.reference_data import load_taxonomy

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOTICE = Notice(id=7, author_id=1, status=NoticeStatus.SENT, created_at=NOW, updated_at=NOW)


def _comment(number: int, body: str, sentiment: float, topic: str = "documentation",
             **extra: object) -> Comment:  # fmt: skip
    return Comment(id=number, notice_id=7, user_id=100 + number, body=body, language="en",
                   topic=topic, sentiment=sentiment, created_at=NOW, **extra)  # fmt: skip


COMMENTS = [
    _comment(
        1,
        "The new form asks for the same data twice; it doubles our paperwork.",
        -0.6,
        author_names=("Ivan", "Petrov"),
        organisation="Kedr LLC",
    ),
    _comment(
        2,
        "Ivan Petrov of Kedr LLC says: write to ivan@kedr.ru or +7 912 345 67 89 about <b>it</b>.",
        -0.5,
        author_names=("Ivan", "Petrov"),
        organisation="Kedr LLC",
    ),
    _comment(3, "Too many copies of the certificate are required for each shipment.", -0.4),
    _comment(4, "Good that the annex lists every document in one place at last.", 0.6),
    _comment(5, "Please say whether scanned copies are accepted at the border posts.", 0.0),
    _comment(6, "ok", -0.3),
    _comment(
        7,
        "The fee table should be published in Spanish and Russian too.",
        0.1,
        topic="fees_payments",
    ),
]


class Store:
    """The comments of one notice, and its reach."""

    async def comments(self, notice_id: int) -> list[Comment]:
        return COMMENTS if notice_id == 7 else []

    async def reach(self, notice_id: int) -> Reach:
        return Reach(total=10, sent=10)


def test_representatives_take_turns_across_tones_and_are_anonymised() -> None:
    quotes = representative([c for c in COMMENTS if c.topic == "documentation"])
    assert [quote.band for quote in quotes] == ["negative", "neutral", "positive"]
    text = " ".join(quote.text for quote in quotes)
    assert "ok" not in text.split()  # typical length first, not a one-word reply
    for name in ("Ivan", "Petrov", "Kedr", "ivan@", "912"):
        assert name not in text


async def test_summary_quotes_up_to_three_comments_per_topic_in_the_officers_language() -> None:
    reports = CommentPeriodReports(Store(), Translator.from_directory(), load_taxonomy(),
                                   ZoneInfo("Europe/Madrid"))  # fmt: skip
    summary = await reports.summary(NOTICE)
    text = reports.text(summary, "ru")
    assert "Документы и формальности: 6" in text
    assert text.count("<i>«") == 4  # three for documents, one for fees
    for tone in ("негативный", "позитивный", "нейтральный"):
        assert f"»</i> — {tone}" in text
    assert "Ivan" not in text and "Kedr" not in text and "<b>it</b>" not in text
    data, count = await reports.workbook(NOTICE, "es")
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["Summary"].iter_rows(values_only=True))
    assert rows[0] == ("Sección", "Elemento", "Comentarios")
    assert ("Tema", "Documentos y formalidades", 6) in rows
    assert ("Tono", "negativo", 4) in rows
    assert not [row for row in rows if row[1] in ("documentation", "negative")]
    assert count == 7
