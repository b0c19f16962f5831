"""Digest files: one CSV row per report, and the excerpt both the CSV and the XLSX carry."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from bot.digests.model import Digest, ReportRow, mask_personal, short_quote
from bot.digests.text import Wording, plain

EXPORT_COLUMNS = (
    "reference", "created_at_local", "kind", "topic", "topic_name", "tfa_article", "office",
    "office_name", "language", "urgency", "sentiment", "status", "anonymous", "voices", "excerpt",
)  # fmt: skip
CHUNK = 1000
EXCERPT_LENGTH = 200
STATUS_COLOURS = {
    "new": "#d62728", "acknowledged": "#ff7f0e", "in_progress": "#bcbd22",
    "resolved": "#2ca02c", "rejected": "#7f7f7f", "duplicate": "#9467bd",
}  # fmt: skip
Cells = tuple[Any, ...]


def export_cells(row: ReportRow, w: Wording, zone: tzinfo) -> Cells:
    """Return one report as export cells (EXPORT_COLUMNS): no reporter, a masked excerpt."""
    local = datetime.fromisoformat(row.created_at).astimezone(zone).replace(tzinfo=None)
    return (
        row.reference, local, row.kind, row.topic, w.topic(row.topic), w.article(row.topic),
        row.office, w.office(row.office) if row.office else "", row.language, row.urgency,
        row.sentiment, row.status, "yes" if row.anonymous else "no", row.voices, excerpt(row),
    )  # fmt: skip


def excerpt(row: ReportRow) -> str:
    """Return the start of a named report's text on one line, contacts and names masked.

    An anonymous report's text stays out, as in the digest's quotes: it could name its reporter.
    """
    if row.anonymous:
        return ""
    return short_quote(mask_personal(row.excerpt, row.names), EXCERPT_LENGTH)


async def _chunks(rows: AsyncIterable[Cells]) -> AsyncIterable[list[Cells]]:
    chunk: list[Cells] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def write_csv(rows: AsyncIterable[Cells], target: Path | TextIO) -> int:
    """Write a header and the rows as CSV to a path or an open text stream; return rows.

    A file starts with a UTF-8 byte-order mark, so Excel on Windows reads accents and Cyrillic
    right; a stream (standard output, a pipe) gets plain UTF-8.
    """
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            return await write_csv(rows, stream)
    writer = csv.writer(target)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    async for chunk in _chunks(rows):
        await asyncio.to_thread(writer.writerows, chunk)
        written += len(chunk)
    return written


def render_png(digest: Digest, w: Wording) -> bytes:
    """Return a PNG: reports per topic stacked by status, and reports per day (Agg backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 9), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg backend, set here, never pyplot's global state
    bars, line = figure.subplots(2, 1, height_ratios=(3, 2))
    counts = {(topic, status): n for topic, status, n in digest.topic_status}
    totals: dict[str | None, int] = {}
    for topic, _, n in digest.topic_status:
        totals[topic] = totals.get(topic, 0) + n
    topics = sorted(totals, key=lambda topic: (-totals[topic], topic or ""))
    names = [w.topic(topic) for topic in topics]
    left = [0] * len(topics)
    for status, colour in STATUS_COLOURS.items():
        values = [counts.get((topic, status), 0) for topic in topics]
        if any(values):
            bars.barh(names, values, left=left, color=colour, label=w.name("status", status))
            left = [a + b for a, b in zip(left, values, strict=True)]
    bars.invert_yaxis()
    bars.set_title(plain(w("digest.chart.by_status")))
    if topics:
        figure.legend(loc="outside upper center", ncols=6, fontsize="small", frameon=False)
    days = [day for day, _ in digest.per_day]
    line.plot(days, [n for _, n in digest.per_day], marker="o" if len(days) <= 31 else "")
    line.set_title(plain(w("digest.chart.per_day")))
    line.set_ylim(bottom=0)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    line.xaxis.set_major_locator(locator)
    line.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
