"""Evaluate the sorter: cross-validation, leave-one-style-out, duplicates, sentiment, language.

Run from the repository root:
    python tests/benchmarks/sorting_eval.py [--data DEV.jsonl] [--data-dir data/sorting]

"Before" is the naive Bayes + lexicon classifier, "after" the linear model over the sentence
embedding, lexicon scores and sparse features; both are trained on the same rows in each
split. Leave-one-style-out trains on the development set and every other style of
data/sorting/labelled and tests on the style left out. The abstention threshold and the
similar-report threshold are chosen on cross-validation folds that never contain the style
TUNING_HOLDOUT (nor the test style), see docs/sorting.md.
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
from typing import Any

from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


from bot.core.labels import LabelledExample  # noqa: E402
from bot.sorting import TOPICS, Classification, Classifier  # noqa: E402
from bot.sorting.classifier import ClassifierSettings  # noqa: E402
from bot.sorting.encoder import Vectors, shared_encoder  # noqa: E402
from bot.sorting.linear import Matrix  # noqa: E402
from bot.sorting.model import train_model  # noqa: E402
from bot.sorting.train import (  # noqa: E402
    DEFAULT_DATA_DIR,
    DEFAULT_DEV,
    featurise,
    fit_linear,
    labelled_rows,
    prune,
    read_rows,
)

DEFAULT_DATA = DEFAULT_DEV
# The style kept out of every choice of threshold and setting (it is still a test fold).
TUNING_HOLDOUT = "typos"
TARGET_PRECISION = 0.92  # chosen on folds, so that held-out precision stays >= 0.90
DEFAULT_HELDOUT = Path(__file__).resolve().parent / "sorting_heldout.jsonl"
FOLDS = 5
SEED = 20240611
LANGUAGES = ("en", "es", "ru")

Row = dict[str, Any]
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
            print(f"  [{row['lang']}/{row['style']}] {'; '.join(wrong)} | {row['text'][:100]}")


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
        "from bot.sorting import Classifier; Classifier().classify('warm up'); "
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


class TableEmbedder:
    """Serve precomputed sentence embeddings (the evaluation embeds every text once)."""

    def __init__(self, texts: Sequence[str], vectors: Matrix) -> None:
        self._rows = dict(zip(texts, vectors, strict=True))

    def embed_one(self, text: str) -> Vectors:
        """Return the stored row of a text."""
        row: Vectors = self._rows[text]
        return row


class Lab:
    """Hold every labelled row featurised once, and train either system on any subset."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        texts = [row["text"] for row in rows]
        embeddings = shared_encoder().embed(texts)
        self.embedder = TableEmbedder(texts, embeddings)
        self.features = featurise(rows, embeddings)

    def before(self, training: Sequence[int]) -> Classifier:
        """Return the naive Bayes + lexicon classifier trained on the given rows."""
        model = prune(train_model(example(self.rows[i]) for i in training))
        return Classifier(base_model=model, use_shipped_model=False)

    def after(self, training: Sequence[int], settings: ClassifierSettings) -> Classifier:
        """Return the linear classifier trained on the given rows."""
        picked = [self.rows[i] for i in training]
        model = prune(train_model(example(row) for row in picked))
        linear = fit_linear(self.features[list(training)], picked)
        return Classifier(
            base_model=model,
            settings=settings,
            use_shipped_model=False,
            linear=linear,
            encoder=self.embedder,
        )

    def predict(self, classifier: Classifier, testing: Sequence[int]) -> list[Classification]:
        """Sort the given rows."""
        return [classifier.classify(self.rows[i]["text"], self.rows[i]["lang"]) for i in testing]


def print_figures(title: str, before: dict[str, float], after: dict[str, float]) -> None:
    """Print per-language figures, before -> after."""
    print(f"\n== {title} (before -> after)")
    print(f"{'lang':<5}{'topic macro-F1':>20}{'topic acc':>18}{'kind acc':>18}{'urgency acc':>18}")
    for language in (*LANGUAGES, "all"):
        cells = []
        for metric in ("topic_f1", "topic_acc", "kind_acc", "urgency_acc"):
            key = f"{language}.{metric}"
            if key in after:
                cells.append(f"{before.get(key, float('nan')):.3f} -> {after[key]:.3f}")
            else:
                cells.append("-")
        print(f"{language:<5}" + "".join(f"{cell:>18}" for cell in cells))


