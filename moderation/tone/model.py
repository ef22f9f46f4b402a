"""The trained classifier: multinomial logistic regression (numpy) over sentence embeddings
(both e5 prefixes) plus the lexicon cues, and the file it is shipped in (``data/model.npz``).

The weights file records the model version and the SHA-256 of the training rows, so a label
stored on an inbox item can be traced to the exact data it was learned from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from . import lexicon

LABELS = ("negative", "neutral", "positive")
DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA_DIR / "model.npz"
# Names the feature recipe; with the data hash it makes the version stored on each label.
MODEL_KIND = "e5qp-lex-lr1"


class Embedder(Protocol):
    def query(self, texts: list[str]) -> np.ndarray: ...

    def passage(self, texts: list[str]) -> np.ndarray: ...


def data_hash(rows: list[tuple[str, str]]) -> str:
    """SHA-256 over the (text, label) rows in order: the same data gives the same hash."""
    digest = hashlib.sha256()
    for text, label in rows:
        digest.update(f"{text}\t{label}\n".encode())
    return digest.hexdigest()


def design_matrix(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Both e5 prefixes ("query: ", "passage: ") and the lexicon cues: the combination with the
    best cross-validated accuracy on the training rows (docs/tone.md)."""
    parts = [embedder.query(texts), embedder.passage(texts), lexicon.feature_matrix(texts)]
    return np.hstack([part.astype(np.float64) for part in parts])


@dataclass
class LogisticModel:
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    mean: np.ndarray  # feature standardisation learned on the training rows
    scale: np.ndarray
    version: str
    trained_on: str  # data hash

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def save(self, path: Path = MODEL_PATH) -> None:
        meta = json.dumps({"version": self.version, "trained_on": self.trained_on, "labels": list(LABELS)})
        # float32 and no compression timestamp: the same training gives a byte-identical file.
        with path.open("wb") as fh:
            np.savez(
                fh,
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                mean=self.mean.astype(np.float32),
                scale=self.scale.astype(np.float32),
                meta=np.array(meta),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LogisticModel:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                weights=data["weights"].astype(np.float64),
                bias=data["bias"].astype(np.float64),
                mean=data["mean"].astype(np.float64),
                scale=data["scale"].astype(np.float64),
                version=meta["version"],
                trained_on=meta["trained_on"],
            )


def fit(
    features: np.ndarray, y: np.ndarray, *, l2: float, version: str, trained_on: str, steps: int = 1500
) -> LogisticModel:
    """Full-batch gradient descent from zero weights: no randomness, so deterministic."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    x = (features - mean) / scale
    targets = np.eye(len(LABELS))[y]
    weights = np.zeros((x.shape[1], len(LABELS)))
    bias = np.zeros(len(LABELS))
    model = LogisticModel(weights, bias, np.zeros_like(mean), np.ones_like(scale), version, trained_on)
    for _ in range(steps):
        grad = (model.probabilities(x) - targets) / len(y)
        model.weights = model.weights - 0.1 * (x.T @ grad + l2 * model.weights)
        model.bias = model.bias - 0.1 * grad.sum(axis=0)
    model.mean, model.scale = mean, scale
    return model
