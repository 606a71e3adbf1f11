"""Training the sentiment head (`handlers.text.head`) from labelled sentences, and measuring it.

    .venv/bin/python -m handlers.text.training      # writes handlers/text/data/sentiment_head.npz

The sentences are `data/sentiment_*.tsv` (written for Sayso in English, Hindi, Hungarian and
Urdu: service comments, product and film reviews, news sentences and posts, with negated praise,
"good, but …", irony and plain statements; no third-party text, see THIRD_PARTY_NOTICES.md) and the
anchor sentences. Every fifth sentence of each language and label is held out: the head never
sees it, and `bench/text_model.py` measures on it. The same run is deterministic (lbfgs, fixed
folds), so the file changes only when the sentences or the embeddings do.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handlers.text.anchors import ANCHORS
from handlers.text.head import CLASSES, HEAD_FILE, Calibration, SentimentHead

DATA = Path(__file__).with_name("data")
HELD_OUT_EVERY = 5  # every fifth sentence of a language and label is kept for measuring
# sklearn's C. Cross-validation on these sentences prefers 10, but they are all one writer's: on
# public text by others (see `bench/text_model.py --labelled`) C=10 alerted on a quarter of
# Hungarian and a third of Urdu praise, C=1 on half as much, with the same or better ranking.
REGULARISATION = 1.0
FOLDS = 5
_ANCHOR_LABEL = {"positive": "pos", "negative": "neg", "neutral": "neu"}


@dataclass(frozen=True, slots=True)
class Labelled:
    language: str
    label: str  # one of CLASSES
    kind: str  # service, product, movie, news, tweet, anchor
    text: str


@dataclass(frozen=True, slots=True)
class Reach:
    """How a scorer does on one language's labelled sentences (plain statements left out)."""

    language: str
    count: int
    accuracy: float  # the sign of the polarity agrees with the label
    balanced_accuracy: float  # the mean of the two classes' accuracies: public sets are often lopsided
    ranking: float  # ROC AUC: the chance a random complaint scores below a random praise, whatever the cut
    complaints_alerted: float  # share of negatives at or below the alert's threshold
    praise_alerted: float  # share of positives at or below it: false alerts


