"""Digest workbook for meetings: a KPI sheet that reads like a report, one row per report.

Written with xlsxwriter in constant-memory mode: each row goes to disk as it is written, so
memory stays flat however many reports the period has (a month of 111k reports in seconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from bot.digests.files import excerpt
from bot.digests.model import Digest, ReportRow, Share
from bot.digests.text import Wording, plain

XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows; the header takes one
CHUNK = 1000
EXCEL_EPOCH = datetime(1899, 12, 30)
REPORT_COLUMNS = (
    ("reference", 14), ("created", 17), ("kind", 12), ("topic", 30), ("article", 10),
    ("office", 26), ("language", 10), ("urgency", 10), ("sentiment", 11), ("status", 14),
    ("anonymous", 11), ("voices", 9), ("excerpt", 80),
)  # fmt: skip
FORMATS = {
    "count": "#,##0",
    "share": "0%",
    "change": "+0%;−0%;0%",
    "hours": "#,##0.0",
    "days": "#,##0.0",
    "rating": "0.0",
    "score": "+0.00;−0.00;0.00",
    "text": "@",
}


class KpiLine(NamedTuple):
    """One line of the KPI sheet: a section title (no kind) or a figure and how it reads."""

    label: str
    kind: str = ""  # a key of FORMATS; "" for a section title
    value: object = None
    previous: object = None
    change: float | None = None  # a ratio: 0.12 is +12%
    note: str = ""


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return (current - previous) / previous


def _share(w: Wording, label: str, share: Share | None, before: Share | None = None) -> KpiLine:
    if share is None:
        return KpiLine(label, "text", plain(w("digest.not_available")))
    note = w("digest.xlsx.of", part=w.number(share.part), whole=w.number(share.whole))
    return KpiLine(label, "share", share.ratio, before.ratio if before else None, None, note)


def kpi_lines(digest: Digest, w: Wording) -> list[KpiLine]:
    """Return the digest's figures as labelled lines in the officer's language."""
    total, f = digest.total, digest.follow_up
    lines = [KpiLine(w("digest.label.total"), "count", total.current, total.previous,
                     _change(total.current, total.previous))]  # fmt: skip
    for field in ("kind", "topic", "office", "language", "urgency"):
        lines.append(KpiLine(plain(w(f"digest.section.{field}"))))
        for row in getattr(digest, f"by_{field}"):
            name = w.name(field, row.key)
            if field == "topic" and w.article(row.key):
                name += f" ({w.article(row.key)})"
            change = _change(row.current, row.previous)
            lines.append(KpiLine(name, "count", row.current, row.previous, change))
    lines.append(KpiLine(plain(w("digest.section.recurring"))))
    for issue in digest.recurring:
        name = f"{w.topic(issue.topic)} — {w.office(issue.office)}"
        note = plain(w("digest.recurring_size", reports=w.number(issue.reports),
                       voices=w.number(issue.voices), size=w.number(issue.size)))  # fmt: skip
        lines.append(KpiLine(name, "count", issue.size, None, None, note))
        lines.extend(KpiLine(f"   «{quote}»", "text") for quote in issue.quotes)
    lines.append(KpiLine(plain(w("digest.section.sentiment"))))
    for row in digest.sentiment:
        lines.append(KpiLine(w.topic(row.topic), "score", row.current, row.previous, None,
                             w.sentiment_word(row.current)))  # fmt: skip
    lines.append(KpiLine(plain(w("digest.section.inclusion"))))
    for group in digest.inclusion:
        name = w.name(group.dimension, group.group)
        reports = group.reports if isinstance(group.reports, int) else str(group.reports)
        lines += [
            KpiLine(w("digest.label.group_reports", name=name),
                    "count" if isinstance(reports, int) else "text", reports),
            KpiLine(w("digest.label.group_resolved", name=name), "share", group.resolved_share),
            KpiLine(w("digest.label.group_median", name=name), "hours",
                    _round(group.median_resolve_hours, 1)),
            KpiLine(w("digest.label.group_satisfaction", name=name), "rating",
                    _round(group.satisfaction, 1)),
        ]  # fmt: skip
    lines.append(KpiLine(plain(w("digest.section.follow_up"))))
    backlog = f.backlog
    lines += [
        KpiLine(w("digest.label.ack_median"), "hours", _round(f.median_ack_hours, 1)),
        KpiLine(w("digest.label.resolve_median"), "hours", _round(f.median_resolve_hours, 1)),
        _share(w, w("digest.label.ack_sla"), f.ack_within_service_level),
        _share(w, w("digest.label.resolve_sla"), f.resolved_within_service_level),
        _share(w, w("digest.label.resolved"), f.resolved, f.previous_resolved),
        KpiLine(w("digest.label.backlog_open"), "count", backlog.open),
        KpiLine(w("digest.label.backlog_median"), "days", _round(backlog.median_age_days, 1)),
        KpiLine(w("digest.label.backlog_oldest"), "days", _round(backlog.oldest_age_days, 1)),
        KpiLine(w("digest.label.backlog_late"), "count", backlog.over_service_level),
        KpiLine(w("digest.label.satisfaction"), "rating", _round(f.satisfaction_average, 1)),
        _share(w, w("digest.label.fixed"), f.confirmed_fixed),
        _share(w, w("digest.label.suggestions"), f.suggestions_with_outcome),
        KpiLine(w("digest.label.meetings"), "count", f.meetings_held),
        KpiLine(w("digest.label.attendance"), "count", f.meeting_attendance),
        KpiLine(w("digest.label.actions_done"), "count", f.actions_done),
        KpiLine(w("digest.label.actions_overdue"), "count", f.actions_overdue),
        KpiLine(w("digest.label.notices"), "count", f.notices_sent),
        KpiLine(w("digest.label.reach"), "count", f.notices_reach),
        KpiLine(w("digest.label.reminders"), "count", f.reminders_missed),
        KpiLine(w("digest.label.levels"), "text", f.service_levels),
    ]
    return lines


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class ReportCells:
    """Turn report rows into the Reports sheet's cells, names looked up once per code."""

    def __init__(self, w: Wording, zone: tzinfo) -> None:
        self._w, self._zone = w, zone
        self._names: dict[tuple[str, str | None], str] = {}
        self.yes, self.no = w("digest.xlsx.yes"), w("digest.xlsx.no")

    def name(self, field: str, code: str | None) -> str:
        """Return the display name of a code, cached."""
        key = (field, code)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = self._w.name(field, code)
        return found

    def __call__(self, row: ReportRow) -> tuple[Any, ...]:
        """Return one report's cells: local time as an Excel serial, names, masked excerpt."""
        local = datetime.fromisoformat(row.created_at).astimezone(self._zone).replace(tzinfo=None)
        sentiment = "" if row.sentiment is None else self._w.sentiment_word(row.sentiment)
        return (
            row.reference, (local - EXCEL_EPOCH).total_seconds() / 86400,
            self.name("kind", row.kind), self.name("topic", row.topic), self._w.article(row.topic),
            self.name("office", row.office) if row.office else "",
            self.name("language", row.language),
            self.name("urgency", row.urgency) if row.urgency else "", sentiment,
            self.name("status", row.status), self.yes if row.anonymous else self.no, row.voices,
            excerpt(row),
        )  # fmt: skip


