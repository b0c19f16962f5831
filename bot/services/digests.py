"""Digests for partnership meetings: build one for a period, and say it in an officer's language."""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import Literal, Protocol, TextIO
from zoneinfo import ZoneInfo

from bot.domain.digests import (
    SMALL_CELL,
    Backlog,
    CountRow,
    CubeCell,
    Digest,
    FollowUp,
    InclusionRow,
    Period,
    QuoteSource,
    RecurringIssue,
    ReportRow,
    SentimentRow,
    Share,
    Timing,
    mask_personal,
    short_quote,
    suppress_table,
)
from bot.domain.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    URGENCIES,
    ServiceLevel,
    describe_levels,
    due_at,
    parse_service_levels,
    started_by,
)
from bot.domain.taxonomy import Taxonomy
from bot.services import digest_files
from bot.services.digest_files import Cells, Translate, Wording

TOP_RECURRING = 5
QUOTES_PER_ISSUE = 2
SIZES = ("micro", "small", "medium", "large", "undisclosed", "unknown")
WOMEN_LED = ("yes", "no", "undisclosed", "unknown")
OUTCOMES = ("resolved", "rejected", "duplicate")


class DigestStore(Protocol):
    """What building digests needs from storage."""

    async def cube(self, start: str, end: str) -> list[CubeCell]: ...
    async def buckets(
        self, start: str, end: str, minutes: bool = False
    ) -> list[tuple[str, int]]: ...
    async def timings(self, start: str, end: str) -> list[Timing]: ...
    async def history_available(self) -> bool: ...
    async def voices(self, start: str, end: str) -> dict[tuple[str | None, str | None], int]: ...
    async def quote_sources(
        self, start: str, end: str, topic: str | None, office: str | None, limit: int = 5
    ) -> list[QuoteSource]: ...
    async def backlog(self, now: datetime, late_before: dict[str, datetime]) -> Backlog: ...
    def report_rows(self, start: str, end: str, batch: int = 2000) -> AsyncIterator[ReportRow]: ...
    async def record_delivery(self, period_key: str, officer_id: int) -> bool: ...
    async def close(self) -> None: ...


def _now() -> datetime:
    return datetime.now(UTC)


def _fold(cells: Iterable[CubeCell], field: str) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for cell in cells:
        counts[getattr(cell, field)] += cell.reports
    return counts


def breakdown(
    current: list[CubeCell], previous: list[CubeCell], field: str
) -> tuple[CountRow, ...]:
    """Return counts by one field now and before, largest first."""
    now, before = _fold(current, field), _fold(previous, field)
    keys = sorted(set(now) | set(before), key=lambda k: (-now[k], -before[k], k or ""))
    return tuple(CountRow(key=key, current=now[key], previous=before[key]) for key in keys)


def topic_status(cells: list[CubeCell]) -> tuple[tuple[str | None, str, int], ...]:
    """Return report counts by topic and status, ordered by topic code then status."""
    pairs: Counter[tuple[str | None, str]] = Counter()
    for cell in cells:
        pairs[(cell.topic, cell.status)] += cell.reports
    ordered = sorted(pairs.items(), key=lambda item: (item[0][0] or "", item[0][1]))
    return tuple((topic, status, count) for (topic, status), count in ordered)


def sentiment(current: list[CubeCell], previous: list[CubeCell]) -> tuple[SentimentRow, ...]:
    """Return the average sentiment by topic now and before, most reported topics first."""
    sums: dict[str | None, list[float]] = {}  # topic -> [sum now, n now, sum before, n before]
    for offset, cells in ((0, current), (2, previous)):
        for cell in cells:
            entry = sums.setdefault(cell.topic, [0.0, 0, 0.0, 0])
            entry[offset] += cell.sentiment_sum
            entry[offset + 1] += cell.sentiment_count
    rows = [
        SentimentRow(
            topic=topic,
            current=now_sum / now_n if now_n else None,
            previous=old_sum / old_n if old_n else None,
            reports=int(now_n),
        )
        for topic, (now_sum, now_n, old_sum, old_n) in sums.items()
    ]
    return tuple(sorted((row for row in rows if row.reports), key=lambda r: -r.reports))


def per_day(
    period: Period, buckets: list[tuple[str, int]], zone: tzinfo
) -> tuple[tuple[date, int], ...]:
    """Return reports per local day of the period from UTC hour or minute buckets."""
    days = dict.fromkeys(period.dates(), 0)
    for bucket, count in buckets:
        moment = datetime.fromisoformat(bucket + (":00:00" if len(bucket) == 13 else ":00"))
        day = moment.replace(tzinfo=UTC).astimezone(zone).date()
        if day in days:
            days[day] += count
    return tuple(days.items())


