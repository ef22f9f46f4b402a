"""Training data, reproducible training and the evaluation figures (``tone_train``, ``tone_evaluate``)."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .model import DATA_DIR, LABELS, Embedder, LogisticModel, data_hash, design_matrix, fit

TRAIN_CSV = DATA_DIR / "train.csv"
TEST_CSV = DATA_DIR / "test.csv"
SEED = 13
L2_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
FOLDS = 5


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["text"], row["label"]) for row in csv.DictReader(fh)]


def _folds(n: int) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(n)
    return [order[i::FOLDS] for i in range(FOLDS)]


def choose_l2(features: np.ndarray, y: np.ndarray) -> float:
    """Regularisation picked by cross-validation on the training rows only (never the test set)."""
    folds = _folds(len(y))
    best, best_score = L2_GRID[0], -1.0
    for l2 in L2_GRID:
        correct = 0
        for held in folds:
            mask = np.ones(len(y), dtype=bool)
            mask[held] = False
            model = fit(features[mask], y[mask], l2=l2, version="cv", trained_on="cv", steps=500)
            correct += int((model.probabilities(features[held]).argmax(axis=1) == y[held]).sum())
        if correct > best_score:
            best, best_score = l2, correct
    return best


def train(rows: list[tuple[str, str]], embedder: Embedder, *, version: str) -> LogisticModel:
    texts = [text for text, _ in rows]
    y = np.array([LABELS.index(label) for _, label in rows])
    features = design_matrix(embedder, texts)
    l2 = choose_l2(features, y)
    return fit(features, y, l2=l2, version=version, trained_on=data_hash(rows))


@dataclass
class Report:
    total: int
    correct: int
    confusion: list[list[int]]  # rows: true label, columns: predicted, LABELS order
    seconds_per_1000: float
    precision: dict[str, float] = field(default_factory=dict)
    recall: dict[str, float] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        out = [f"accuracy {self.correct}/{self.total} = {self.accuracy:.1%}"]
        out += [f"{label:9} precision {self.precision[label]:.2f} recall {self.recall[label]:.2f}" for label in LABELS]
        out.append("confusion (rows true, columns predicted): " + " ".join(LABELS))
        out += [
            f"{label:9} " + " ".join(f"{n:3d}" for n in row) for label, row in zip(LABELS, self.confusion, strict=True)
        ]
        out.append(f"throughput: {self.seconds_per_1000:.1f} s per 1,000 comments")
        return out


def evaluate(rows: list[tuple[str, str]], predict) -> Report:
    started = time.perf_counter()
    predicted = predict([text for text, _ in rows])
    elapsed = time.perf_counter() - started
    confusion = [[0] * len(LABELS) for _ in LABELS]
    for (_, truth), guess in zip(rows, predicted, strict=True):
        confusion[LABELS.index(truth)][LABELS.index(guess)] += 1
    report = Report(
        total=len(rows),
        correct=sum(confusion[i][i] for i in range(len(LABELS))),
        confusion=confusion,
        seconds_per_1000=elapsed * 1000 / max(len(rows), 1),
    )
    for i, label in enumerate(LABELS):
        predicted_as = sum(row[i] for row in confusion)
        report.precision[label] = confusion[i][i] / predicted_as if predicted_as else 0.0
        report.recall[label] = confusion[i][i] / sum(confusion[i]) if sum(confusion[i]) else 0.0
    return report
