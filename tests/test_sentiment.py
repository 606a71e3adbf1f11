"""Free-text sentiment: English scored with TextBlob, other languages detected and left unscored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.models import SentimentStatus

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize(
    ("text", "hint", "language", "sign"),
    [
        ("Quick and kind, the agent solved everything", "en", "en", 1),
        ("Terrible, slow and rude.", None, "en", -1),
        ("بہت دیر سے جواب آیا", "en", "ur", None),
        ("जवाब बहुत देर से आया", None, "hi", None),
        ("Nagyon lassú volt a válasz", "en", "hu", None),
        ("ok", "hu", "hu", None),  # too short to tell: the survey's language decides
    ],
)
def test_analyze(analyzer, text, hint, language, sign):
    verdict = analyzer.analyze(text, hint)
    assert verdict.language == language
    if sign is None:
        assert verdict.status is SentimentStatus.NOT_SCORED and verdict.polarity is None
    else:
        assert verdict.status is SentimentStatus.SCORED and verdict.polarity * sign > 0


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is beside the checkout in CI and on developer machines")
@pytest.mark.parametrize(("name", "language"), [("000", "ur"), ("001", "hu"), ("003", "hi"), ("004", "ur")])
def test_seed_articles_are_detected_and_not_scored(analyzer, name, language):
    text = next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    paragraph = max(text.split("\n\n"), key=len)[:500]
    verdict = analyzer.analyze(paragraph, "en")
    assert verdict.language == language and verdict.status is SentimentStatus.NOT_SCORED


def test_works_offline_without_any_nltk_data(tmp_path):
    """No corpus is downloaded or needed: NLTK_DATA points at an empty folder and the network is absent."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled in this test')\n"
        "socket.socket.connect = refuse\n"
        "from handlers.text.sentiment import TextAnalyzer\n"
        "v = TextAnalyzer().analyze('The staff were wonderful and helpful', 'en')\n"
        "print(v.status, round(v.polarity, 2))\n"
    )
    env = {**os.environ, "NLTK_DATA": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    status, polarity = result.stdout.split()
    assert status == "scored" and float(polarity) > 0
    assert list(tmp_path.iterdir()) == []


def test_a_broken_scorer_keeps_the_answer_unscored(analyzer, monkeypatch):
    import textblob

    def unavailable(*_args, **_kwargs):
        raise LookupError("Resource punkt not found")

    monkeypatch.setattr(textblob, "TextBlob", unavailable)
    verdict = analyzer.analyze("Great service, thank you", "en")
    assert verdict.language == "en" and verdict.status is SentimentStatus.NOT_SCORED and verdict.polarity is None


COMMENTS = Path(__file__).with_name("data") / "comments.tsv"


def labelled_comments() -> list[tuple[str, str, str]]:
    """(language, polarity label, text) of the hand-written comment set in tests/data."""
    rows = [line.rstrip("\n").split("\t") for line in COMMENTS.read_text(encoding="utf-8").splitlines()]
    return [(language, label, text) for language, label, text in rows if not language.startswith("#")]


def test_short_comments_in_every_shipped_language_are_detected(analyzer):
    """Without a hint: the screening pass alone reads some of these as Tagalog or Persian."""
    wrong = [(language, text) for language, _, text in labelled_comments() if analyzer.detect(text) != language]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "language"),
    [("Muy mal servicio, nadie me respondió.", "es"), ("Sehr schlechter Service, niemand hat geantwortet.", "de"),
     ("Le service était très lent.", "fr"), ("Terrible, I was cut off twice", "en"), ("ok thanks", "en"),
     ("بدترین سروس، بالکل بیکار۔", "ur"), ("خدمات بسیار بد بود و کسی جواب نداد.", "fa"),
     ("الخدمة سيئة جدا ولم يرد أحد", "ar"), ("Obrigado, o atendimento foi ótimo", "pt")],
)  # fmt: skip
def test_other_languages_are_told_apart_from_the_shipped_ones(analyzer, text, language):
    assert analyzer.detect(text, "en") == language
