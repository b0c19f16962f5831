"""The figures of a digest, folded from storage aggregates in plain Python (no I/O)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from operator import attrgetter
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.service_levels import ServiceLevel, describe_levels, due_at
from bot.core.taxonomy import URGENCIES
from bot.digests.model import (
    SMALL_CELL,
    Backlog,
    CountRow,
    CubeCell,
    FollowUp,
    InclusionRow,
    Period,
    SentimentRow,
    Share,
    Timing,
    suppress_table,
)

SIZES = ("micro", "small", "medium", "large", "undisclosed", "unknown")
WOMEN_LED = ("yes", "no", "undisclosed", "unknown")
OUTCOMES = ("resolved", "rejected", "duplicate")


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

    Small groups are suppressed: under 5 reports "<5", and no share or median. Reports filed
    by Customs' staff are left out: staff are not traders.
    """
    timings = [timing for timing in timings if not timing.staff]
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
        ratings: dict[str, list[int]] = {}
        for timing in timings:
            if timing.rating is not None:
                ratings.setdefault(group_of(timing), []).append(timing.rating)
        ordered = [*groups, *sorted(set(counts) - set(groups))]  # values added later
        shown = suppress_table([counts[group] for group in ordered])
        for group, reports in zip(ordered, shown, strict=True):
            visible = isinstance(reports, int)
            durations, rated = times.get(group, []), ratings.get(group, [])
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
                    satisfaction=statistics.fmean(rated)
                    if visible and len(rated) >= SMALL_CELL
                    else None,
                )
            )
    return tuple(rows)


def satisfaction(timings: list[Timing]) -> dict[str, float | Share | None]:
    """Return the average rating and the share confirmed fixed, over the answered surveys."""
    answered = [t for t in timings if t.rating is not None]
    if not answered:
        return {"satisfaction_average": None, "confirmed_fixed": None}
    return {
        "satisfaction_average": statistics.fmean(t.rating for t in answered if t.rating),
        "confirmed_fixed": Share(part=sum(1 for t in answered if t.fixed), whole=len(answered)),
    }


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
            self._seconds[key] = int(
                (due_at(start, target, self._zone, level.holidays) - start).total_seconds()
            )
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
        **satisfaction(timings),
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
