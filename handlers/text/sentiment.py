"""Language detection and sentiment of free-text answers, offline.

Comments in every shipped language (English, Urdu, Hindi, Hungarian) are scored by the
multilingual text model (distance to labelled anchor sentences, `handlers.text.model`); without
the model only English is scored, by TextBlob (its lexicon ships inside the package and needs no
NLTK download). Any other language is stored as *not scored*, never as neutral.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from handlers.text.model import METHOD, TextModel
from storage.models import SentimentStatus

log = logging.getLogger(__name__)

# Languages people are likely to answer in; a closed set keeps detection fast and sharp.
_DETECTABLE = (
    "ENGLISH",
    "URDU",
    "HINDI",
    "HUNGARIAN",
    "ARABIC",
    "PERSIAN",
    "BENGALI",
    "PUNJABI",
    "SPANISH",
    "PORTUGUESE",
    "FRENCH",
    "GERMAN",
    "ITALIAN",
    "DUTCH",
    "POLISH",
    "ROMANIAN",
    "RUSSIAN",
    "UKRAINIAN",
    "TURKISH",
    "INDONESIAN",
    "MALAY",
    "TAGALOG",
    "SWAHILI",
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "VIETNAMESE",
    "THAI",
)
# The languages Sayso ships and scores, and the ones written in the same script that short text
# is mistaken for (Urdu for Persian or Arabic): these get lingua's full-accuracy models.
_SHIPPED = {"en": "ENGLISH", "ur": "URDU", "hi": "HINDI", "hu": "HUNGARIAN"}
_FINE = (*_SHIPPED.values(), "ARABIC", "PERSIAN")
# The screening pass's candidates: its top three that have at least this confidence, and the
# survey's own language if it has that much. A shipped candidate sends the text to the fine
# pass, whose answer is taken when it is one of the candidates.
_CANDIDATE = 0.01
# A hint (the survey's language) wins when detection is this unsure between it and the top guess;
# between languages that share a script and much vocabulary (Urdu and Persian), unless it is sure.
_HINT_MARGIN = 0.35
_CLOSE_MARGIN = 0.8
_CLOSE = ({"ur", "fa"}, {"ur", "ar"})
# Text in Arabic script that the detector calls Persian or Arabic is Urdu when the survey asked in
# Urdu or when it has a letter Urdu has and they lack (ٹ ڈ ڑ ں ے ۓ ھ): one in 16 Urdu tweets was
# read as Persian or Arabic and left unscored.
_ARABIC_SCRIPT_NEIGHBOURS = {"fa", "ar"}
_URDU_LETTERS = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06d2\u06d3]")
# Arabic presentation forms (the shaped glyphs of old encoders and PDF copy-paste): read as the
# letters they show, which is what both the detector and the model know.
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


TEXTBLOB = "textblob"


@dataclass(frozen=True, slots=True)
class TextVerdict:
    language: str | None
    polarity: float | None
    status: SentimentStatus
    method: str | None = None  # how the polarity was found: "e5-head", "textblob"


class TextAnalyzer:
    """Thread-safe; the detectors load once, on first use or `warm_up()`.

    Detection runs in two passes of lingua's low-accuracy mode (trigram models: ~35 MB and 0.2 s
    to load, where full accuracy in all 28 languages costs ~570 MB and ~3 s): the first screens
    every detectable language; when a shipped language is among its candidates, the second decides
    among the shipped languages and their look-alikes (Arabic and Persian share Urdu's script).
    On tests/data/comments.tsv the screen alone reads 118 of 120 right ("The phone queue wait is
    too long." as Tagalog, Urdu as Persian), the two passes 119, and 120 with the survey's
    language as the hint, which every comment has. Full accuracy in the second pass read 120
    without the hint too, for ~200 MB more; not worth it.
    """

    def __init__(self, model: TextModel | None = None) -> None:
        self._detectors: tuple[Any, Any] | None = None
        self._lock = threading.Lock()
        self.model = model or TextModel()

    def warm_up(self) -> None:
        """Load, before the first comment arrives, what it would otherwise load while a person waits:
        both detectors and the text model, or TextBlob's lexicon where the model cannot be used (it
        costs ~100 MB, and only the fallback needs it). `sayso run` calls this in a worker thread
        before it reports healthy."""
        self._get_detectors()
        if not self.model.load():
            english_polarity("warm up")

    def _get_detectors(self) -> tuple[Any, Any]:
        with self._lock:
            if self._detectors is None:
                from lingua import Language, LanguageDetectorBuilder

                def build(names: tuple[str, ...]) -> Any:
                    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in names))

                screen = build(_DETECTABLE).with_low_accuracy_mode().with_preloaded_language_models().build()
                fine = build(_FINE).with_low_accuracy_mode().with_preloaded_language_models().build()
                self._detectors = (screen, fine)
            return self._detectors

    def detect(self, text: str, hint: str | None = None) -> str | None:
        """ISO 639-1 code of `text`; short, ambiguous text falls back to `hint`."""
        text = plain_letters(text)
        code = self._detected(text, hint)
        if code in _ARABIC_SCRIPT_NEIGHBOURS and (hint == "ur" or _URDU_LETTERS.search(text)):
            return "ur"
        return code

    def _detected(self, text: str, hint: str | None) -> str | None:
        try:
            screen, fine = self._get_detectors()
            ranked = _ranked(screen.compute_language_confidence_values(text))
            candidates = {code for code, value in ranked[:3] if value >= _CANDIDATE}
            if hint and dict(ranked).get(hint, 0.0) >= _CANDIDATE:
                candidates.add(hint)
            if candidates & _SHIPPED.keys():
                closer = _ranked(fine.compute_language_confidence_values(text))
                if closer and closer[0][0] in candidates:
                    ranked = closer
        except Exception:  # a broken detector must not lose the answer
            log.exception("language detection failed")
            return hint
        if not ranked:
            return hint
        code, confidence = ranked[0]
        if hint and code != hint:
            hinted = next((value for other, value in ranked if other == hint), 0.0)
            margin = _CLOSE_MARGIN if {code, hint} in _CLOSE else _HINT_MARGIN
            if confidence - hinted < margin:
                return hint
        return code

    def analyze(self, text: str, hint: str | None = None) -> TextVerdict:
        language = self.detect(text, hint)
        return self.score(text, language)

    def score(self, text: str, language: str | None) -> TextVerdict:
        """The polarity of `text` in `language`: by the model where it can, else TextBlob for English."""
        polarity, method = None, None
        text = plain_letters(text)
        try:
            polarity = self.model.polarity(text, language)
            method = METHOD if polarity is not None else None
        except Exception:  # a broken model must not lose the answer: fall back below
            log.exception("text model failed; falling back")
        if polarity is None and language == "en":
            polarity, method = english_polarity(text), TEXTBLOB
        if polarity is None:
            return TextVerdict(language, None, SentimentStatus.NOT_SCORED)
        return TextVerdict(language, polarity, SentimentStatus.SCORED, method)


def plain_letters(text: str) -> str:
    """`text` with Arabic presentation forms replaced by the letters they show (NFKC, applied
    only to those, so nothing else in the text changes)."""
    if not _PRESENTATION_FORMS.search(text):
        return text
    return _PRESENTATION_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


def _ranked(confidences: list[Any]) -> list[tuple[str, float]]:
    return [(c.language.iso_code_639_1.name.lower(), c.value) for c in confidences]


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
