"""Regenerate the shipped model: python -m bot.sorting.train --data PATH [--out PATH].

A developer tool, not used at run time: it reads labelled JSON lines
({"text", "lang", "kind", "topic", "urgency"}) and writes the learned counts
to resources/model.json inside this package.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.core.labels import LabelledExample
from bot.sorting.model import SHIPPED_MODEL, SortingModel, train_model
from bot.sorting.shipped import RESOURCE_DIR

DEFAULT_OUT = Path(__file__).resolve().parent / RESOURCE_DIR / SHIPPED_MODEL
MIN_FEATURE_COUNT = 1.0


def read_examples(lines: Iterable[str]) -> list[LabelledExample]:
    """Parse labelled JSON lines, skipping blank ones."""
    examples = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            examples.append(
                LabelledExample(
                    text=row["text"],
                    lang=row.get("lang"),
                    kind=row["kind"],
                    topic=row["topic"],
                    urgency=row["urgency"],
                )
            )
    return examples


def prune(model: SortingModel, min_count: float = MIN_FEATURE_COUNT) -> SortingModel:
    """Drop features seen fewer than min_count times in all; they rarely help a new message."""
    for head in model.heads.values():
        head.counts = {
            feature: row for feature, row in head.counts.items() if sum(row) >= min_count
        }
        head.class_totals = [
            sum(row[i] for row in head.counts.values()) for i in range(len(head.classes))
        ]
    return model


def main(argv: Sequence[str] | None = None) -> int:
    """Train on the given data set and write the model JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="labelled JSON lines")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model JSON to write")
    parser.add_argument("--min-count", type=float, default=MIN_FEATURE_COUNT)
    args = parser.parse_args(argv)
    with args.data.open(encoding="utf-8") as handle:
        examples = read_examples(handle)
    model = prune(train_model(examples), args.min_count)
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    features = {head: len(body.counts) for head, body in model.heads.items()}
    print(f"trained on {len(examples)} examples; features kept {features}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
