"""Benchmark: a month digest and XLSX exports on 1,000,000 demo reports, against bare SQL.

Each measurement runs in a fresh child process, so its peak memory (VmHWM, and the
tracemalloc peak of Python allocations) is its own. In the same run the aggregate queries the
digest needs are timed bare, straight through sqlite3, one after the other (and, for reference,
on two connections as the digest does): the ratio is what matters on a noisy machine.
Targets: the month digest under 2 s and at most 1.5x the bare queries; the export's memory
flat as the number of reports grows (rows are streamed).

    python tests/benchmarks/digest.py [--db PATH] [--reports 1000000] [--small 100000]

The demo databases are generated once (feedback-bot demo-data) and reused from --db (default:
the temporary directory), since a million reports take the best part of a minute to make.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.i18n import Translator
from bot.digests.demo_data import generate
from bot.digests.model import Period
from bot.digests.service import DigestService
from config.reference_data import load_taxonomy
from storage.db import Database
from storage.digests import queries as sql
from storage.digests.demo_data import DemoDataWriter
from storage.digests.queries import DigestRepository

SEED = 1
ROUNDS = 5


def _maxrss_mb() -> float:
    """Return this process's peak resident memory since it started (Linux VmHWM).

    Not ru_maxrss: Linux carries that over from the parent across fork and exec, so a child
    of the process that generated a million reports would report the generator's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """Return the resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


