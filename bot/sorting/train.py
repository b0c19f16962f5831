"""Regenerate the shipped models: python -m bot.sorting.train [--data PATH] [--data-dir DIR].

A developer tool, not used at run time: it reads labelled JSON lines
({"text", "lang", "kind", "topic", "urgency"}) from the development set and from
data/sorting/labelled/<lang>-<style>.jsonl, and writes resources/model.json (the
naive Bayes counts) and resources/linear.npz (the linear heads) inside this package.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from bot.core.labels import HEADS, LabelledExample
from bot.sorting.classifier import SHIPPED_LINEAR
from bot.sorting.encoder import DIMENSIONS, shared_encoder
from bot.sorting.features import analyse
from bot.sorting.linear import LinearHead, LinearModel, Matrix, TrainingSettings, fit_head
from bot.sorting.model import SHIPPED_MODEL, SortingModel, train_model
from bot.sorting.sentiment import SENTIMENT_CLASSES
from bot.sorting.shipped import RESOURCE_DIR
from bot.sorting.vectors import LEXICON_COLUMNS, feature_row, sentiment_row

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parents[1]
DEFAULT_OUT = PACKAGE_DIR / RESOURCE_DIR / SHIPPED_MODEL
DEFAULT_LINEAR_OUT = PACKAGE_DIR / RESOURCE_DIR / SHIPPED_LINEAR


def _nearest_shared(relative: str) -> Path:
    """Return ../shared/<relative> of the checkout (or of a folder above a worktree)."""
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / relative
        if candidate.is_file():
            return candidate
    return REPO_ROOT.parent / "shared" / relative


DEFAULT_DEV = _nearest_shared("data/feedback_dev.jsonl")
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "sorting"
MIN_FEATURE_COUNT = 1.0
# Chosen on cross-validation folds of the development set and the training styles only.
LINEAR_SETTINGS = TrainingSettings(l2=1e-2, steps=250, learning_rate=0.05, balanced=True)
Row = dict[str, Any]


def read_rows(path: Path, style: str = "dev") -> list[Row]:
    """Read labelled JSON lines, skipping blank ones, and note each row's style."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows:
        row.setdefault("style", style)
    return rows


def labelled_rows(data_dir: Path) -> list[Row]:
    """Read data/sorting/labelled/<lang>-<style>.jsonl (none if the folder is missing)."""
    folder = data_dir / "labelled"
    rows: list[Row] = []
    if not folder.is_dir():
        return rows
    for path in sorted(folder.glob("*.jsonl")):
        style = path.stem.split("-", 1)[-1]
        rows.extend(read_rows(path, style))
    return rows


def read_examples(lines: Iterable[str]) -> list[LabelledExample]:
    """Parse labelled JSON lines, skipping blank ones."""
    return [example(json.loads(line)) for line in lines if line.strip()]


def example(row: Mapping[str, Any]) -> LabelledExample:
    """Turn a data row into a labelled example."""
    return LabelledExample(
        text=row["text"],
        lang=row.get("lang"),
        kind=row["kind"],
        topic=row["topic"],
        urgency=row["urgency"],
    )


def featurise(rows: Sequence[Row], embeddings: Matrix) -> Matrix:
    """Return the feature rows of labelled rows, given their sentence embeddings."""
    return np.stack(
        [
            feature_row(analyse(row["text"], row.get("lang")), embedding)
            for row, embedding in zip(rows, embeddings, strict=True)
        ]
    )


def fit_linear(
    features: Matrix, rows: Sequence[Row], settings: TrainingSettings = LINEAR_SETTINGS
) -> LinearModel:
    """Fit one linear head per label (kind, topic, urgency) on featurised rows."""
    heads: dict[str, LinearHead] = {}
    for head, classes in HEADS.items():
        labels = [str(row[head]) for row in rows]
        heads[head] = fit_head(
            features,
            labels,
            [str(c) for c in classes],
            settings=settings,
            dense=DIMENSIONS + LEXICON_COLUMNS,
        )
    return LinearModel(heads, {"examples": str(len(rows))})


def sentiment_rows(rows: Sequence[Row], data_dir: Path) -> list[Row]:
    """Return the rows labelled with sentiment: labelled styles and sentiment.jsonl."""
    extra = data_dir / "sentiment.jsonl"
    found = [row for row in rows if row.get("sentiment") in SENTIMENT_CLASSES]
    if extra.is_file():
        found += read_rows(extra, "sentiment")
    return found


def fit_sentiment(rows: Sequence[Row], embeddings: Matrix) -> LinearHead:
    """Fit the sentiment head (negative / neutral / positive) on labelled rows."""
    features = np.stack(
        [
            sentiment_row(analyse(row["text"], row.get("lang")), embedding)
            for row, embedding in zip(rows, embeddings, strict=True)
        ]
    )
    return fit_head(
        features, [row["sentiment"] for row in rows], SENTIMENT_CLASSES, settings=LINEAR_SETTINGS
    )


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


def training_rows(data: Path, data_dir: Path) -> list[Row]:
    """Return the development set plus every labelled style found (a missing file is skipped)."""
    rows = read_rows(data) if data.is_file() else []
    extra = labelled_rows(data_dir)
    if not data.is_file():
        print(f"note: {data} not found; training on {data_dir} only", file=sys.stderr)
    if not extra:
        print(f"note: no labelled styles under {data_dir}", file=sys.stderr)
    return rows + extra


def main(argv: Sequence[str] | None = None) -> int:
    """Train on the given data and write the naive Bayes JSON and the linear heads."""
    with threadpool_limits(1):  # a multi-threaded BLAS crawls on a busy machine
        return _train(argv)


def _train(argv: Sequence[str] | None) -> int:
    """Parse the arguments, train and write the models."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DEV, help="labelled JSON lines")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model JSON to write")
    parser.add_argument("--linear-out", type=Path, default=DEFAULT_LINEAR_OUT)
    parser.add_argument("--min-count", type=float, default=MIN_FEATURE_COUNT)
    args = parser.parse_args(argv)
    rows = training_rows(args.data, args.data_dir)
    if not rows:
        print("no labelled data found", file=sys.stderr)
        return 1
    started = time.perf_counter()
    model = prune(train_model(example(row) for row in rows), args.min_count)
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    embeddings = shared_encoder().embed([row["text"] for row in rows])
    linear = fit_linear(featurise(rows, embeddings), rows)
    polar = sentiment_rows(rows, args.data_dir)
    if polar:
        texts = [row["text"] for row in polar]
        linear.heads["sentiment"] = fit_sentiment(polar, shared_encoder().embed(texts))
    args.linear_out.write_bytes(linear.to_bytes())
    features = {head: len(body.counts) for head, body in model.heads.items()}
    print(
        f"trained on {len(rows)} examples in {time.perf_counter() - started:.1f} s; "
        f"naive Bayes features kept {features}; wrote {args.out} and {args.linear_out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
