"""Language detection and sentiment of free-text answers, offline.

Only English is scored (TextBlob's pattern lexicon ships inside the package and needs no
NLTK download); any other language is stored as *not scored*, never as neutral.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from storage.models import SentimentStatus

log = logging.getLogger(__name__)

# Languages people are likely to answer in; a closed set keeps detection fast and sharp.
_DETECTABLE = (
    "ENGLISH", "URDU", "HINDI", "HUNGARIAN", "ARABIC", "PERSIAN", "BENGALI", "PUNJABI",
    "SPANISH", "PORTUGUESE", "FRENCH", "GERMAN", "ITALIAN", "DUTCH", "POLISH", "ROMANIAN",
    "RUSSIAN", "UKRAINIAN", "TURKISH", "INDONESIAN", "MALAY", "TAGALOG", "SWAHILI", "CHINESE",
    "JAPANESE", "KOREAN", "VIETNAMESE", "THAI",
)  # fmt: skip
# A hint (the survey's language) wins when detection is this unsure between it and the top guess.
_HINT_MARGIN = 0.35


@dataclass(frozen=True, slots=True)
class TextVerdict:
    language: str | None
    polarity: float | None
    status: SentimentStatus


class TextAnalyzer:
    """Thread-safe and lazy: the detector's models load once, on first use or `warm_up()`."""

    def __init__(self) -> None:
        self._detector: Any = None
        self._preloaded = False
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load, before the first comment arrives, what it would otherwise load while a person waits
        (seconds): all of lingua's language models and TextBlob's lexicon. A long-running process
        calls this at start; a one-off command (`sayso demo`) lets the detector load lazily."""
        self._get_detector(preload=True)
        english_polarity("warm up")

    def _get_detector(self, *, preload: bool = False) -> Any:
        with self._lock:
            if self._detector is None or (preload and not self._preloaded):
                from lingua import Language, LanguageDetectorBuilder

                builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in _DETECTABLE))
                # Preloaded, lingua takes ~5 s and ~450 MB once; lazily it loads a few n-gram models
                # per detection, and the first comments wait seconds for them. (Low-accuracy mode
                # would load in 0.2 s and ~40 MB, but read "The phone queue wait is too long" as
                # Tagalog.)
                self._detector = (builder.with_preloaded_language_models() if preload else builder).build()
                self._preloaded = preload
            return self._detector

    def detect(self, text: str, hint: str | None = None) -> str | None:
        """ISO 639-1 code of `text`; short, ambiguous text falls back to `hint`."""
        try:
            confidences = self._get_detector().compute_language_confidence_values(text)
        except Exception:  # a broken detector must not lose the answer
            log.exception("language detection failed")
            return hint
        if not confidences:
            return hint
        top = confidences[0]
        code = top.language.iso_code_639_1.name.lower()
        if hint and code != hint:
            hinted = next((c.value for c in confidences if c.language.iso_code_639_1.name.lower() == hint), 0.0)
            if top.value - hinted < _HINT_MARGIN:
                return hint
        return code

    def analyze(self, text: str, hint: str | None = None) -> TextVerdict:
        language = self.detect(text, hint)
        if language != "en":
            return TextVerdict(language, None, SentimentStatus.NOT_SCORED)
        polarity = english_polarity(text)
        status = SentimentStatus.NOT_SCORED if polarity is None else SentimentStatus.SCORED
        return TextVerdict(language, polarity, status)


# TextBlob loads its lexicon into a shared dict on first use; two threads doing that at once have
# raised "dictionary changed size during iteration" (and the answer was stored unscored).
_TEXTBLOB = threading.Lock()


def english_polarity(text: str) -> float | None:
    """TextBlob polarity in [-1, 1], or None if TextBlob cannot run here."""
    try:
        from textblob import TextBlob

        with _TEXTBLOB:
            return float(TextBlob(text).sentiment.polarity)
    except Exception:  # e.g. a missing corpus on an unusual install: keep the answer, unscored
        log.warning("sentiment scoring unavailable; answer stored as not scored", exc_info=True)
        return None