class RssPeak:
    """Sample the resident memory every 20 ms in a thread; keep the highest."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _bounds(db_path: Path) -> tuple[Period, Period, datetime]:
    """Return the last complete month before the newest report, all the data, and 'now'."""
    conn = sqlite3.connect(db_path)
    first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM reports").fetchone()
    conn.close()
    newest = datetime.fromisoformat(last)
    everything = Period(
        start=datetime.fromisoformat(first).date(), end=newest.date() + timedelta(days=1)
    )
    return Period.month(newest.date()), everything, newest + timedelta(minutes=1)


def _reusable(db_path: Path, reports: int) -> bool:
    """Tell whether the database holds the demo reports already (else remove it)."""
    if not db_path.exists():
        return False
    conn = sqlite3.connect(db_path)
    have = conn.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    conn.close()
    if have != reports:
        db_path.unlink()
    return bool(have == reports)


async def _ensure(db_path: Path, reports: int) -> str:
    """Generate the demo database unless it is there already; describe what was done."""
    if _reusable(db_path, reports):
        return f"reused {db_path} ({reports:,} reports)"
    db = await Database.open(db_path)
    started = time.perf_counter()
    try:
        summary = await generate(
            DemoDataWriter(db), load_taxonomy(), reports, SEED, datetime.now(UTC)
        )
    finally:
        await db.close()
    took = time.perf_counter() - started
    return (
        f"generated {db_path}: {summary.reports:,} reports, {summary.events:,} status changes,"
        f" {summary.voices:,} voices in {took:.1f} s"
    )


def _service(store: DigestRepository, now: datetime) -> DigestService:
    return DigestService(
        store,
        load_taxonomy(),
        Translator.from_directory(),
        ZoneInfo("UTC"),
        clock=lambda: now,
    )


async def _child_build(db_path: Path, trace: bool) -> dict[str, Any]:
    month, _, now = _bounds(db_path)
    db = await Database.open(db_path, migrate=False)
    store = await DigestRepository.open(db)
    service = _service(store, now)
    await service.build(month)  # warm the page cache, as a running bot would have it
    if trace:
        tracemalloc.start()
    times = []
    for _ in range(1 if trace else ROUNDS):
        started = time.perf_counter()
        digest = await service.build(month)
        times.append(time.perf_counter() - started)
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    await store.close()
    await db.close()
    return {"times": times, "peak_mb": peak, "reports": digest.total.current}


def _bare_queries(db_path: Path) -> list[tuple[str, tuple[Any, ...]]]:
    month, _, now = _bounds(db_path)
    start, end = month.iso_bounds(UTC)
    before = month.previous().iso_bounds(UTC)
    conn = sqlite3.connect(db_path)
    low, high = conn.execute(sql.ID_RANGE_SQL, (start, end)).fetchone()
    biggest = conn.execute(
        "SELECT topic, office FROM reports WHERE created_at >= ? AND created_at < ?"
        " GROUP BY 1, 2 ORDER BY COUNT(*) DESC LIMIT 5",
        (start, end),
    ).fetchall()
    conn.close()
    late = (now - timedelta(days=30)).isoformat(timespec="seconds")
    queries: list[tuple[str, tuple[Any, ...]]] = [
        (sql.HISTORY_SQL, ()),
        (sql.ID_RANGE_SQL, (start, end)),
        (sql.TIMINGS_SQL, (low, high, low, high, start, end)),
        (sql.CUBE_SQL, (start, end)),
        (sql.CUBE_SQL, before),
        (sql.BUCKETS_SQL, (13, start, end)),
        (sql.ID_RANGE_SQL, (start, end)),
        (sql.VOICES_SQL, (low, high, start, end)),
        (sql.BACKLOG_SQL, (late, late, late)),
        (sql.BACKLOG_MIDDLE_SQL, (2, 1000)),
        (sql.PARTNERSHIP_SQL, (start, end) * 3 + (end[:10], end) + (start, end) * 3),
    ]
    queries += [(sql.QUOTES_SQL, (start, end, topic, office, 5)) for topic, office in biggest]
    return queries


def _child_bare(db_path: Path) -> dict[str, Any]:
    queries = _bare_queries(db_path)
    connections = [sqlite3.connect(db_path, check_same_thread=False) for _ in range(2)]
    for statement, params in queries:  # warm up
        connections[0].execute(statement, params).fetchall()
    serial, parallel = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for statement, params in queries:
            connections[0].execute(statement, params).fetchall()
        serial.append(time.perf_counter() - started)
    with ThreadPoolExecutor(2) as pool:  # two connections, each query on its own thread
        for _ in range(ROUNDS):
            started = time.perf_counter()
            jobs = [
                pool.submit(lambda s, p, i: connections[i % 2].execute(s, p).fetchall(), s, p, i)
                for i, (s, p) in enumerate(queries)
            ]
            for job in jobs:
                job.result()
            parallel.append(time.perf_counter() - started)
    return {"serial": serial, "parallel": parallel, "queries": len(queries)}


async def _child_export(db_path: Path, scope: str, trace: bool) -> dict[str, Any]:
    month, everything, now = _bounds(db_path)
    period = month if scope == "month" else everything
    db = await Database.open(db_path, migrate=False)
    store = await DigestRepository.open(db)
    service = _service(store, now)
    digest = await service.build(period)
    gc.collect()
    if trace:
        tracemalloc.start()
    target = Path(tempfile.mkdtemp()) / "digest.xlsx"
    before = _rss_mb()
    started = time.perf_counter()
    with RssPeak() as rss:
        rows = await service.write_xlsx(digest, target, "en")
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    size = target.stat().st_size / 2**20
    target.unlink()
    await store.close()
    await db.close()
    return {
        "seconds": took,
        "rows": rows,
        "file_mb": size,
        "peak_mb": peak,
        "rss_before_mb": before,
        "rss_peak_mb": rss.peak,
    }


def _child(arguments: argparse.Namespace) -> None:
    path = Path(arguments.db)
    if arguments.child == "build":
        result = asyncio.run(_child_build(path, arguments.trace))
    elif arguments.child == "bare":
        result = _child_bare(path)
    else:
        result = asyncio.run(_child_export(path, arguments.child.split("-")[1], arguments.trace))
    result["maxrss_mb"] = _maxrss_mb()
    print(json.dumps(result))


def _run(op: str, db_path: Path, trace: bool = False) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", op, "--db", str(db_path)]
    done = subprocess.run(
        [*command, *(["--trace"] if trace else [])], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Generate or reuse the demo databases, then measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "digest-bench"))
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _child(arguments)
        return
    folder = Path(arguments.db)
    folder.mkdir(parents=True, exist_ok=True)
    big, small = folder / f"demo-{arguments.reports}.db", folder / f"demo-{arguments.small}.db"
    print(asyncio.run(_ensure(big, arguments.reports)))
    print(asyncio.run(_ensure(small, arguments.small)))
    month, everything, _ = _bounds(big)
    print(f"month digest: {month.start} – {month.last}; all data: {everything.days} days")

    built = _run("build", big)
    traced = _run("build", big, trace=True)
    bare = _run("bare", big)
    digest_s, bare_s = statistics.median(built["times"]), statistics.median(bare["serial"])
    print(
        f"\nmonth digest ({built['reports']:,} reports in the month, {arguments.reports:,} in all):"
        f"\n  digest build      median {digest_s:.3f} s  (best {min(built['times']):.3f} s"
        f" of {ROUNDS}); peak Python allocations {traced['peak_mb']:.1f} MB,"
        f" process peak RSS {built['maxrss_mb']:.0f} MB"
        f"\n  bare SQL, serial  median {bare_s:.3f} s  ({bare['queries']} queries, one connection)"
        f"\n  bare SQL, 2 conns median {statistics.median(bare['parallel']):.3f} s"
        f"\n  ratio digest / bare serial SQL: {digest_s / bare_s:.2f}x (target ≤ 1.5x);"
        f" under 2 s: {'yes' if digest_s < 2 else 'NO'}"
    )
    print("\nXLSX export (one row per report + KPI sheet), streamed:")
    for label, path, scope in (
        ("month", big, "month"),
        (f"all {arguments.small:,}", small, "all"),
        (f"all {arguments.reports:,}", big, "all"),
    ):
        result = _run(f"export-{scope}", path)
        heap = (
            _run(f"export-{scope}", path, trace=True) if scope != "all" or path == small else None
        )
        python_peak = f", peak Python allocations {heap['peak_mb']:.1f} MB" if heap else ""
        print(
            f"  {label:>12}: {result['rows']:>9,} rows in {result['seconds']:6.1f} s"
            f" ({result['rows'] / result['seconds']:,.0f} rows/s), {result['file_mb']:5.1f} MB;"
            f" RSS {result['rss_before_mb']:.0f} MB before, {result['rss_peak_mb']:.0f} MB at"
            f" most while exporting (+{result['rss_peak_mb'] - result['rss_before_mb']:.0f} MB)"
            f"{python_peak}"
        )
    print("  (flat: the export adds the same few MB for 10x the reports; rows are streamed)")


if __name__ == "__main__":
    main()
