"""A closed consultation's summary: counts by topic and sentiment, representative comments
quoted (anonymised), and every comment in XLSX."""

from __future__ import annotations

import asyncio
import html
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.core.i18n import Translator
from bot.core.masking import mask_personal, short_quote
from bot.core.taxonomy import Taxonomy
from bot.notices.model import Comment, Notice, Reach, sentiment_band

BANDS = ("negative", "neutral", "positive")
QUOTES_PER_TOPIC = 3
QUOTE_LENGTH = 160
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


class Quote(NamedTuple):
    """A comment quoted in a summary: masked, cut short, with its sentiment band."""

    text: str
    band: str


def representative(comments: list[Comment], limit: int = QUOTES_PER_TOPIC) -> tuple[Quote, ...]:
    """Return up to `limit` comments that stand for the others, anonymised.

    The bands take turns, the commonest first, so the quotes show the spread of opinion;
    within a band the comment of most typical length comes first (not a one-word reply, not
    an essay). Contacts, numbers and the commenter's names and organisation are masked.
    """
    if not comments:
        return ()
    middle = statistics.median(len(comment.body) for comment in comments)
    bands: dict[str, list[Comment]] = {}
    for comment in sorted(comments, key=lambda c: (abs(len(c.body) - middle), c.id)):
        bands.setdefault(sentiment_band(comment.sentiment), []).append(comment)
    order = sorted(bands, key=lambda band: (-len(bands[band]), BANDS.index(band)))
    quotes: list[Quote] = []
    while len(quotes) < limit and any(bands.values()):
        for band in order:
            if bands[band] and len(quotes) < limit:
                comment = bands[band].pop(0)
                names = (*comment.author_names, comment.organisation or "")
                text = short_quote(mask_personal(comment.body, names), QUOTE_LENGTH)
                if text and text not in (quote.text for quote in quotes):
                    quotes.append(Quote(text, band))
    return tuple(quotes)


@dataclass(frozen=True)
class CommentPeriodSummary:
    """The figures of a closed consultation."""

    notice: Notice
    recipients: int
    comments: int
    commenters: int
    by_topic: tuple[tuple[str, int], ...]  # topic code, comments; most first
    by_sentiment: tuple[tuple[str, int], ...]  # band, comments; in BANDS order
    quotes: tuple[tuple[str, tuple[Quote, ...]], ...] = ()  # topic code, its representatives


def summarise(notice: Notice, comments: list[Comment], reach: Reach) -> CommentPeriodSummary:
    """Count a consultation's comments by topic and by sentiment band."""
    topics = Counter(comment.topic or "not_sure" for comment in comments)
    bands = Counter(sentiment_band(comment.sentiment) for comment in comments)
    by_topic = tuple(sorted(topics.items(), key=lambda item: (-item[1], item[0])))
    return CommentPeriodSummary(
        notice=notice,
        recipients=reach.sent + reach.unconfirmed,
        comments=len(comments),
        commenters=len({comment.user_id for comment in comments}),
        by_topic=by_topic,
        by_sentiment=tuple((band, bands.get(band, 0)) for band in BANDS),
        quotes=tuple(
            (code, representative([c for c in comments if (c.topic or "not_sure") == code]))
            for code, _ in by_topic
        ),
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
        quotes = dict(summary.quotes)
        if summary.by_topic:
            lines += ["", t(language, "consultation.summary_topics")]
            for code, n in summary.by_topic:
                lines.append(f"• {html.escape(self.topic_name(code, language), quote=False)}: {n}")
                lines += [
                    f"   <i>«{html.escape(quote.text)}»</i> — "
                    + t(language, f"consultation.tone_{quote.band}")
                    for quote in quotes.get(code, ())
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
                self._t(language, f"consultation.band_{sentiment_band(comment.sentiment)}"),
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
            t = self._t
            topic, tone = (
                t(language, "consultation.xlsx_topic"),
                t(language, "consultation.xlsx_tone"),
            )
            figures.append((t(language, "consultation.xlsx_section"),
                            t(language, "consultation.xlsx_item"),
                            t(language, "consultation.xlsx_comments")))  # fmt: skip
            for code, count in summary.by_topic:
                figures.append((topic, self.topic_name(code, language), count))
            for band, count in summary.by_sentiment:
                figures.append((tone, t(language, f"consultation.band_{band}"), count))
            buffer = io.BytesIO()
            book.save(buffer)
            return buffer.getvalue()

        return await asyncio.to_thread(write), len(rows)