def figures_of(rows: Sequence[Row], predictions: Sequence[Classification]) -> dict[str, float]:
    """Summarise, leaving out languages with no rows."""
    present = {row["lang"] for row in rows}
    return {
        key: value
        for key, value in summarise(rows, predictions).items()
        if key.split(".")[0] in present or key.startswith("all.")
    }


def abstention(
    rows: Sequence[Row], predictions: Sequence[Classification], threshold: float
) -> tuple[float, float]:
    """Return the precision of topics assigned at the threshold, and the share assigned."""
    assigned = [
        (row, p)
        for row, p in zip(rows, predictions, strict=True)
        if p.topic_confidence >= threshold
    ]
    right = sum(1 for row, p in assigned if row["topic"] == p.topic)
    return right / max(len(assigned), 1), len(assigned) / max(len(rows), 1)


def choose_threshold(rows: Sequence[Row], predictions: Sequence[Classification]) -> float:
    """Return the lowest topic probability at which assigned topics reach TARGET_PRECISION."""
    for step in range(0, 100):
        threshold = step / 100
        if abstention(rows, predictions, threshold)[0] >= TARGET_PRECISION:
            return threshold
    return 1.0


def cross_validate(
    lab: Lab, indices: Sequence[int], folds: int, seed: int
) -> tuple[list[Classification], list[Classification]]:
    """Predict every given row with both systems trained only on the other folds."""
    picked = [lab.rows[i] for i in indices]
    assignment = stratified_folds(picked, folds, seed)
    before: list[Classification | None] = [None] * len(indices)
    after: list[Classification | None] = [None] * len(indices)
    settings = ClassifierSettings()
    for fold in range(folds):
        training = [i for i, f in zip(indices, assignment, strict=True) if f != fold]
        testing = [n for n, f in enumerate(assignment) if f == fold]
        old = lab.before(training)
        new = lab.after(training, settings)
        for n in testing:
            row = lab.rows[indices[n]]
            before[n] = old.classify(row["text"], row["lang"])
            after[n] = new.classify(row["text"], row["lang"])
    return [p for p in before if p is not None], [p for p in after if p is not None]


def leave_one_style_out(
    lab: Lab, settings: ClassifierSettings
) -> tuple[list[int], list[Classification], list[Classification]]:
    """Test each style with both systems trained on the development set and the other styles."""
    styles = sorted({row["style"] for row in lab.rows} - {"dev"})
    tested: list[int] = []
    before: list[Classification] = []
    after: list[Classification] = []
    for style in styles:
        testing = [i for i, row in enumerate(lab.rows) if row["style"] == style]
        training = [i for i, row in enumerate(lab.rows) if row["style"] != style]
        tested += testing
        old_predictions = lab.predict(lab.before(training), testing)
        new_predictions = lab.predict(lab.after(training, settings), testing)
        before += old_predictions
        after += new_predictions
        picked = [lab.rows[i] for i in testing]
        old, new = figures_of(picked, old_predictions), figures_of(picked, new_predictions)
        print(
            f"  style {style:<8} ({len(testing):>4}): topic F1 {old['all.topic_f1']:.3f} -> "
            f"{new['all.topic_f1']:.3f}, kind {old['all.kind_acc']:.3f} -> "
            f"{new['all.kind_acc']:.3f}, urgency {old['all.urgency_acc']:.3f} -> "
            f"{new['all.urgency_acc']:.3f}"
        )
    return tested, before, after


