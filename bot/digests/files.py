"""Digest files: one CSV row per report, an XLSX workbook (KPIs and reports), a PNG chart."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from bot.digests.model import Digest, ReportRow
from bot.digests.text import Wording, plain

EXPORT_COLUMNS = (
    "reference", "created_at_local", "kind", "topic", "topic_name", "tfa_article", "office",
    "office_name", "language", "urgency", "sentiment", "status", "anonymous", "voices",
)  # fmt: skip
XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows; the header takes one
CHUNK = 1000
STATUS_COLOURS = {
    "new": "#d62728", "acknowledged": "#ff7f0e", "in_progress": "#bcbd22",
    "resolved": "#2ca02c", "rejected": "#7f7f7f", "duplicate": "#9467bd",
}  # fmt: skip
Cells = tuple[Any, ...]


def export_cells(row: ReportRow, w: Wording, zone: tzinfo) -> Cells:
    """Return one report as export cells (EXPORT_COLUMNS): no text, no reporter."""
    local = datetime.fromisoformat(row.created_at).astimezone(zone).replace(tzinfo=None)
    return (
        row.reference, local, row.kind, row.topic, w.topic(row.topic), w.article(row.topic),
        row.office, w.office(row.office) if row.office else "", row.language, row.urgency,
        row.sentiment, row.status, "yes" if row.anonymous else "no", row.voices,
    )  # fmt: skip


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


def kpi_rows(digest: Digest, w: Wording) -> list[Cells]:
    """Return every figure of the digest as (section, item, code, value, previous, change %)."""
    out: list[Cells] = []

    def add(section: str, item: str, code: object, value: object, *compared: object) -> None:
        previous, change = (*compared, None, None)[:2]
        out.append((section, item, code, _na(value), previous, change))

    period, before, total = digest.period, digest.previous_period, digest.total
    add("period", "first day", "", period.start.isoformat(), before.start.isoformat())
    add("period", "last day", "", period.last.isoformat(), before.last.isoformat())
    add("period", "time zone", "", digest.zone)
    add("period", "as of (UTC)", "", digest.as_of.isoformat(timespec="seconds"))
    add("reports", "total", "", total.current, total.previous, total.change)
    for field in ("kind", "topic", "office", "language", "urgency"):
        for row in getattr(digest, f"by_{field}"):
            add(
                f"by {field}",
                w.name(field, row.key),
                row.key,
                row.current,
                row.previous,
                row.change,
            )
    for topic, status, count in digest.topic_status:
        add("topic by status", f"{w.topic(topic)} / {w.name('status', status)}",
            f"{topic}/{status}", count)  # fmt: skip
    for day, count in digest.per_day:
        add("per day", day.isoformat(), "", count)
    for issue in digest.recurring:
        name, code = (
            f"{w.topic(issue.topic)} — {w.office(issue.office)}",
            f"{issue.topic}/{issue.office}",
        )
        add("recurring issues", f"{name}: traders", code, issue.size)
        add("recurring issues", f"{name}: reports", code, issue.reports)
        add("recurring issues", f"{name}: voices", code, issue.voices)
        for quote in issue.quotes:
            add("recurring issues", f"{name}: quote", code, quote)
    for row in digest.sentiment:
        add("sentiment", w.topic(row.topic), row.topic, row.current, row.previous, row.trend)
    for group in digest.inclusion:
        section, name = f"inclusion {group.dimension}", w.name(group.dimension, group.group)
        add(section, f"{name}: reports", group.group, group.reports)
        add(section, f"{name}: resolved share", group.group, group.resolved_share)
        add(section, f"{name}: median hours to resolve", group.group, group.median_resolve_hours)
        add(section, f"{name}: satisfaction", group.group, group.satisfaction)
    figures = digest.follow_up
    for key, value in figures.model_dump(exclude={"backlog"}).items():
        if isinstance(value, dict):  # a Share
            add("follow-up", f"{key}: part", key, value["part"])
            add("follow-up", f"{key}: whole", key, value["whole"])
            add("follow-up", f"{key}: ratio", key, getattr(figures, key).ratio)
        else:
            add("follow-up", key, key, value)
    for key, value in figures.backlog._asdict().items():
        add("follow-up", f"backlog {key}", key, value)
    return out


def _na(value: object) -> object:
    return "not available yet" if value is None else value


class _Sheets:
    """Report rows on as many write-only sheets as needed (XLSX_MAX_ROWS each)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook: Any = workbook
        self.sheet: Any = None
        self.written = 0

    def append(self, chunk: list[Cells]) -> None:
        for row in chunk:
            if self.written % XLSX_MAX_ROWS == 0:
                number = self.written // XLSX_MAX_ROWS + 1
                self.sheet = self.workbook.create_sheet(
                    "Reports" if number == 1 else f"Reports {number}"
                )
                self.sheet.append(list(EXPORT_COLUMNS))
            self.sheet.append(list(row))
            self.written += 1


async def write_xlsx(digest: Digest, rows: AsyncIterable[Cells], path: Path, w: Wording) -> int:
    """Write the KPI sheet and one row per report, streaming (openpyxl write-only); return rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    kpis = workbook.create_sheet("KPIs")
    kpis.append(["section", "item", "code", "value", "previous", "change %"])
    for row in kpi_rows(digest, w):
        kpis.append(list(row))
    sheets = _Sheets(workbook)
    async for chunk in _chunks(rows):
        await asyncio.to_thread(sheets.append, chunk)  # the event loop stays free meanwhile
    if sheets.written == 0:
        workbook.create_sheet("Reports").append(list(EXPORT_COLUMNS))
    await asyncio.to_thread(workbook.save, path)
    return sheets.written


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
