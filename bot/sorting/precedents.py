"""Remember officers' corrections as precedents that pull near-identical messages their way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.sorting.features import Document


def precedent_words(doc: Document) -> frozenset[str]:
    """Return the content-word stems a precedent is compared on."""
    return frozenset(
        word_stem
        for word_stem, is_content in zip(doc.stems, doc.content, strict=True)
        if is_content
    )


@dataclass(frozen=True)
class Precedent:
    """Hold one corrected message's words and the labels the officer gave it."""

    words: frozenset[str]
    labels: Mapping[str, str]


class PrecedentMemory:
    """Index corrections by word so a new message finds its most similar precedents fast."""

    def __init__(self) -> None:
        """Start with no precedents."""
        self._precedents: list[Precedent] = []
        self._by_word: dict[str, list[int]] = {}

    def __len__(self) -> int:
        """Return how many precedents are remembered."""
        return len(self._precedents)

    def add(self, doc: Document, labels: Mapping[str, str | None]) -> None:
        """Remember a corrected message with the labels that were given."""
        given = {head: label for head, label in labels.items() if label is not None}
        words = precedent_words(doc)
        if not given or not words:
            return
        position = len(self._precedents)
        self._precedents.append(Precedent(words, given))
        for word in words:
            self._by_word.setdefault(word, []).append(position)

    def similarities(self, doc: Document, head: str) -> dict[str, float]:
        """Return, per label of the head, the best Jaccard similarity to a precedent."""
        words = precedent_words(doc)
        shared: dict[int, int] = {}
        for word in words:
            for position in self._by_word.get(word, ()):
                shared[position] = shared.get(position, 0) + 1
        best: dict[str, float] = {}
        for position, overlap in shared.items():
            precedent = self._precedents[position]
            label = precedent.labels.get(head)
            if label is None:
                continue
            similarity = overlap / len(words | precedent.words)
            if similarity > best.get(label, 0.0):
                best[label] = similarity
        return best