def print_abstention(
    rows: Sequence[Row], predictions: Sequence[Classification], threshold: float, title: str
) -> None:
    """Print abstention precision and coverage per language at the threshold."""
    cells = []
    for language in (*LANGUAGES, "all"):
        picked = [
            (row, p)
            for row, p in zip(rows, predictions, strict=True)
            if language in ("all", row["lang"])
        ]
        if not picked:
            continue
        precision, coverage = abstention(
            [row for row, _ in picked], [p for _, p in picked], threshold
        )
        cells.append(f"{language} precision {precision:.3f} coverage {coverage:.3f}")
    print(f"  {title} at {threshold:.2f}: " + "; ".join(cells))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation (BLAS on one thread: far faster on a busy machine)."""
    with threadpool_limits(1):
        return evaluate(argv)


def evaluate(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--seed", type=int, default=SEED, help="fold shuffling seed")
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    args = parser.parse_args(argv)
    dev = read_rows(args.data) if args.data.is_file() else []
    styles = labelled_rows(args.data_dir)
    if not styles:
        print(f"note: no labelled styles under {args.data_dir}: cross-validation only")
    rows = dev + styles
    counts = Counter((row["style"], row["lang"]) for row in rows)
    print(f"data: {len(rows)} messages; by style and language: {dict(sorted(counts.items()))}")
    started = time.perf_counter()
    lab = Lab(rows)
    print(f"featurised in {time.perf_counter() - started:.1f} s")

    dev_indices = [i for i, row in enumerate(rows) if row["style"] == "dev"]
    before, after = cross_validate(lab, dev_indices, args.folds, args.seed)
    dev_rows = [rows[i] for i in dev_indices]
    print_figures(
        f"development set, {args.folds}-fold cross-validation (trained on dev folds only)",
        figures_of(dev_rows, before),
        figures_of(dev_rows, after),
    )

    tuning = [i for i, row in enumerate(rows) if row["style"] != TUNING_HOLDOUT]
    _, tuning_after = cross_validate(lab, tuning, args.folds, args.seed)
    tuning_rows = [rows[i] for i in tuning]
    threshold = choose_threshold(tuning_rows, tuning_after)
    print(
        f"\nabstention threshold chosen on {args.folds}-fold cross-validation of dev + styles "
        f"except {TUNING_HOLDOUT!r}: {threshold:.2f} (target precision {TARGET_PRECISION})"
    )
    print_abstention(tuning_rows, tuning_after, threshold, "tuning folds")
    settings = ClassifierSettings(abstain_threshold=threshold)

    if styles:
        print("\n== leave-one-style-out")
        tested, style_before, style_after = leave_one_style_out(lab, settings)
        tested_rows = [rows[i] for i in tested]
        print_figures(
            "leave-one-style-out, all styles pooled",
            figures_of(tested_rows, style_before),
            figures_of(tested_rows, style_after),
        )
        print_abstention(tested_rows, style_after, threshold, "held-out style")
        print_confusion(tested_rows, style_after)
        if args.errors:
            print_errors(tested_rows, style_after)

    if args.heldout.is_file():
        extra = read_rows(args.heldout, "heldout")
        heldout_lab = Lab(rows + extra)
        training = list(range(len(rows)))
        testing = list(range(len(rows), len(rows) + len(extra)))
        print_figures(
            f"{args.heldout.name} ({len(extra)} messages), trained on all labelled data",
            figures_of(extra, heldout_lab.predict(heldout_lab.before(training), testing)),
            figures_of(extra, heldout_lab.predict(heldout_lab.after(training, settings), testing)),
        )
    print_extras(args.data_dir, rows)
    return 0


SENTIMENT_SIGNS = {"negative": -1, "neutral": 0, "positive": 1}
NEUTRAL_BAND = 0.1


def sign(value: float) -> int:
    """Return -1, 0 or 1 for a polarity, with a neutral band around zero."""
    return 0 if abs(value) < NEUTRAL_BAND else (1 if value > 0 else -1)


def print_sentiment(rows: Sequence[Row], classifier: Classifier, title: str) -> None:
    """Print per-language agreement of the polarity's sign with the labels."""
    cells = []
    for language in LANGUAGES:
        picked = [r for r in rows if r.get("lang") == language and r.get("sentiment")]
        if not picked:
            continue
        scores = [classifier.classify(r["text"], language).sentiment for r in picked]
        agree = sum(
            1
            for r, v in zip(picked, scores, strict=True)
            if SENTIMENT_SIGNS[r["sentiment"]] == sign(v)
        )
        negatives = [v for r, v in zip(picked, scores, strict=True) if r["sentiment"] == "negative"]
        mean = statistics.mean(negatives) if negatives else float("nan")
        cells.append(
            f"{language} {agree / len(picked):.3f} (n={len(picked)}, negatives' mean {mean:+.2f})"
        )
    print(f"  {title}: " + "; ".join(cells))