def whole_hour_offsets(period: Period, zone: tzinfo) -> bool:
    """Tell whether the zone is a whole number of hours from UTC throughout the period."""
    moments = [datetime.combine(day, datetime.min.time(), zone) for day in period.dates()]
    moments.append(datetime.combine(period.end, datetime.min.time(), zone))
    return all((m.utcoffset() or timedelta()).total_seconds() % 3600 == 0 for m in moments)


def _median_hours(seconds: list[int]) -> float | None:
    return statistics.median(seconds) / 3600 if seconds else None


def inclusion(timings: list[Timing], history: bool) -> tuple[InclusionRow, ...]:
    """Return reports, resolved share and median time to resolve by size and women-led answer.

    Small groups are suppressed: under 5 reports "<5", and no share or median.
    """
    rows: list[InclusionRow] = []
    resolved = [t for t in timings if t.status == "resolved"]
    dimensions: tuple[tuple[Literal["business_size", "women_led"], tuple[str, ...]], ...] = (
        ("business_size", SIZES),
        ("women_led", WOMEN_LED),
    )
    for dimension, groups in dimensions:
        group_of = attrgetter(dimension)
        counts = Counter(map(group_of, timings))
        solved = Counter(map(group_of, resolved))
        times: dict[str, list[int]] = {}
        for timing in resolved:
            if timing.resolve_seconds is not None:
                times.setdefault(group_of(timing), []).append(timing.resolve_seconds)
        ordered = [*groups, *sorted(set(counts) - set(groups))]  # values added later
        shown = suppress_table([counts[group] for group in ordered])
        for group, reports in zip(ordered, shown, strict=True):
            visible = isinstance(reports, int)
            durations = times.get(group, [])
            rows.append(
                InclusionRow(
                    dimension=dimension,
                    group=group,
                    reports=reports,
                    resolved_share=solved[group] / counts[group]
                    if visible and counts[group]
                    else None,
                    median_resolve_hours=_median_hours(durations)
                    if visible and history and len(durations) >= SMALL_CELL
                    else None,
                )
            )
    return tuple(rows)


