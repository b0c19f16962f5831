"""Recurring issues: when two reports are about the same thing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import numpy as np
import numpy.typing as npt

from bot.core.text import normalise, stem, tokenise

SIMILARITY_THRESHOLD = 0.3
_STOPWORDS = (
    "the a an and or of to in on at for is are was were be been it this that with from by we our "
    "my i you they el la los las un una y o de del en con por para es son fue que se lo al su sus "
    "и в во на с со к по о об от до за из у не что это как а но мы наш наши я вы они"
)
STOPWORDS = frozenset(_STOPWORDS.split())


def signature(text: str, language: str = "en") -> frozenset[str]:
    """Return the set of word stems that characterise a text (stopwords left out)."""
    return frozenset(
        stem(token, language)
        for token in tokenise(normalise(text))
        if token not in STOPWORDS and len(token) > 2 and not any(c.isdigit() for c in token)
    )


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """Return the Jaccard similarity of two signatures (0 = nothing shared, 1 = the same)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


# Sentence embeddings (bot.sorting's encoder) find rewordings and other languages; the
# threshold is chosen on data/sorting/paraphrases.jsonl (tests/benchmarks/sorting_eval.py).
EMBEDDING_THRESHOLD = 0.5
Vector = Sequence[float] | npt.NDArray[np.float32]
Embed = Callable[[Sequence[str]], Awaitable[Sequence[Vector]]]


def cosine(first: Vector, second: Vector) -> float:
    """Return the cosine similarity of two embeddings (0 when either is all zeros)."""
    a = np.asarray(first, dtype=np.float32)
    b = np.asarray(second, dtype=np.float32)
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norms if norms else 0.0


def likeness(words: float, meaning: float | None) -> float:
    """Return how alike two reports are, 1.0 at either threshold: the stronger signal wins."""
    score = words / SIMILARITY_THRESHOLD
    if meaning is not None:
        score = max(score, meaning / EMBEDDING_THRESHOLD)
    return score
