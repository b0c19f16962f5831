"""Digest files: one CSV row per report, and the excerpt both the CSV and the XLSX carry."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from bot.core.masking import mask_personal, short_quote
from bot.digests.model import ReportRow
from bot.digests.text import Wording

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
