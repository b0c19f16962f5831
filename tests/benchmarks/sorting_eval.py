"""Evaluate the sorter by stratified 5-fold cross-validation against the keyword baseline.

Run from the repository root:  python tests/benchmarks/sorting_eval.py [--data PATH]

When tests/benchmarks/sorting_heldout.jsonl exists (messages written independently of
the development set, never used for tuning), the sorter is also trained on the whole
development set and scored on it, as an honest estimate of how it generalises.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.core.labels import LabelledExample  # noqa: E402
from bot.sorting import TOPICS, Classification, Classifier, KeywordClassifier  # noqa: E402
from bot.sorting.model import train_model  # noqa: E402
from bot.sorting.train import prune  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "feedback_dev.jsonl"
DEFAULT_HELDOUT = Path(__file__).resolve().parent / "sorting_heldout.jsonl"
FOLDS = 5
SEED = 20240611
LANGUAGES = ("en", "es", "ru")

Row = dict[str, str]
Predict = Callable[[str, str | None], Classification]


def load_rows(path: Path) -> list[Row]:
    """Read the labelled JSON lines."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def stratified_folds(rows: Sequence[Row], folds: int, seed: int) -> list[int]:
    """Assign each row a fold so every (language, topic) group is spread evenly."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[(row["lang"], row["topic"])].append(index)
    rng = random.Random(seed)
    assignment = [0] * len(rows)
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for position, index in enumerate(members):
            assignment[index] = (offset + position) % folds
        offset += len(members)
    return assignment


def example(row: Row) -> LabelledExample:
    """Turn a data row into a labelled example."""
    return LabelledExample.model_validate(
        {key: row[key] for key in ("text", "lang", "kind", "topic", "urgency")}
    )


def cross_validate(rows: Sequence[Row], folds: int, seed: int = SEED) -> list[Classification]:
    """Predict every row with a model trained only on the other folds."""
    assignment = stratified_folds(rows, folds, seed)
    predictions: list[Classification | None] = [None] * len(rows)
    for fold in range(folds):
        training = [example(row) for row, f in zip(rows, assignment, strict=True) if f != fold]
        classifier = Classifier(base_model=prune(train_model(training)))
        for index, row in enumerate(rows):
            if assignment[index] == fold:
                predictions[index] = classifier.classify(row["text"], row["lang"])
    return [prediction for prediction in predictions if prediction is not None]


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """Return the macro-averaged F1 over the labels present in gold or predictions."""
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        if tp + fp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Return the share of exact matches."""
    return sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / max(len(gold), 1)


def summarise(rows: Sequence[Row], predictions: Sequence[Classification]) -> dict[str, float]:
    """Compute per-language and overall figures for one system."""
    figures: dict[str, float] = {}
    for language in (*LANGUAGES, "all"):
        picked = [
            (row, prediction)
            for row, prediction in zip(rows, predictions, strict=True)
            if language in ("all", row["lang"])
        ]
        gold_topic = [row["topic"] for row, _ in picked]
        topic = [prediction.topic for _, prediction in picked]
        figures[f"{language}.topic_acc"] = accuracy(gold_topic, topic)
        figures[f"{language}.topic_f1"] = macro_f1(gold_topic, topic, TOPICS)
        figures[f"{language}.kind_acc"] = accuracy(
            [row["kind"] for row, _ in picked], [prediction.kind for _, prediction in picked]
        )
        figures[f"{language}.urgency_acc"] = accuracy(
            [row["urgency"] for row, _ in picked], [prediction.urgency for _, prediction in picked]
        )
        figures[f"{language}.language_acc"] = accuracy(
            [row["lang"] for row, _ in picked], [prediction.language for _, prediction in picked]
        )
    return figures


def print_table(title: str, figures: dict[str, float], baseline: dict[str, float]) -> None:
    """Print one system's figures beside the baseline's and the ratio."""
    print(f"\n== {title} (baseline in brackets, ratio = model / baseline)")
    header = (
        f"{'lang':<5}{'topic acc':>18}{'topic macro-F1':>22}{'kind acc':>18}{'urgency acc':>18}"
    )
    print(header)
    for language in (*LANGUAGES, "all"):
        cells = []
        for metric in ("topic_acc", "topic_f1", "kind_acc", "urgency_acc"):
            key = f"{language}.{metric}"
            ratio = figures[key] / baseline[key] if baseline[key] else float("inf")
            cells.append(f"{figures[key]:.3f} ({baseline[key]:.3f}) x{ratio:.2f}")
        print(f"{language:<5}" + "".join(f"{cell:>20}" for cell in cells))


def print_errors(rows: Sequence[Row], predictions: Sequence[Classification]) -> None:
    """Print every message where any head is wrong, gold first then predicted."""
    print("\n== errors (gold -> predicted)")
    for row, prediction in zip(rows, predictions, strict=True):
        wrong = [
            f"{head}: {row[head]} -> {getattr(prediction, head)}"
            for head in ("topic", "kind", "urgency")
            if row[head] != getattr(prediction, head)
        ]
        if wrong:
            print(f"  [{row['lang']}] {'; '.join(wrong)} | {row['text'][:110]}")


