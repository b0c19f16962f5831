"""A closed consultation's summary: counts by topic and sentiment, and every comment in XLSX."""

from __future__ import annotations

import asyncio
import html
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.core.i18n import Translator
from bot.core.taxonomy import Taxonomy
from bot.notices.model import Comment, Notice, Reach, sentiment_band

BANDS = ("negative", "neutral", "positive")
FORMULA_STARTS = ("=", "+", "-", "@")
CELL_MAX = 32_767  # characters an XLSX cell holds
COLUMNS = (
    "number", "submitted_local", "language", "topic", "topic_name", "sentiment",
    "sentiment_band", "urgency", "kind", "business_role", "organisation", "comment",
)  # fmt: skip


class CommentStore(Protocol):
    """Where the comments and the reach of a notice are read."""

    async def comments(self, notice_id: int) -> list[Comment]: ...
    async def reach(self, notice_id: int) -> Reach: ...


@dataclass(frozen=True)
class CommentPeriodSummary:
    """The figures of a closed consultation."""

    notice: Notice
    recipients: int
    comments: int
    commenters: int
    by_topic: tuple[tuple[str, int], ...]  # topic code, comments; most first
    by_sentiment: tuple[tuple[str, int], ...]  # band, comments; in BANDS order


def summarise(notice: Notice, comments: list[Comment], reach: Reach) -> CommentPeriodSummary:
    """Count a consultation's comments by topic and by sentiment band."""
    topics = Counter(comment.topic or "not_sure" for comment in comments)
    bands = Counter(sentiment_band(comment.sentiment) for comment in comments)
    return CommentPeriodSummary(
        notice=notice,
        recipients=reach.sent + reach.unconfirmed,
        comments=len(comments),
        commenters=len({comment.user_id for comment in comments}),
        by_topic=tuple(sorted(topics.items(), key=lambda item: (-item[1], item[0]))),
        by_sentiment=tuple((band, bands.get(band, 0)) for band in BANDS),
    )


def _text_cell(sheet: Any, value: object) -> object:
    """Keep text that starts like a formula ("=", "+", "-", "@") as text, in what a cell holds.

    Control characters (a NUL typed in a comment) would make openpyxl refuse the whole file.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub(" ", value)[:CELL_MAX]
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


class CommentPeriodReports:
    """Summaries of closed consultations for admins and officers."""

    def __init__(
        self, store: CommentStore, translate: Translator, taxonomy: Taxonomy, zone: ZoneInfo
    ) -> None:
        self._store = store
        self._t = translate
        self.taxonomy = taxonomy
        self.zone = zone

    async def summary(self, notice: Notice) -> CommentPeriodSummary:
        """Return the figures of a consultation."""
        comments = await self._store.comments(notice.id)
        return summarise(notice, comments, await self._store.reach(notice.id))

    def topic_name(self, code: str, language: str) -> str:
        """Return a topic's name in a language (the code if it is not in the taxonomy)."""
        topic = self.taxonomy.topic(code)
        return topic.name(language) if topic else self._t(language, "consultation.topic_unsure")

    def text(self, summary: CommentPeriodSummary, language: str) -> str:
        """Return the summary as a message in a language."""
        t = self._t
        lines = [
            t(language, "consultation.summary_title", number=summary.notice.id),
            t(
                language,
                "consultation.summary_counts",
                comments=summary.comments,
                commenters=summary.commenters,
                recipients=summary.recipients,
            ),
        ]
        if summary.by_topic:
            lines += ["", t(language, "consultation.summary_topics")]
            lines += [
                f"• {html.escape(self.topic_name(code, language), quote=False)}: {n}"
                for code, n in summary.by_topic
            ]
        sentiment = ", ".join(
            f"{t(language, f'consultation.band_{band}')} {n}" for band, n in summary.by_sentiment
        )
        lines += ["", t(language, "consultation.summary_sentiment", bands=sentiment)]
        return "\n".join(lines)

    async def workbook(self, notice: Notice, language: str) -> tuple[bytes, int]:
        """Return every comment of the consultation as an XLSX file, and how many there are."""
        comments = await self._store.comments(notice.id)
        rows = [
            (
                index,
                comment.created_at.astimezone(self.zone).replace(tzinfo=None),
                comment.language,
                comment.topic or "",
                self.topic_name(comment.topic or "", language),
                comment.sentiment,
                sentiment_band(comment.sentiment),
                comment.urgency or "",
                comment.kind or "",
                comment.business_role or "",
                comment.organisation or "",
                comment.body,
            )
            for index, comment in enumerate(comments, start=1)
        ]

        def write() -> bytes:
            book = Workbook(write_only=True)
            sheet = book.create_sheet("Comments")
            sheet.append(COLUMNS)
            for row in rows:
                sheet.append([_text_cell(sheet, value) for value in row])
            figures = book.create_sheet("Summary")
            summary = summarise(notice, comments, Reach())
            figures.append(("section", "item", "comments"))
            for code, count in summary.by_topic:
                figures.append(("topic", code, count))
            for band, count in summary.by_sentiment:
                figures.append(("sentiment", band, count))
            buffer = io.BytesIO()
            book.save(buffer)
            return buffer.getvalue()

        return await asyncio.to_thread(write), len(rows)
