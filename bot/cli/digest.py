"""The use cases behind `feedback-bot digest` and `feedback-bot demo-data`.

Like bot/__main__.py, this composes storage for the command line.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from bot.core.i18n import Translator
from bot.core.service_levels import with_holidays
from bot.digests.model import MAX_DAYS, Period, PeriodError
from bot.digests.service import DigestService
from bot.digests.text import plain
from config.settings import Settings

EXIT_OK = 0
EXIT_USAGE = 2
FORMATS = ("text", "html", "csv", "xlsx", "png")
MAX_DEMO_REPORTS = 10_000_000


def _fail(message: str, err: TextIO) -> int:
    err.write(f"{message}\n")
    return EXIT_USAGE


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def digest_command(  # noqa: PLR0917 - the CLI's arguments, in the order it lists them
    db_path: Path,
    date_from: str,
    date_to: str,
    fmt: str,
    out: Path | None,
    settings: Settings,
    *,
    language: str | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Write the digest of [date_from, date_to] (both days included) as fmt to out or stdout."""
    err, sink = stderr or sys.stderr, stdout or sys.stdout
    translate = Translator.from_directory(default=settings.default_language)
    language = language or settings.default_language
    first, last = _day(date_from), _day(date_to)
    if first is None or last is None:
        bad = date_from if first is None else date_to
        return _fail(f"Invalid date {bad!r}: write it as YYYY-MM-DD, e.g. 2026-11-01.", err)
    if fmt not in FORMATS:
        return _fail(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.", err)
    if fmt in ("xlsx", "png") and out is None:
        return _fail(f"--format {fmt} writes a file: give it with --out PATH.", err)
    try:
        period = Period.between(first, last)
    except PeriodError as problem:
        return _fail(translate("en", problem.key, days=MAX_DAYS), err)
    if not await asyncio.to_thread(db_path.exists):
        return _fail(f"No database at {db_path}.", err)
    from config.reference_data import load_taxonomy
    from storage.db import Database
    from storage.digests.queries import DigestRepository

    db = await Database.open(db_path)
    store = await DigestRepository.open(db, admin_ids=settings.admin_ids)
    try:
        service = DigestService(
            store,
            load_taxonomy(settings.config_dir),
            translate,
            settings.timezone,
            levels=with_holidays(settings.service_levels, settings.holidays),
        )
        digest = await service.build(period)
        if fmt == "xlsx" and out is not None:
            rows = await service.write_xlsx(digest, out, language)
            err.write(f"Wrote {out}: {rows} reports and the KPI sheet.\n")
        elif fmt == "png" and out is not None:
            await asyncio.to_thread(out.write_bytes, await service.chart(digest, language))
        elif fmt == "csv":
            if out is None:
                await service.write_csv(period, sink, language)
            else:
                await service.write_csv(period, out, language)
        else:
            chart = await service.chart(digest, language) if fmt == "html" else None
            text = (
                service.html(digest, language, chart)
                if fmt == "html"
                else plain(service.text(digest, language)) + "\n"
            )
            if out is None:
                sink.write(text)
            else:
                await asyncio.to_thread(out.write_text, text, encoding="utf-8")
    except OSError as problem:
        return _fail(f"Cannot write {out}: {problem.strerror}.", err)
    finally:
        await store.close()
        await db.close()
    return EXIT_OK


async def demo_data_command(
    db_path: Path, reports: int, seed: int, *, stdout: TextIO | None = None
) -> int:
    """Fill the database at db_path with synthetic users and reports for demos and benchmarks."""
    sink = stdout or sys.stdout
    if not 0 < reports <= MAX_DEMO_REPORTS:
        return _fail(f"--reports must be between 1 and {MAX_DEMO_REPORTS:,}.", sys.stderr)
    from bot.digests.demo_data import generate
    from config.reference_data import load_taxonomy
    from storage.db import Database
    from storage.digests.demo_data import DemoDataWriter

    db = await Database.open(db_path)
    try:
        writer = DemoDataWriter(db)
        real = await writer.real_reports()
        if real:
            return _fail(
                f"{db_path} holds {real} real reports: demo data goes in a database of its own.",
                sys.stderr,
            )
        started = time.perf_counter()
        summary = await generate(writer, load_taxonomy(), reports, seed, datetime.now(UTC))
    finally:
        await db.close()
    span = f"{summary.first:%Y-%m-%d} – {summary.last:%Y-%m-%d}" if summary.first else ""
    sink.write(
        f"{db_path}: {summary.reports} reports {span}, {summary.users} traders,"
        f" {summary.voices} voices, {summary.events} status changes"
        f" in {time.perf_counter() - started:.1f} s (seed {seed}).\n"
        "Meetings and notices are not generated: the bot has no such features yet.\n"
    )
    return EXIT_OK
