"""Multinomial logistic regression in numpy: one small linear model per label head."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
_MIN_SCALE = 1e-3


@dataclass(frozen=True)
class TrainingSettings:
    """Hold the knobs of fitting: L2 penalty, steps, step size, and class balancing."""

    l2: float = 1e-3
    steps: int = 250
    learning_rate: float = 0.05
    balanced: bool = True


@dataclass(frozen=True)
class LinearHead:
    """Hold one head's classes, column standardisation, weights and biases."""

    classes: tuple[str, ...]
    centre: Matrix
    scale: Matrix
    weights: Matrix
    bias: Matrix

    def logits(self, features: Matrix) -> Matrix:
        """Return one row of class logits per row of features."""
        scaled = (features.astype(np.float32) - self.centre) / self.scale
        out: Matrix = (scaled @ self.weights + self.bias).astype(np.float32)
        return out

    def probabilities(self, features: Matrix) -> Matrix:
        """Return one row of class probabilities per row of features."""
        return softmax_rows(self.logits(features))


def softmax_rows(logits: Matrix) -> Matrix:
    """Turn each row of logits into probabilities."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    out: Matrix = exps / exps.sum(axis=1, keepdims=True)
    return out


def fit_head(
    features: Matrix,
    labels: Sequence[str],
    classes: Sequence[str],
    weights: Sequence[float] | None = None,
    *,
    settings: TrainingSettings | None = None,
    dense: int | None = None,
) -> LinearHead:
    """Fit a multinomial logistic regression (full-batch Adam with an L2 penalty).

    The first `dense` columns (all by default) are standardised; the rest (binary
    indicators) are kept as they are, so a feature seen once does not weigh more.
    """
    settings = settings or TrainingSettings()
    index = {label: i for i, label in enumerate(classes)}
    rows = np.array([index[label] for label in labels])
    count = len(rows)
    targets = np.zeros((count, len(classes)), dtype=np.float32)
    targets[np.arange(count), rows] = 1.0
    sample = (
        np.ones(count, dtype=np.float32) if weights is None else np.asarray(weights, np.float32)
    )
    if settings.balanced:
        per_class = targets.T @ sample
        present = per_class > 0
        boost = np.where(present, sample.sum() / (present.sum() * np.maximum(per_class, 1e-9)), 0)
        sample = sample * (targets @ boost.astype(np.float32))
    sample = sample / sample.sum()
    centre = features.mean(axis=0).astype(np.float32)
    scale = np.maximum(features.std(axis=0), _MIN_SCALE).astype(np.float32)
    if dense is not None:
        centre[dense:] = 0.0
        scale[dense:] = 1.0
    x = (features - centre) / scale
    w = np.zeros((x.shape[1], len(classes)), dtype=np.float32)
    b = np.zeros(len(classes), dtype=np.float32)
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, settings.steps + 1):
        error = (softmax_rows(x @ w + b) - targets) * sample[:, None]
        grad_w = x.T @ error + settings.l2 * w
        grad_b = error.sum(axis=0)
        for position, (target, grad) in enumerate(((w, grad_w), (b, grad_b))):
            first, second = moments[2 * position], moments[2 * position + 1]
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            corrected = first / (1 - beta1**step)
            spread = np.sqrt(second / (1 - beta2**step)) + epsilon
            np.subtract(target, settings.learning_rate * corrected / spread, out=target)
    return LinearHead(tuple(classes), centre, scale, w, b)


def save_heads(heads: Mapping[str, LinearHead], meta: Mapping[str, str]) -> bytes:
    """Return the heads as the bytes of an .npz file (float16 weights keep it small)."""
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for name, head in heads.items():
        arrays[f"{name}.classes"] = np.array(head.classes)
        arrays[f"{name}.centre"] = head.centre.astype(np.float16)
        arrays[f"{name}.scale"] = head.scale.astype(np.float16)
        arrays[f"{name}.weights"] = head.weights.astype(np.float16)
        arrays[f"{name}.bias"] = head.bias
    for key, value in meta.items():
        arrays[f"meta.{key}"] = np.array(value)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def load_heads(data: bytes) -> tuple[dict[str, LinearHead], dict[str, str]]:
    """Read heads and metadata written by save_heads."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        names = {key.split(".")[0] for key in archive.files if not key.startswith("meta.")}
        heads = {
            name: LinearHead(
                tuple(str(label) for label in archive[f"{name}.classes"]),
                archive[f"{name}.centre"].astype(np.float32),
                archive[f"{name}.scale"].astype(np.float32),
                archive[f"{name}.weights"].astype(np.float32),
                archive[f"{name}.bias"].astype(np.float32),
            )
            for name in names
        }
        meta = {
            key.removeprefix("meta."): str(archive[key])
            for key in archive.files
            if key.startswith("meta.")
        }
    return heads, meta


class LinearModel:
    """Hold the linear heads (kind, topic, urgency) trained on the labelled data."""

    def __init__(self, heads: Mapping[str, LinearHead], meta: Mapping[str, str] | None = None):
        """Keep the heads and what they were trained on."""
        self.heads = dict(heads)
        self.meta = dict(meta or {})

    def probabilities(
        self, row: Matrix, heads: tuple[str, ...] = ("kind", "topic", "urgency")
    ) -> dict[str, dict[str, float]]:
        """Return, per head asked for (and present), each class's probability for one row."""
        features = row.reshape(1, -1)
        return {
            name: dict(zip(head.classes, head.probabilities(features)[0].tolist(), strict=True))
            for name, head in self.heads.items()
            if name in heads
        }

    def to_bytes(self) -> bytes:
        """Return the model as .npz bytes."""
        return save_heads(self.heads, self.meta)

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        """Rebuild a model from .npz bytes."""
        heads, meta = load_heads(data)
        return cls(heads, meta)