def labelled() -> list[Labelled]:
    rows = []
    for path in sorted(DATA.glob("sentiment_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                language, label, kind, text = line.split("\t")
                rows.append(Labelled(language, label, kind, text))
    for language, groups in ANCHORS.items():
        for name, texts in groups.items():
            rows.extend(Labelled(language, _ANCHOR_LABEL[name], "anchor", text) for text in texts)
    return rows


def split(rows: Sequence[Labelled]) -> tuple[list[Labelled], list[Labelled]]:
    """(training, held out): every fifth of each language and label is held out."""
    seen: dict[tuple[str, str], int] = {}
    training: list[Labelled] = []
    held_out: list[Labelled] = []
    for row in rows:
        index = seen[row.language, row.label] = seen.get((row.language, row.label), -1) + 1
        (held_out if index % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 else training).append(row)
    return training, held_out


def train(rows: Sequence[Labelled], vectors: np.ndarray, model_version: str) -> SentimentHead:
    """The head on `rows` (their embeddings in `vectors`), calibrated per language on
    out-of-fold logits, so the calibration never sees the predictions of a head that saw the row."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([CLASSES.index(row.label) for row in rows])
    strata = [f"{row.language}{row.label}" for row in rows]

    def fitted(index: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=REGULARISATION, max_iter=5000).fit(vectors[index], labels[index])

    out_of_fold = np.zeros((len(rows), len(CLASSES)))
    for inside, outside in StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(vectors, strata):
        out_of_fold[outside] = fitted(inside).decision_function(vectors[outside])
    final = fitted(np.arange(len(rows)))
    languages = sorted({row.language for row in rows})
    calibration = {
        language: _calibrated(
            out_of_fold[[r.language == language for r in rows]], labels[[r.language == language for r in rows]]
        )
        for language in languages
    }
    return SentimentHead(
        final.coef_.astype(np.float32), final.intercept_.astype(np.float32), calibration, model_version
    )


def _calibrated(logits: np.ndarray, labels: np.ndarray) -> Calibration:
    """The temperature and class biases that minimise the log loss of one language's logits,
    held near (1, 0) so a few sentences cannot pull them far."""
    from scipy.optimize import minimize

    def loss(params: np.ndarray) -> float:
        temperature, bias = np.exp(params[0]), np.array([params[1], 0.0, params[2]])
        z = logits / temperature + bias
        z -= z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(labels)), labels].mean() + 0.01 * (params @ params))

    best = minimize(loss, np.zeros(3), method="Nelder-Mead").x
    return Calibration(float(np.exp(best[0])), (float(best[1]), 0.0, float(best[2])))


def reach(rows: Sequence[Labelled], polarities: Sequence[float | None], *, alert_at: float) -> list[Reach]:
    """Per language, over the positive and negative rows. An unscored row counts as wrong, and as
    neutral (0) for the ranking."""
    figures = []
    for language in sorted({row.language for row in rows}):
        pairs = [(row.label, p) for row, p in zip(rows, polarities, strict=True) if row.language == language]
        negatives = [p for label, p in pairs if label == "neg"]
        positives = [p for label, p in pairs if label == "pos"]
        negatives_right = sum(p is not None and p < 0 for p in negatives) / max(1, len(negatives))
        positives_right = sum(p is not None and p > 0 for p in positives) / max(1, len(positives))
        right = negatives_right * len(negatives) + positives_right * len(positives)
        figures.append(
            Reach(
                language,
                len(negatives) + len(positives),
                right / max(1, len(negatives) + len(positives)),
                (negatives_right + positives_right) / 2,
                _ranking([p or 0.0 for p in negatives], [p or 0.0 for p in positives]),
                sum(p is not None and p <= alert_at for p in negatives) / max(1, len(negatives)),
                sum(p is not None and p <= alert_at for p in positives) / max(1, len(positives)),
            )
        )
    return figures


def _ranking(negatives: Sequence[float], positives: Sequence[float]) -> float:
    """ROC AUC of the polarity separating praise from complaints, by the Mann–Whitney rank sum
    (ties count half)."""
    from scipy.stats import rankdata

    if not negatives or not positives:
        return float("nan")
    ranks = rankdata(np.r_[negatives, positives])
    above = ranks[len(negatives) :].sum() - len(positives) * (len(positives) + 1) / 2
    return float(above / (len(negatives) * len(positives)))


def read_labelled(path: Path) -> list[Labelled]:
    """Labelled text from a TSV of `language<TAB>label<TAB>text` (label: pos/neg/neu or
    positive/negative/neutral; `#` starts a comment line), e.g. a public set kept outside the
    repository for measuring; `sayso text score` reads the same texts one per line."""
    names = {"positive": "pos", "negative": "neg", "neutral": "neu"}
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t", 2)
        if len(fields) < 3:
            raise ValueError(f"{path.name}:{number}: expected language, label and text separated by tabs")
        language, label, text = fields
        label = names.get(label.strip().lower(), label.strip().lower())
        if label not in CLASSES:
            raise ValueError(f"{path.name}:{number}: the label {label!r} is not pos, neg or neu")
        rows.append(Labelled(language.strip(), label, path.stem, text.strip()))
    return rows


def main() -> None:
    from handlers.text.model import MODEL_VERSION, TextModel

    model = TextModel()
    if not model.load():
        sys.exit(f"the text model cannot load: {model.problem}")
    training, held_out = split(labelled())
    head = train(training, model.embed([row.text for row in training]), MODEL_VERSION)
    head.save(HEAD_FILE)
    vectors = model.embed([row.text for row in held_out])
    polarities: list[float | None] = []
    for row, vector in zip(held_out, vectors, strict=True):
        polarities.append(float(head.polarity(vector[None, :], row.language)[0]))
    print(f"wrote {HEAD_FILE} from {len(training)} sentences; held out {len(held_out)}")
    for figure in reach(held_out, polarities, alert_at=-0.5):
        print(
            f"  {figure.language}: n={figure.count} accuracy {figure.accuracy:.1%}, AUC {figure.ranking:.3f}, "
            f"complaints alerted {figure.complaints_alerted:.0%}, praise alerted {figure.praise_alerted:.0%}"
        )


if __name__ == "__main__":
    main()