class Targets:
    """Seconds allowed to acknowledge and resolve a report, by urgency and filing time.

    Whole days are working days, so the allowance depends on when a report was filed; it is
    computed once per urgency and half hour of filing (reports of a half hour share a weekday).
    """

    def __init__(self, levels: dict[str, ServiceLevel], zone: ZoneInfo) -> None:
        self._levels, self._zone = levels, zone
        self._seconds: dict[tuple[str, bool, int], int] = {}

    def allowed(self, urgency: str | None, created: int, *, resolve: bool) -> int:
        """Return the seconds allowed for a report of this urgency filed at `created`."""
        level = self._levels[urgency if urgency in URGENCIES else "normal"]
        key = (urgency or "normal", resolve, created // 1800)
        if key not in self._seconds:
            start = datetime.fromtimestamp(key[2] * 1800, UTC)
            target = level.resolve if resolve else level.acknowledge
            self._seconds[key] = int((due_at(start, target, self._zone) - start).total_seconds())
        return self._seconds[key]


def follow_up(
    current: list[CubeCell],
    previous: list[CubeCell],
    timings: list[Timing],
    *,
    backlog: Backlog,
    history: bool,
    levels: dict[str, ServiceLevel],
    zone: ZoneInfo,
    now: datetime,
) -> FollowUp:
    """Return the follow-up KPIs the recorded data supports; the rest stay None."""
    status_now, status_before = _fold(current, "status"), _fold(previous, "status")
    suggestions = [cell for cell in current if cell.kind == "suggestion"]
    decided = sum(cell.reports for cell in suggestions if cell.status in OUTCOMES)
    figures = FollowUp(
        history_available=history,
        service_levels=describe_levels(levels),
        resolved=Share(part=status_now["resolved"], whole=sum(status_now.values())),
        previous_resolved=Share(part=status_before["resolved"], whole=sum(status_before.values())),
        suggestions_with_outcome=Share(part=decided, whole=sum(c.reports for c in suggestions)),
        backlog=backlog,
    )
    if not history:
        return figures
    moment, targets = int(now.timestamp()), Targets(levels, zone)
    acked = [t.ack_seconds for t in timings if t.ack_seconds is not None]
    solved = [t.resolve_seconds for t in timings if t.resolve_seconds is not None]
    ack_in_time = ack_due = resolved_in_time = resolve_due = 0
    for t in timings:
        ack_limit = targets.allowed(t.urgency, t.created, resolve=False)
        if t.ack_seconds is not None:
            ack_due += 1
            ack_in_time += t.ack_seconds <= ack_limit
        elif moment - t.created >= ack_limit:
            ack_due += 1
        resolve_limit = targets.allowed(t.urgency, t.created, resolve=True)
        if t.resolve_seconds is not None:
            resolve_due += 1
            resolved_in_time += t.resolve_seconds <= resolve_limit
        elif t.status not in OUTCOMES and moment - t.created >= resolve_limit:
            resolve_due += 1
    return figures.model_copy(
        update={
            "median_ack_hours": _median_hours(acked),
            "median_resolve_hours": _median_hours(solved),
            "ack_within_service_level": Share(part=ack_in_time, whole=ack_due),
            "resolved_within_service_level": Share(part=resolved_in_time, whole=resolve_due),
        }
    )


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
        clock: Callable[[], datetime] = _now,
    ) -> None:
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

    async def build(self, period: Period) -> Digest:
        """Run the aggregates of the period and the one before, and fold them into a digest."""
        now, store, zone = self._clock(), self._store, self._zone
        bounds, previous = period.iso_bounds(zone), period.previous()
        history = await store.history_available()
        timings, current, before, buckets, voices, backlog = await asyncio.gather(
            store.timings(*bounds),  # the longest query first: the others share the readers
            store.cube(*bounds),
            store.cube(*previous.iso_bounds(zone)),
            store.buckets(*bounds, minutes=not whole_hour_offsets(period, zone)),
            store.voices(*bounds),
            store.backlog(now, self._late_before(now)),
        )
        return Digest(
            period=period,
            previous_period=previous,
            as_of=now,
            zone=str(zone),
            total=CountRow(
                key=None,
                current=sum(c.reports for c in current),
                previous=sum(c.reports for c in before),
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
            follow_up=follow_up(
                current,
                before,
                timings,
                backlog=backlog,
                history=history,
                levels=self._levels,
                zone=zone,
                now=now,
            ),
        )

    async def _recurring(
        self,
        cells: list[CubeCell],
        voices: dict[tuple[str | None, str | None], int],
        bounds: tuple[str, str],
    ) -> tuple[RecurringIssue, ...]:
        """Return the largest topics-at-an-office of more than one trader, with masked quotes.

        Quotes (up to two each) come only from non-anonymous reports.
        """
        reports: Counter[tuple[str | None, str | None]] = Counter()
        for cell in cells:
            reports[(cell.topic, cell.office)] += cell.reports
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

    def _late_before(self, now: datetime) -> dict[str, datetime]:
        """Return, per urgency, the filing time before which an open report is late."""
        return {u: started_by(now, self._levels[u].resolve, self._zone) for u in URGENCIES}

    async def claim_delivery(self, period: Period, officer_id: int) -> bool:
        """Record a scheduled digest for an officer before sending; False if already sent."""
        return await self._store.record_delivery(period.key, officer_id)

    def wording(self, language: str) -> Wording:
        """Return the names, numbers and texts of digests in a language."""
        return Wording(self._t, self._taxonomy, language)

    def text(self, digest: Digest, language: str) -> str:
        """Return the summary in Telegram HTML; paragraphs apart by blank lines, for splitting."""
        return "\n\n".join(digest_files.summary(digest, self.wording(language)))

    def html(self, digest: Digest, language: str, chart: bytes | None = None) -> str:
        """Return the digest as a standalone HTML page."""
        return digest_files.html_page(digest, self.wording(language), chart)

    async def chart(self, digest: Digest, language: str) -> bytes:
        """Return the PNG chart, drawn in a worker thread."""
        return await asyncio.to_thread(digest_files.render_png, digest, self.wording(language))

    async def export_rows(self, period: Period, language: str) -> AsyncIterator[Cells]:
        """Yield the period's reports as export cells, streamed from storage."""
        wording = self.wording(language)
        async for row in self._store.report_rows(*period.iso_bounds(self._zone)):
            yield digest_files.export_cells(row, wording, self._zone)

    async def write_xlsx(self, digest: Digest, path: Path, language: str) -> int:
        """Write the workbook (KPIs and one row per report); return how many reports."""
        rows = self.export_rows(digest.period, language)
        return await digest_files.write_xlsx(digest, rows, path, self.wording(language))

    async def write_csv(self, period: Period, target: Path | TextIO, language: str) -> int:
        """Write one CSV row per report of the period; return how many."""
        return await digest_files.write_csv(self.export_rows(period, language), target)
