"""Classify a stream of JSON lines: the use case behind `feedback-bot classify [FILE]`."""

from __future__ import annotations

import json
from typing import Any, TextIO

from bot.sorting import Classifier

OUTPUT_FIELDS = ("id", "kind", "topic", "urgency", "sentiment", "confidence", "language")


def _parse_line(line: str) -> tuple[dict[str, Any] | None, str]:
    """Parse one input line into a record, or return why it is malformed."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON ({error.msg})"
    if not isinstance(record, dict):
        return None, "expected a JSON object"
    if "id" not in record:
        return None, "missing 'id'"
    if "text" not in record:
        return None, "missing 'text'"
    identifier = record["id"]
    if isinstance(identifier, bool) or not isinstance(identifier, str | int):
        return None, "'id' must be a string or an integer"
    if not isinstance(record["text"], str):
        return None, "'text' must be a string"
    lang = record.get("lang")
    if lang is not None and not isinstance(lang, str):
        return None, "'lang' must be a string"
    return record, ""


def classify_stream(inp: TextIO, out: TextIO, err: TextIO, classifier: Classifier) -> int:
    """Classify each JSON line of inp to out; report malformed lines on err; return 0 or 1."""
    skipped = 0
    for number, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        record, problem = _parse_line(line)
        if record is None:
            skipped += 1
            err.write(f"line {number}: skipped: {problem}\n")
            continue
        result = classifier.classify(record["text"], record.get("lang"))
        row = {"id": record["id"], **result.model_dump(include=set(OUTPUT_FIELDS[1:]))}
        out.write(json.dumps({field: row[field] for field in OUTPUT_FIELDS}, ensure_ascii=False))
        out.write("\n")
    return 1 if skipped else 0
