"""A small multinomial naive Bayes over binary sparse features, in plain Python."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """Hold per-class average complement weights and how many features the model knew."""

    average_log_likelihood: dict[str, float]
    known_features: int
    total_features: int


class NaiveBayes:
    """Count features per class and score new feature sets with smoothed log-likelihoods."""

    def __init__(self, classes: Sequence[str], smoothing: float = 0.1) -> None:
        """Start an empty model over the given classes."""
        self.classes: tuple[str, ...] = tuple(classes)
        self.smoothing = smoothing
        self.counts: dict[str, list[float]] = {}
        self.class_totals: list[float] = [0.0] * len(self.classes)
        self.class_documents: list[float] = [0.0] * len(self.classes)
        self._index = {label: position for position, label in enumerate(self.classes)}
        self._log_cache: dict[str, tuple[float, ...]] = {}
        self._log_denominators: tuple[float, ...] | None = None

    def add(self, features: Iterable[str], label: str, weight: float = 1.0) -> None:
        """Count one labelled example's features, weighted."""
        position = self._index[label]
        self.class_documents[position] += weight
        for feature in features:
            row = self.counts.get(feature)
            if row is None:
                row = [0.0] * len(self.classes)
                self.counts[feature] = row
            row[position] += weight
            self.class_totals[position] += weight
            self._log_cache.pop(feature, None)
        self._log_denominators = None

    def log_priors(self) -> dict[str, float]:
        """Return smoothed log class priors."""
        total = sum(self.class_documents) + len(self.classes)
        return {
            label: math.log((self.class_documents[i] + 1.0) / total)
            for i, label in enumerate(self.classes)
        }

    def evidence(self, features: Iterable[str]) -> Evidence:
        """Average each class's complement-NB weight over the features the model knows.

        A class scores high when the feature is rare in all the *other* classes
        (complement naive Bayes), which keeps a big class from winning only by
        having seen more words.
        """
        denominators = self._complement_denominators()
        sums = [0.0] * len(self.classes)
        known = 0
        total = 0
        for feature in features:
            total += 1
            logs = self._log_cache.get(feature)
            if logs is None:
                row = self.counts.get(feature)
                if row is None:
                    continue
                row_total = sum(row)
                logs = tuple(math.log(row_total - count + self.smoothing) for count in row)
                self._log_cache[feature] = logs
            known += 1
            for i, value in enumerate(logs):
                sums[i] += value
        average = {
            label: (denominators[i] - sums[i] / known) if known else 0.0
            for i, label in enumerate(self.classes)
        }
        return Evidence(average, known, total)

    def _complement_denominators(self) -> tuple[float, ...]:
        """Return log(count outside the class + smoothing * vocabulary) per class, cached."""
        if self._log_denominators is None:
            vocabulary = max(len(self.counts), 1)
            grand_total = sum(self.class_totals)
            self._log_denominators = tuple(
                math.log(grand_total - total + self.smoothing * vocabulary)
                for total in self.class_totals
            )
        return self._log_denominators

    def copy(self) -> NaiveBayes:
        """Return an independent copy of the model."""
        clone = NaiveBayes(self.classes, self.smoothing)
        clone.counts = {feature: list(row) for feature, row in self.counts.items()}
        clone.class_totals = list(self.class_totals)
        clone.class_documents = list(self.class_documents)
        return clone

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict with counts rounded to keep the file small."""
        return {
            "classes": list(self.classes),
            "smoothing": self.smoothing,
            "class_documents": [round(value, 3) for value in self.class_documents],
            "counts": {
                feature: [round(value, 3) for value in row]
                for feature, row in sorted(self.counts.items())
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NaiveBayes:
        """Rebuild a model from the dict written by to_json."""
        model = cls(data["classes"], float(data["smoothing"]))
        model.class_documents = [float(value) for value in data["class_documents"]]
        width = len(model.classes)
        totals = [0.0] * width
        counts: dict[str, list[float]] = {}
        for feature, row in data["counts"].items():
            if len(row) != width:
                raise ValueError(f"feature {feature!r} has {len(row)} counts, not {width}")
            counts[feature] = row
            for i, value in enumerate(row):
                totals[i] += value
        model.counts = counts
        model.class_totals = totals
        return model
