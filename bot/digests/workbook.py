"""Digest workbook for meetings: a KPI sheet that reads like a report, one row per report.

xlsxwriter (constant-memory mode) writes the workbook: the KPI sheet, the styles, and each
Reports sheet's widths, frozen header and header row. The report rows themselves are written
as sheet XML to a temporary file as they stream in, and go into their sheet when the file is
zipped again: xlsxwriter's per-cell work was most of the time. Memory stays flat however many
reports the period has.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import AsyncIterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from bot.digests.files import excerpt
from bot.digests.model import Digest, ReportRow, Share
from bot.digests.text import Wording, plain

XLSX_MAX_ROWS = 1_048_575  # a sheet holds 1,048,576 rows; the header takes one
LETTERS = "ABCDEFGHIJKLM"  # the Reports sheet's columns
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML
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
        # The style index the filing time's cells name in the rows written by hand below.
        self.when_style: int = self.when._get_xf_index()
        self._temporary = tempfile.TemporaryDirectory(prefix="digest-rows-")
        self._folder = Path(self._temporary.name)
        self._part: TextIO | None = None
        self.parts: list[Path] = []  # one temporary file of rows per Reports sheet
        self.counts: list[int] = []
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

    def _reports_sheet(self, number: int) -> None:
        """Add a Reports sheet with its widths, frozen header and header row (rows come later)."""
        sheet = self.book.add_worksheet("Reports" if number == 1 else f"Reports {number}")
        for column, (_, width) in enumerate(REPORT_COLUMNS):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 1)
        names = [self.w(f"digest.col.{name}") for name, _ in REPORT_COLUMNS]
        sheet.write_row(0, 0, names, self.header)

    def append(self, chunk: list[ReportRow], to_cells: ReportCells) -> None:
        """Write reports as sheet rows to the current part, a new part every XLSX_MAX_ROWS."""
        for report in chunk:
            if self.written % XLSX_MAX_ROWS == 0:
                self.parts.append(self._folder / f"part{len(self.parts) + 1}.xml")
                self.counts.append(0)
                if self._part is not None:
                    self._part.close()
                self._part = self.parts[-1].open("w", encoding="utf-8")
            assert self._part is not None
            self._part.write(_row_xml(self.written % XLSX_MAX_ROWS + 2, to_cells(report),
                                      self.when_style))  # fmt: skip
            self.counts[-1] += 1
            self.written += 1

    def close(self, path: Path) -> None:
        """Finish the file: the Reports sheets' rows go in as the workbook is zipped again."""
        if self._part is not None:
            self._part.close()
        for number in range(1, max(len(self.parts), 1) + 1):
            self._reports_sheet(number)
        self.book.close()
        sheets = {
            f"xl/worksheets/sheet{index + 2}.xml": (part, count)  # sheet1 is the KPIs
            for index, (part, count) in enumerate(zip(self.parts, self.counts, strict=True))
        }
        _splice(path, sheets)
        self._temporary.cleanup()


def _row_xml(row: int, cells: tuple[Any, ...], when_style: int) -> str:
    """Return one report as a sheet row: inline strings, numbers, the filing time styled."""
    out = [f'<row r="{row}">']
    for letter, value in zip(LETTERS, cells, strict=True):
        if isinstance(value, str):
            if value:
                text = _ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;")
                text = text.replace(">", "&gt;")
                out.append(f'<c r="{letter}{row}" t="inlineStr"><is><t>'
                           f"{text}</t></is></c>")  # fmt: skip
        elif value is not None:
            style = f' s="{when_style}"' if letter == "B" else ""
            out.append(f'<c r="{letter}{row}"{style}><v>{value!r}</v></c>')
    out.append("</row>")
    return "".join(out)


def _splice(path: Path, sheets: dict[str, tuple[Path, int]]) -> None:
    """Copy the workbook, streaming each part's rows into its sheet before </sheetData>."""
    staged = path.with_name(path.name + ".part")
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename not in sheets:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            part, count = sheets[info.filename]
            head, tail = data.decode("utf-8").split("</sheetData>", 1)
            dimension = f'<dimension ref="A1:M{count + 1}"/>'
            head = re.sub(r'<dimension ref="[^"]*"/>', dimension, head)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with out.open(entry, "w", force_zip64=True) as sheet, part.open("rb") as rows:
                sheet.write(head.encode("utf-8"))
                shutil.copyfileobj(rows, sheet, 1 << 20)
                sheet.write(("</sheetData>" + tail).encode("utf-8"))
    os.replace(staged, path)


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
    await asyncio.to_thread(book.close, path)
    return book.written
