"""Benchmark: the multilingual text model against the TF-IDF fallback, in one run.

Prints the model's load time and resident memory, sentences embedded per second (2 cores), and
the time to group 1,000 and 10,000 suggestions into themes (centring and clustering, embeddings
given) against TF-IDF on the same texts; the suggestions are the labelled set's sentences in
every shipped language, varied so no two are the same. Embedding 10,000 new texts takes minutes;
the embedding cache (tested in tests/test_suggestions.py) makes every later report skip it.

    .venv/bin/python bench/text_model.py [--sizes 1000,10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, print_table, rss_mib
from handlers.text.model import TextModel
from handlers.text.themes import find_themes, model_themes
from handlers.text.topics import TOPICS

SUGGESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggestions.tsv"
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


def measure(sizes: list[int]) -> list[Row]:
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
        Row("text model load (engine, weights, anchors)", f"{load:.2f} s, +{loaded - before:.0f} MB RSS"),
        Row("sentences embedded per second", f"{rate:,.0f}/s", "", None, "a report embeds only new texts"),
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
    args = parser.parse_args()
    print_table("Text model", measure([int(size) for size in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
