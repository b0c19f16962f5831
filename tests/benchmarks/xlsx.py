"""Benchmark: a month's digest workbook (111,472 reports): the digest's writer against openpyxl's
write-only mode (the writer before) and xlsxwriter writing every cell itself.

All get the same synthetic report rows (no database: the writers alone) in the same run, each
in a fresh child process so its peak memory is its own; the ratios are what matter on a noisy
machine. Target: the month in at most 5 s with memory flat (rows are streamed).

    python tests/benchmarks/xlsx.py [--rows 111472] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.i18n import Translator
from bot.digests.files import export_cells
from bot.digests.model import Backlog, CountRow, Digest, FollowUp, Period, ReportRow, Share
from bot.digests.text import Wording
from bot.digests.workbook import ReportCells, write_xlsx
from config.reference_data import load_taxonomy
from tests.benchmarks.digest import RssPeak, _maxrss_mb, _rss_mb

WRITERS = ("openpyxl", "xlsxwriter", "digest")
MONTH_ROWS = 111_472  # the month of tests/benchmarks/digest.py's 1,000,000 demo reports
ZONE = ZoneInfo("Europe/Madrid")
TEXTS = (
    "Containers held at the port for three days waiting for the scanner; call +34 612 345 678.",
    "Los camiones esperan más de seis horas en el puesto fronterizo, otra vez sin explicación.",
    "Декларацию вернули без объяснения причин, пришлось подавать заново через портал.",
    "Please publish the new tariff classification rulings before they apply.",
)


def _rows(count: int) -> list[ReportRow]:
    """Return count synthetic reports of one month (seeded: the same every run)."""
    taxonomy, pick = load_taxonomy(), random.Random(1)
    topics = [topic.code for topic in taxonomy.topics]
    offices = [office.code for office in taxonomy.offices]
    start = datetime(2026, 10, 1, tzinfo=UTC)
    step = timedelta(days=31) / count
    return [
        ReportRow(
            id=n, reference=f"R-2026-{n:06d}", created_at=(start + step * n).isoformat(),
            kind=pick.choice(("issue", "suggestion", "question")), topic=pick.choice(topics),
            office=pick.choice(offices), language=pick.choice(("en", "es", "ru")),
            urgency=pick.choice(("high", "normal", "low")), sentiment=pick.uniform(-1, 1),
            status=pick.choice(("new", "resolved", "in_progress")), anonymous=n % 7 == 0,
            voices=n % 4, excerpt=pick.choice(TEXTS), names=("Ana", "Andina Comercial SRL"),
        )
        for n in range(1, count + 1)
    ]  # fmt: skip


def _digest(rows: int) -> Digest:
    october = Period.month(date(2026, 11, 5))
    nothing = Share(part=0, whole=rows)
    return Digest(
        period=october, previous_period=october.previous(), as_of=datetime.now(UTC),
        zone=str(ZONE), total=CountRow(key=None, current=rows, previous=rows), by_kind=(),
        by_topic=(), by_office=(), by_language=(), by_urgency=(), topic_status=(), per_day=(),
        recurring=(), sentiment=(), inclusion=(),
        follow_up=FollowUp(history_available=True, service_levels="", resolved=nothing,
                           previous_resolved=nothing, suggestions_with_outcome=nothing,
                           backlog=Backlog(0, None, None, 0)),
    )  # fmt: skip


async def _stream(rows: list[ReportRow]) -> AsyncIterator[ReportRow]:
    for row in rows:
        yield row


def _openpyxl(rows: list[ReportRow], path: Path, w: Wording) -> None:
    """Write the same report rows as the digest did before: openpyxl in write-only mode."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Reports")
    for row in rows:
        sheet.append(list(export_cells(row, w, ZONE)))
    book.save(path)


def _xlsxwriter(rows: list[ReportRow], path: Path, w: Wording) -> None:
    """Write the same cells with xlsxwriter alone (constant memory), one call per cell."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet, when = book.add_worksheet("Reports"), book.add_format({"num_format": "yyyy-mm-dd"})
    cells = ReportCells(w, ZONE)
    for number, row in enumerate(rows, start=1):
        values = cells(row)
        sheet.write_number(number, 1, values[1], when)
        sheet.write_number(number, 11, values[11])
        for column in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12):
            if values[column]:
                sheet.write_string(number, column, values[column])
    book.close()


def _child(writer: str, count: int) -> dict[str, Any]:
    rows = _rows(count)
    w = Wording(Translator.from_directory(), load_taxonomy(), "es")
    target = Path(tempfile.mkdtemp()) / "digest.xlsx"
    before = _rss_mb()
    started = time.perf_counter()
    with RssPeak() as rss:
        if writer == "openpyxl":
            _openpyxl(rows, target, w)
        elif writer == "xlsxwriter":
            _xlsxwriter(rows, target, w)
        else:
            asyncio.run(write_xlsx(_digest(count), _stream(rows), target, w, ZONE))
    took = time.perf_counter() - started
    size = target.stat().st_size / 2**20
    target.unlink()
    return {"seconds": took, "file_mb": size, "rss_before_mb": before, "rss_peak_mb": rss.peak}


def _run(writer: str, count: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", writer, "--rows", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Time both writers on the month and on ten times fewer rows; print same-run ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=MONTH_ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        result = _child(arguments.child, arguments.rows)
        result["maxrss_mb"] = _maxrss_mb()
        print(json.dumps(result))
        return
    times: dict[tuple[str, int], list[float]] = {}
    growth: dict[tuple[str, int], float] = {}
    for count in (arguments.rows // 10, arguments.rows):
        for _ in range(arguments.rounds):  # interleaved, so both see the same machine load
            for writer in WRITERS:
                result = _run(writer, count)
                times.setdefault((writer, count), []).append(result["seconds"])
                growth[(writer, count)] = result["rss_peak_mb"] - result["rss_before_mb"]
    print(f"XLSX of {arguments.rows:,} report rows (and {arguments.rows // 10:,}), median of"
          f" {arguments.rounds}, each in a fresh process:")  # fmt: skip
    for writer in WRITERS:
        for count in (arguments.rows // 10, arguments.rows):
            seconds = statistics.median(times[(writer, count)])
            print(f"  {writer:>10} {count:>9,} rows: {seconds:6.2f} s ({count / seconds:,.0f}"
                  f" rows/s), RSS +{growth[(writer, count)]:.0f} MB while writing")  # fmt: skip
    old = statistics.median(times[("openpyxl", arguments.rows)])
    plain = statistics.median(times[("xlsxwriter", arguments.rows)])
    new = statistics.median(times[("digest", arguments.rows)])
    print(f"  ratio digest writer / openpyxl write-only: {new / old:.2f}x;"
          f" / xlsxwriter cell by cell: {new / plain:.2f}x; xlsxwriter / openpyxl:"
          f" {plain / old:.2f}x; month under 5 s: {'yes' if new <= 5 else 'NO'}")  # fmt: skip


if __name__ == "__main__":
    main()