def evaluate_heldout(
    path: Path, training_rows: Sequence[Row], baseline: KeywordClassifier, show_errors: bool
) -> dict[str, float]:
    """Train on the whole development set, score the held-out file and print its table."""
    rows = load_rows(path)
    classifier = Classifier(base_model=prune(train_model([example(row) for row in training_rows])))
    predictions = [classifier.classify(row["text"], row["lang"]) for row in rows]
    baseline_predictions = [baseline.classify(row["text"], row["lang"]) for row in rows]
    figures = summarise(rows, predictions)
    languages = dict(Counter(row["lang"] for row in rows))
    print_table(
        f"held-out {path.name} ({len(rows)} messages: {languages}), trained on all dev data",
        figures,
        summarise(rows, baseline_predictions),
    )
    if show_errors:
        print_errors(rows, predictions)
    return figures


def print_confusion(rows: Sequence[Row], predictions: Sequence[Classification]) -> None:
    """Print the topic confusion matrix: rows are gold topics, columns predictions."""
    counts = Counter((row["topic"], p.topic) for row, p in zip(rows, predictions, strict=True))
    short = [topic[:6] for topic in TOPICS]
    print("\n== topic confusion (rows gold, columns predicted)")
    print(f"{'':<26}" + "".join(f"{name:>7}" for name in short))
    for gold in TOPICS:
        print(f"{gold:<26}" + "".join(f"{counts[(gold, p)]:>7}" for p in TOPICS))


def measure_load_seconds() -> float:
    """Time importing the package and building the shipped classifier in a fresh process."""
    code = (
        "import time; t = time.perf_counter(); "
        "from bot.sorting import Classifier; Classifier(); "
        "print(time.perf_counter() - t)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return float(output.stdout.strip())


def measure_latency(rows: Sequence[Row], predict: Predict) -> tuple[float, float]:
    """Return the median and p99 milliseconds per message."""
    timings = []
    for row in rows:
        start = time.perf_counter()
        predict(row["text"], row["lang"])
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--seed", type=int, default=SEED, help="fold shuffling seed")
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    args = parser.parse_args(argv)
    rows = load_rows(args.data)
    print(f"data: {args.data} ({len(rows)} messages: {dict(Counter(r['lang'] for r in rows))})")

    baseline = KeywordClassifier()
    baseline_predictions = [baseline.classify(row["text"], row["lang"]) for row in rows]
    cv_predictions = cross_validate(rows, args.folds, args.seed)
    model_figures = summarise(rows, cv_predictions)
    baseline_figures = summarise(rows, baseline_predictions)
    print_table(
        f"model, stratified {args.folds}-fold cross-validation", model_figures, baseline_figures
    )
    print_confusion(rows, cv_predictions)
    if args.errors:
        print_errors(rows, cv_predictions)
    print(f"\nlanguage detection accuracy: {model_figures['all.language_acc']:.3f}")
    heldout: dict[str, float] | None = None
    if args.heldout.is_file():
        heldout = evaluate_heldout(args.heldout, rows, baseline, args.errors)

    shipped = Classifier()
    load = measure_load_seconds()
    median, p99 = measure_latency(rows, shipped.classify)
    long_text = " ".join(row["text"] for row in rows)[:10_000]
    start = time.perf_counter()
    shipped.classify(long_text)
    long_ms = (time.perf_counter() - start) * 1000
    print(f"\nload (import + shipped model, fresh process): {load:.3f} s")
    print(f"per message (shipped model): median {median:.2f} ms, p99 {p99:.2f} ms")
    print(f"one 10,000-character message: {long_ms:.1f} ms")
    targets = {
        "topic macro-F1 >= 0.80 per language": all(
            model_figures[f"{language}.topic_f1"] >= 0.80 for language in LANGUAGES
        ),
        "kind accuracy >= 0.90": model_figures["all.kind_acc"] >= 0.90,
        "urgency accuracy >= 0.80": model_figures["all.urgency_acc"] >= 0.80,
        "load < 1 s": load < 1.0,
        "median < 5 ms": median < 5.0,
    }
    print("\n== targets (cross-validation)")
    for name, met in targets.items():
        print(f"  {'met' if met else 'NOT met'}: {name}")
    if heldout is not None:
        print("== targets (held-out)")
        for language in LANGUAGES:
            met = heldout[f"{language}.topic_f1"] >= 0.80
            print(f"  {'met' if met else 'NOT met'}: topic macro-F1 >= 0.80 ({language})")
        print(f"  {'met' if heldout['all.kind_acc'] >= 0.90 else 'NOT met'}: kind accuracy >= 0.90")
        met = heldout["all.urgency_acc"] >= 0.80
        print(f"  {'met' if met else 'NOT met'}: urgency accuracy >= 0.80")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