class _Book:
    """An xlsxwriter workbook in constant-memory mode with the digest's formats."""

    def __init__(self, path: Path, w: Wording) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
             "strings_to_urls": False},
        )  # fmt: skip
        self.w = w
        self.header = self.book.add_format({"bold": True, "bg_color": "#dde6f0", "bottom": 1,
                                            "text_wrap": True, "valign": "top"})  # fmt: skip
        self.section = self.book.add_format({"bold": True, "font_size": 12})
        self.formats = {
            kind: self.book.add_format({"num_format": f}) for kind, f in FORMATS.items()
        }
        self.when = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.reports: Any = None
        self.written = 0

    def kpis(self, digest: Digest) -> None:
        """Write the KPI sheet: header frozen, widths set, numbers rounded and formatted."""
        w, sheet = self.w, self.book.add_worksheet("KPIs")
        sheet.set_column(0, 0, 58)
        sheet.set_column(1, 3, 16)
        sheet.set_column(4, 4, 40)
        sheet.freeze_panes(1, 1)
        previous = w("digest.xlsx.vs", period=w.period_name(digest.previous_period))
        heads = (w("digest.xlsx.figure"), w.period_name(digest.period), previous,
                 w("digest.xlsx.change"), w("digest.xlsx.note"))  # fmt: skip
        sheet.write_row(0, 0, heads, self.header)
        for number, line in enumerate(kpi_lines(digest, w), start=1):
            if not line.kind:
                sheet.write_string(number, 0, line.label, self.section)
                continue
            sheet.write_string(number, 0, line.label)
            shape = self.formats[line.kind]
            for column, value in ((1, line.value), (2, line.previous)):
                if isinstance(value, int | float):
                    sheet.write_number(number, column, value, shape)
                elif value is not None:
                    sheet.write_string(number, column, str(value))
            if line.change is not None:
                sheet.write_number(number, 3, line.change, self.formats["change"])
            if line.note:
                sheet.write_string(number, 4, line.note)

    def _new_reports_sheet(self) -> None:
        number = self.written // XLSX_MAX_ROWS + 1
        self.reports = self.book.add_worksheet("Reports" if number == 1 else f"Reports {number}")
        for column, (_, width) in enumerate(REPORT_COLUMNS):
            self.reports.set_column(column, column, width)
        self.reports.freeze_panes(1, 1)
        names = [self.w(f"digest.col.{name}") for name, _ in REPORT_COLUMNS]
        self.reports.write_row(0, 0, names, self.header)

    def append(self, chunk: list[ReportRow], to_cells: ReportCells) -> None:
        """Write reports as cells, starting a new sheet every XLSX_MAX_ROWS."""
        text, number, when = self._text if self.reports else None, None, self.when
        number = self._number if self.reports else None
        for report in chunk:
            cells = to_cells(report)
            if self.written % XLSX_MAX_ROWS == 0:
                self._new_reports_sheet()
                text, number = self._text, self._number
            assert text is not None and number is not None
            row = self.written % XLSX_MAX_ROWS + 1
            number(row, 1, cells[1], when)
            number(row, 11, cells[11], None)
            for column in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12):
                if cells[column]:
                    text(row, column, cells[column], None)
            self.written += 1

    @property
    def _text(self) -> Callable[..., Any]:
        return self.reports.write_string  # type: ignore[no-any-return]

    @property
    def _number(self) -> Callable[..., Any]:
        return self.reports.write_number  # type: ignore[no-any-return]

    def close(self) -> None:
        """Finish the file (zips the sheets written to disk)."""
        if self.reports is None:
            self._new_reports_sheet()
        self.book.close()


async def write_xlsx(
    digest: Digest, rows: AsyncIterable[ReportRow], path: Path, w: Wording, zone: tzinfo
) -> int:
    """Write the KPI sheet and one row per report, streaming; return how many reports."""
    book = await asyncio.to_thread(_Book, path, w)
    await asyncio.to_thread(book.kpis, digest)
    cells = ReportCells(w, zone)
    chunk: list[ReportRow] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:  # written in a worker thread: the event loop stays free
            await asyncio.to_thread(book.append, chunk, cells)
            chunk = []
    if chunk:
        await asyncio.to_thread(book.append, chunk, cells)
    await asyncio.to_thread(book.close)
    return book.written
