"""The sentiment head: a small supervised classifier on the text model's embeddings.

Three classes (negative, neutral, positive) by multinomial logistic regression on the e5 vector,
trained on labelled sentences in every shipped language (`handlers.text.training`, which writes
`data/sentiment_head.npz`). One head serves all four languages: e5 puts a sentence and its
translation near each other, so what it learns from a Hungarian review carries to Urdu. Each
language then has its own calibration (a temperature and a bias per class, fitted on
out-of-fold predictions), so that a polarity of −0.5 means as sure a complaint in Urdu as in
English, and the low-comment alert reaches the same share of complaints in every language.

Why not the nearest labelled anchors any more: they read a negation word as a complaint ("nem
rossz", "کوئی شکایت نہیں") and "good, but …" by its praise; measured in `bench/text_model.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEAD_FILE = Path(__file__).with_name("data") / "sentiment_head.npz"
CLASSES = ("neg", "neu", "pos")  # the order of the head's rows


@dataclass(frozen=True, slots=True)
class Calibration:
    """Per language: logits are divided by `temperature`, then `bias` is added (one per class)."""

    temperature: float
    bias: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class SentimentHead:
    weights: np.ndarray  # (3, dimensions), rows in CLASSES order
    intercept: np.ndarray  # (3,)
    calibration: dict[str, Calibration]  # the languages it scores
    model_version: str  # the embeddings it was trained on; another model's vectors mean nothing to it

    def scores(self, language: str | None) -> bool:
        return language in self.calibration

    def probabilities(self, vectors: np.ndarray, language: str) -> np.ndarray:
        """Calibrated (negative, neutral, positive) probabilities, one row per vector."""
        calibration = self.calibration[language]
        logits = (vectors @ self.weights.T + self.intercept) / calibration.temperature + np.array(calibration.bias)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def polarity(self, vectors: np.ndarray, language: str) -> np.ndarray:
        """P(positive) − P(negative), in [-1, 1]; near 0 for plain statements and for doubt."""
        p = self.probabilities(vectors, language)
        return np.asarray(p[:, 2] - p[:, 0])

    def save(self, path: Path = HEAD_FILE) -> None:
        languages = sorted(self.calibration)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            languages=np.array(languages),
            temperature=np.array([self.calibration[lang].temperature for lang in languages], dtype=np.float32),
            bias=np.array([self.calibration[lang].bias for lang in languages], dtype=np.float32),
            model_version=np.array(self.model_version),
        )

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> SentimentHead:
        with np.load(path, allow_pickle=False) as stored:
            calibration = {
                str(language): Calibration(float(temperature), (float(bias[0]), float(bias[1]), float(bias[2])))
                for language, temperature, bias in zip(
                    stored["languages"], stored["temperature"], stored["bias"], strict=True
                )
            }
            return cls(
                weights=np.asarray(stored["weights"], dtype=np.float32),
                intercept=np.asarray(stored["intercept"], dtype=np.float32),
                calibration=calibration,
                model_version=str(stored["model_version"]),
            )
