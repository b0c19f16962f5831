"""Digests for partnership meetings: build one for a period, and say it in an officer's language."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, TextIO
from zoneinfo import ZoneInfo

from bot.core.access import Gate, require
from bot.core.clock import Clock, utc_now
from bot.core.masking import mask_personal, short_quote
from bot.core.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    ServiceLevel,
    late_before,
    parse_service_levels,
)
from bot.core.taxonomy import Taxonomy
from bot.core.users import Access
from bot.digests import files as digest_files
from bot.digests import picture as digest_picture
from bot.digests import printable as digest_printable
from bot.digests import text as digest_text
from bot.digests import workbook as digest_workbook
from bot.digests.figures import (
    breakdown,
    follow_up,
    inclusion,
    per_day,
    sentiment,
    topic_status,
    whole_hour_offsets,
)
from bot.digests.files import Cells
from bot.digests.model import (
    Backlog,
    CountRow,
    Digest,
    PartnershipFigures,
    Period,
    QuoteSource,
    RecurringIssue,
    ReportRow,
    Tally,
    Timing,
)
from bot.digests.text import Translate, Wording

TOP_RECURRING = 5
QUOTES_PER_ISSUE = 2


class DigestStore(Protocol):
    """What building digests needs from storage."""

    async def tally(self, start: str, end: str) -> Tally: ...
    async def buckets(
        self, start: str, end: str, minutes: bool = False
    ) -> list[tuple[str, int]]: ...
    async def timings(self, start: str, end: str) -> list[Timing]: ...
    async def history_available(self) -> bool: ...
    async def partnership(self, start: str, end: str, last_day: str) -> PartnershipFigures: ...
    async def voices(self, start: str, end: str) -> dict[tuple[str | None, str | None], int]: ...
    async def quote_sources(
        self, start: str, end: str, topic: str | None, office: str | None, limit: int = 5
    ) -> list[QuoteSource]: ...
    async def backlog(self, now: datetime, late_before: dict[str, datetime]) -> Backlog: ...
    def report_rows(self, start: str, end: str, batch: int = 2000) -> AsyncIterator[ReportRow]: ...
    async def record_delivery(self, period_key: str, officer_id: int) -> bool: ...
    async def close(self) -> None: ...


class DigestService:
    """Build digests from storage aggregates and render them for officers."""

    def __init__(
        self,
        store: DigestStore,
        taxonomy: Taxonomy,
        translate: Translate,
        zone: ZoneInfo,
        *,
        levels: dict[str, ServiceLevel] | None = None,
        clock: Clock = utc_now,
        gate: Gate | None = None,
    ) -> None:
        self._gate = gate
        self._store = store
        self._taxonomy = taxonomy
        self._t = translate
        self._zone = zone
        self._levels = levels or parse_service_levels(DEFAULT_SERVICE_LEVELS)
        self._clock = clock

    @property
    def store(self) -> DigestStore:
        """Return the store (exports stream report rows from it)."""
        return self._store

    async def close(self) -> None:
        """Close the store's reader connections."""
        await self._store.close()

    def today(self) -> date:
        """Return today's date in the configured time zone."""
        return self._clock().astimezone(self._zone).date()

    def period(self, text: str) -> Period:
        """Read week, month or YYYY-MM-DD..YYYY-MM-DD; raise PeriodError with a catalog key."""
        return Period.parse(text, self.today())

    async def period_for(self, actor_id: int, text: str) -> Period:
        """Check that the actor is an officer (refusals audited), then read the period."""
        await require(self._gate, actor_id, Access.OFFICER, "digest")
        return self.period(text)

    async def build(self, period: Period) -> Digest:
        """Run the aggregates of the period and the one before, and fold them into a digest."""
        now, store, zone = self._clock(), self._store, self._zone
        bounds, previous = period.iso_bounds(zone), period.previous()
        history = await store.history_available()
        timings, current, before, buckets, voices, backlog = await asyncio.gather(
            store.timings(*bounds),  # the longest query first: the others share the readers
            store.tally(*bounds),
            store.tally(*previous.iso_bounds(zone)),
            store.buckets(*bounds, minutes=not whole_hour_offsets(period, zone)),
            store.voices(*bounds),
            store.backlog(now, late_before(now, self._levels, zone)),
        )
        held = await store.partnership(*bounds, min(period.end, self.today()).isoformat())
        figures = follow_up(
            current, before, timings, backlog=backlog, history=history, levels=self._levels,
            zone=zone, now=now,
        ).model_copy(update={
            "meetings_held": held.held,
            "meeting_attendance": held.attendance,
            "actions_done": held.actions_done,
            "actions_overdue": held.actions_overdue,
            "reminders_missed": held.reminders_missed,
            "notices_sent": held.notices_sent,
            "notices_reach": held.notices_reach,
        })  # fmt: skip
        return Digest(
            period=period,
            previous_period=previous,
            as_of=now,
            zone=str(zone),
            total=CountRow(
                key=None,
                current=current.total,
                previous=before.total,
            ),
            by_kind=breakdown(current, before, "kind"),
            by_topic=breakdown(current, before, "topic"),
            by_office=breakdown(current, before, "office"),
            by_language=breakdown(current, before, "language"),
            by_urgency=breakdown(current, before, "urgency"),
            topic_status=topic_status(current),
            per_day=per_day(period, buckets, zone),
            recurring=await self._recurring(current, voices, bounds),
            sentiment=sentiment(current, before),
            inclusion=inclusion(timings, history),
            follow_up=figures,
        )

    async def _recurring(
        self,
        tally: Tally,
        voices: dict[tuple[str | None, str | None], int],
        bounds: tuple[str, str],
    ) -> tuple[RecurringIssue, ...]:
        """Return the largest topics-at-an-office of more than one trader, with masked quotes.

        Quotes (up to two each) come only from non-anonymous reports.
        """
        reports = tally.pairs("topic_office")
        ranked = sorted(
            (key for key in reports if reports[key] + voices.get(key, 0) > 1),
            key=lambda k: (-reports[k] - voices.get(k, 0), -reports[k], k[0] or "", k[1] or ""),
        )[:TOP_RECURRING]
        sources = await asyncio.gather(
            *(self._store.quote_sources(*bounds, topic, office) for topic, office in ranked)
        )
        issues = []
        for (topic, office), found in zip(ranked, sources, strict=True):
            quotes: list[str] = []
            for source in found:
                quote = short_quote(mask_personal(source.description, source.names))
                if quote and quote not in quotes and len(quotes) < QUOTES_PER_ISSUE:
                    quotes.append(quote)
            issues.append(
                RecurringIssue(
                    topic=topic,
                    office=office,
                    reports=reports[(topic, office)],
                    voices=voices.get((topic, office), 0),
                    quotes=tuple(quotes),
                )
            )
        return tuple(issues)

    async def claim_delivery(self, period: Period, officer_id: int) -> bool:
        """Record a scheduled digest for an officer before sending; False if already sent."""
        return await self._store.record_delivery(period.key, officer_id)

    def wording(self, language: str) -> Wording:
        """Return the names, numbers and texts of digests in a language."""
        return Wording(self._t, self._taxonomy, language)

    def period_name(self, period: Period, language: str) -> str:
        """Return a period as people say it ("October 2026") in a language."""
        return self.wording(language).period_name(period)

    def text(self, digest: Digest, language: str) -> str:
        """Return the summary in Telegram HTML; paragraphs apart by blank lines, for splitting."""
        return "\n\n".join(digest_text.summary(digest, self.wording(language)))

    def html(self, digest: Digest, language: str, chart: bytes | None = None) -> str:
        """Return the digest as a standalone HTML page."""
        return digest_text.html_page(digest, self.wording(language), chart)

    async def pdf(self, digest: Digest, language: str, picture: bytes | None = None) -> bytes:
        """Return the printable digest as PDF, made in a worker thread."""
        wording = self.wording(language)
        return await asyncio.to_thread(digest_printable.render_pdf, digest, wording, picture)

    async def chart(self, digest: Digest, language: str) -> bytes:
        """Return the PNG chart, drawn in a worker thread."""
        return await asyncio.to_thread(digest_picture.render_png, digest, self.wording(language))

    async def export_rows(self, period: Period, language: str) -> AsyncIterator[Cells]:
        """Yield the period's reports as export cells, streamed from storage."""
        wording = self.wording(language)
        async for row in self._store.report_rows(*period.iso_bounds(self._zone)):
            yield digest_files.export_cells(row, wording, self._zone)

    async def write_xlsx(self, digest: Digest, path: Path, language: str) -> int:
        """Write the workbook (KPIs and one row per report); return how many reports."""
        rows = self._store.report_rows(*digest.period.iso_bounds(self._zone))
        return await digest_workbook.write_xlsx(
            digest, rows, path, self.wording(language), self._zone
        )

    async def write_csv(self, period: Period, target: Path | TextIO, language: str) -> int:
        """Write one CSV row per report of the period; return how many."""
        return await digest_files.write_csv(self.export_rows(period, language), target)