def print_language(path: Path) -> None:
    """Print language detection accuracy, languages the bot does not speak counted as 'other'."""
    from bot.sorting import detect_language

    rows = read_rows(path)
    by_language: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        expected = row["lang"] if row["lang"] in LANGUAGES else "other"
        by_language[row["lang"]].append(detect_language(row["text"]) == expected)
    total = [ok for oks in by_language.values() for ok in oks]
    cells = [f"{code} {sum(oks) / len(oks):.2f}" for code, oks in sorted(by_language.items())]
    print(
        f"  language detection on {path.name}: all {sum(total) / len(total):.3f}; "
        + ", ".join(cells)
    )


def print_paraphrases(path: Path) -> None:
    """Print similar-report precision and recall on paraphrase and unrelated pairs."""
    from bot.core.similarity import (
        EMBEDDING_THRESHOLD,
        SIMILARITY_THRESHOLD,
        signature,
        similarity,
    )
    from bot.sorting.encoder import cosine

    pairs = read_rows(path)
    encoder = shared_encoder()
    scored: list[tuple[Row, float, float]] = []
    for pair in pairs:
        words = similarity(
            signature(pair["a"], pair["a_lang"]), signature(pair["b"], pair["b_lang"])
        )
        a, b = encoder.embed([pair["a"], pair["b"]])
        scored.append((pair, words, cosine(a, b)))
    for name, pick, threshold in (
        ("stems (Jaccard)", 1, SIMILARITY_THRESHOLD),
        ("embeddings (cosine)", 2, EMBEDDING_THRESHOLD),
    ):
        values = [(pair, (words, meaning)[pick - 1]) for pair, words, meaning in scored]
        for kind in ("paraphrase", "translation", "all"):
            chosen = [v for v in values if kind == "all" or v[0].get("kind") in (kind, None)]
            positives = [value for pair, value in chosen if pair["same"]]
            negatives = [value for pair, value in values if not pair["same"]]
            hits = sum(1 for value in positives if value >= threshold)
            false = sum(1 for value in negatives if value >= threshold)
            precision = hits / max(hits + false, 1)
            print(
                f"  {name} >= {threshold:.2f}, {kind}: precision {precision:.3f} "
                f"recall {hits / max(len(positives), 1):.3f} ({len(positives)} same, "
                f"{len(negatives)} different)"
            )


def print_extras(data_dir: Path, rows: Sequence[Row]) -> None:
    """Print sentiment, language detection, duplicate figures, latency and start-up cost."""
    shipped = Classifier()
    print(
        "\n== sentiment (sign agreement with labels; the shipped head was trained on these rows:"
        " docs/sorting.md gives the cross-validated figures)"
    )
    print_sentiment([r for r in rows if r["style"] != "dev"], shipped, "labelled styles")
    if (data_dir / "sentiment.jsonl").is_file():
        print_sentiment(read_rows(data_dir / "sentiment.jsonl"), shipped, "sentiment.jsonl")
    print("\n== language detection")
    if (data_dir / "languages.jsonl").is_file():
        print_language(data_dir / "languages.jsonl")
    print("\n== similar reports")
    if (data_dir / "paraphrases.jsonl").is_file():
        print_paraphrases(data_dir / "paraphrases.jsonl")
    load = measure_load_seconds()
    sample = [row for row in rows if row["style"] != "dev"][:300] or list(rows)[:300]
    median, p99 = measure_latency(sample, shipped.classify)
    print("\n== speed")
    print(f"  start-up (import + shipped models + encoder, fresh process): {load:.2f} s")
    print(f"  per message (shipped model, uncached text): median {median:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
