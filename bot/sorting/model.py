"""The learned part of the sorter: one naive Bayes model per label head, saved as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from bot.core.labels import HEADS, LabelledExample
from bot.sorting.features import HEAD_FEATURES, Document, analyse
from bot.sorting.naive_bayes import NaiveBayes
from bot.sorting.shipped import read_shipped_text, shipped_file_exists

MODEL_FORMAT = 1
SHIPPED_MODEL = "model.json"
DEFAULT_SMOOTHING = 0.1


class SortingModel:
    """Hold one naive Bayes per head (kind, topic, urgency) and feed it examples."""

    def __init__(self, heads: Mapping[str, NaiveBayes] | None = None) -> None:
        """Start from the given head models, or empty ones."""
        self.heads: dict[str, NaiveBayes] = {
            head: NaiveBayes(classes, DEFAULT_SMOOTHING) for head, classes in HEADS.items()
        }
        if heads:
            self.heads.update(heads)

    def add(self, doc: Document, labels: Mapping[str, str | None], weight: float = 1.0) -> None:
        """Count an analysed message under each head whose label is given."""
        for head, label in labels.items():
            if label is not None:
                self.heads[head].add(HEAD_FEATURES[head](doc), label, weight)

    def add_example(self, example: LabelledExample, weight: float = 1.0) -> None:
        """Analyse and count one labelled example."""
        labels = {"kind": example.kind, "topic": example.topic, "urgency": example.urgency}
        self.add(analyse(example.text, example.lang), labels, weight)

    def copy(self) -> SortingModel:
        """Return an independent copy, so corrections never touch the base model."""
        return SortingModel({head: model.copy() for head, model in self.heads.items()})

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-ready form written to resources/model.json."""
        return {
            "format": MODEL_FORMAT,
            "heads": {head: model.to_json() for head, model in self.heads.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SortingModel:
        """Rebuild a model from its JSON form, checking the format version."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported sorting model format {data.get('format')!r}")
        heads = {head: NaiveBayes.from_json(body) for head, body in data["heads"].items()}
        for head, model in heads.items():
            if head not in HEADS or set(model.classes) != set(HEADS[head]):
                raise ValueError(f"model head {head!r} has unexpected classes")
        return cls(heads)

    @classmethod
    def shipped(cls) -> SortingModel:
        """Load the model shipped in the package, or an empty one if none is shipped."""
        if not shipped_file_exists(SHIPPED_MODEL):
            return cls()
        return cls.from_json(json.loads(read_shipped_text(SHIPPED_MODEL)))


def train_model(examples: Iterable[LabelledExample], weight: float = 1.0) -> SortingModel:
    """Train a fresh model on labelled examples."""
    model = SortingModel()
    for example in examples:
        model.add_example(example, weight)
    return model
