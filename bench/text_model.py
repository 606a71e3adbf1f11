"""Benchmark: the multilingual text model against its baselines, in one run.

Reading: per language, on the held-out fifth of the labelled sentences (never seen by the head;
`handlers.text.training.split`) and on the survey comments of tests/data/comments.tsv, the sign
accuracy and the low-comment alert's reach (complaints and praise at or below −0.5), for the
shipped head (`e5-head`) beside the method it replaced (`e5-anchors`: the three nearest anchor
sentences per polarity, as Sayso scored until this head), computed in the same run.

With `--labelled FILE.tsv …` (`language<TAB>label<TAB>text`, as
`handlers.text.training.read_labelled` reads it), the same figures, with the balanced accuracy and
the ranking (ROC AUC), on text kept outside the repository: public labelled sets by other
writers, or an operator's own customers' comments. Sayso ships none of that text.

Speed: the model's load time and resident memory, sentences embedded per second (2 cores), and
the time to group 1,000 and 10,000 suggestions into themes (centring and clustering, embeddings
given) against TF-IDF on the same texts; the suggestions are the labelled set's sentences in
every shipped language, varied so no two are the same. Embedding 10,000 new texts takes minutes;
the embedding cache (tested in tests/test_suggestions.py) makes every later report skip it.

    .venv/bin/python bench/text_model.py [--sizes 1000,10000] [--labelled FILE.tsv ...]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import Row, print_table, rss_mib
from handlers.text.anchors import ANCHORS
from handlers.text.model import TextModel
from handlers.text.themes import find_themes, model_themes
from handlers.text.topics import TOPICS
from handlers.text.training import Labelled, Reach, labelled, reach, read_labelled, split

SUGGESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggestions.tsv"
COMMENTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "comments.tsv"
ALERT_AT = -0.5  # [alerts] sentiment_at_most's default
ENDINGS = {
    "en": ["", " Thanks.", " Please.", " Every week.", " Again."],
    "ur": ["", " شکریہ۔", " براہ کرم۔"],
    "hi": ["", " धन्यवाद।", " कृपया।"],
    "hu": ["", " Köszönöm.", " Kérem."],
}


def suggestions(count: int) -> tuple[list[str], list[str]]:
    lines = SUGGESTIONS.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    rng, texts, languages = random.Random(1), [], []
    for i in range(count):
        _, language, text = rows[i % len(rows)]
        texts.append(f"{text}{rng.choice(ENDINGS[language])} #{i}")  # distinct texts, as real ones are
        languages.append(language)
    return texts, languages


def anchor_polarities(model: TextModel, rows: list[Labelled]) -> list[float]:
    """The replaced method: softmax (sharpness 80) over the mean similarity to the three nearest
    anchor sentences of each polarity; positive minus negative."""
    groups = {
        language: [model.embed(texts[name]) for name in ("positive", "negative", "neutral")]
        for language, texts in ANCHORS.items()
    }
    vectors = model.embed([row.text for row in rows])
    polarities = []
    for row, vector in zip(rows, vectors, strict=True):
        nearest = np.array([np.sort(group @ vector)[-3:].mean() for group in groups[row.language]])
        weights = np.exp(80.0 * (nearest - nearest.max()))
        positive, negative, _ = weights / weights.sum()
        polarities.append(float(positive - negative))
    return polarities


def comment_rows() -> list[Labelled]:
    lines = [line.split("\t") for line in COMMENTS.read_text(encoding="utf-8").splitlines()]
    return [
        Labelled(language, label, "comment", text) for language, label, text in lines if not language.startswith("#")
    ]


def reading(model: TextModel, files: list[Path]) -> list[Row]:
    _, held_out = split(labelled())
    samples = [("held-out sentences", held_out), ("survey comments", comment_rows())]
    samples += [(path.name, read_labelled(path)) for path in files]
    rows = []
    for name, sample in samples:
        head = reach(sample, [model.polarity(row.text, row.language) for row in sample], alert_at=ALERT_AT)
        anchors = reach(sample, anchor_polarities(model, sample), alert_at=ALERT_AT)
        for mine, theirs in zip(head, anchors, strict=True):
            rows.append(
                Row(
                    f"{name}, {mine.language} (n={mine.count}): sign right (balanced), AUC; complaints/praise alerted",
                    _figures(mine),
                    f"{_figures(theirs)} anchors",
                    mine.accuracy / theirs.accuracy if theirs.accuracy else None,
                    "≥70% complaints, ≤5% praise",
                )
            )
    return rows


def _figures(reach: Reach) -> str:
    return (
        f"{reach.accuracy:.1%} ({reach.balanced_accuracy:.1%}), {reach.ranking:.3f}; "
        f"{reach.complaints_alerted:.0%} / {reach.praise_alerted:.0%}"
    )


def measure(sizes: list[int], files: list[Path]) -> list[Row]:
    before = rss_mib()
    started = time.perf_counter()
    model = TextModel()
    assert model.load(), model.problem
    load = time.perf_counter() - started
    loaded = rss_mib()
    sample, _ = suggestions(400)
    started = time.perf_counter()
    model.embed(sample)
    rate = len(sample) / (time.perf_counter() - started)
    rows = [
        Row("text model load (engine, weights, head)", f"{load:.2f} s, +{loaded - before:.0f} MB RSS"),
        Row("sentences embedded per second", f"{rate:,.0f}/s", "", None, "a report embeds only new texts"),
        *reading(model, files),
    ]
    topics = (TOPICS["en"], model.embed(TOPICS["en"]))
    for size in sizes:
        texts, languages = suggestions(size)
        vectors = model.embed(texts)
        started = time.perf_counter()
        model_themes(texts, vectors, model.centred(vectors, languages), languages, staff_language="en", topics=topics)
        clustered = time.perf_counter() - started
        started = time.perf_counter()
        find_themes(texts)
        fallback = time.perf_counter() - started
        rows.append(
            Row(
                f"themes of {size:,} suggestions (embeddings cached)",
                f"{clustered:.2f} s",
                f"{fallback:.2f} s TF-IDF",
                clustered / fallback,
            )
        )
    rows.append(Row("peak resident memory of this run", f"{rss_mib():,.0f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--labelled", nargs="*", type=Path, default=[], metavar="FILE.tsv")
    args = parser.parse_args()
    print_table("Text model", measure([int(size) for size in args.sizes.split(",")], args.labelled))


if __name__ == "__main__":
    main()
