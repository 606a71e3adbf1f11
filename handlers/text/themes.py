"""Grouping suggestions into themes, across languages and scripts.

With the text model, suggestions are clustered on their embeddings after each language's own
direction is taken away (`TextModel.centred`): average-linkage on cosine distance; two clusters
that staff would read under the same name and that lie near each other are one theme. On two
hand-written sets, each complaint twice in en/ur/hi/hu (tests/data/suggestions.tsv: six
complaints; tests/data/near_themes.tsv: three pairs of neighbours, a refund not arriving vs a
parcel arriving late, the app crashing vs the website being slow, a double charge vs a refused
card), the adjusted Rand index is 0.94 on each (0.88 before same-named clusters were joined),
against 0.06 for the fallback below; no theme joins two neighbours.

Without the model: TF-IDF on character n-grams (within word boundaries), which matches inflected
and re-worded phrasings in one language ("waited too long" / "waiting time is too long") but
splits one complaint written in two languages into two themes.

A label is what staff read: words that at least two members written in the staff's language
share (never stop words), else the support topic from `handlers.text.topics` nearest the theme,
in the staff's language. Either way a label never quotes one person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Words too common to name a theme.
_COMMON_WORDS = {
    "en": """a an the and or but is are was were be been it its this that these those i we you they he she my our
             your their me us of in on at to for from with by as not no too very so than then there here have has
             had do does did can could will would should just also all any some more most much many get got one
             please still yet every each after before when who what which why how again other even about into
             ago since time times whenever""",
    "hu": """az egy és vagy de is nem nagyon volt van hogy ez azt ami mert meg még már csak túl kérem kérjük
             minden mindig soha sem után előtt amikor akik aki ami ezt azt egész legyen lenne lesz vannak voltak
             nekem nekünk nálunk itt ott mire mint mert pedig vagyok vagyunk lett kell kellene szeretném""",
    "ur": """کا کی کے ہے ہیں تھا تھی تھے اور میں سے کو پر نے یہ وہ بہت بھی نہیں ہو گیا کر براہ کرم
             میرا میری میرے ہم آپ اپنے اپنی اپنا جب بعد پہلے کبھی ہر ایک کچھ کریں کرتا کرتی رہا رہی رہے لیے
             ابھی تک بھی جاتی جاتا ہوں گا گی گے دن""",
    "hi": """का की के है हैं था थी थे और में से को पर ने यह वह बहुत भी नहीं हो गया कर कृपया
             मेरा मेरी मेरे हम आप अपने अपनी अपना जब बाद पहले कभी हर एक कुछ कीजिए करता करती रहा रही रहे लिए
             अभी तक भी जाता जाती हूँ गा गी गे दिन""",
}
_STOPWORDS = frozenset(word for words in _COMMON_WORDS.values() for word in words.split())
_WORD = re.compile(r"[^\s.,!?;:،۔।\"'()\[\]{}…\-–—/]+")
DEFAULT_DISTANCE = 0.8  # TF-IDF fallback
# On centred embeddings; measured on tests/data/suggestions.tsv (ARI 0.88; 0.81 with one language
# over-represented) and on one complaint in one language (ARI 1.0); 0.75 merges more, 0.6 splits.
MODEL_DISTANCE = 0.7
SAME_NAME_DISTANCE = 0.8  # between the centres of two clusters of the same name (see `_near`)


@dataclass(frozen=True, slots=True)
class Theme:
    label: str | None  # words shared by at least two of its suggestions; None for a one-off
    members: tuple[int, ...]  # indices into the texts given


def model_themes(
    texts: Sequence[str],
    vectors: np.ndarray,
    centred: np.ndarray,
    languages: Sequence[str | None],
    *,
    staff_language: str,
    topics: tuple[Sequence[str], np.ndarray],
    distance: float = MODEL_DISTANCE,
) -> list[Theme]:
    """Cluster `texts` on their language-centred embeddings (`TextModel.centred`); largest theme
    first. `topics` are the support topics in the staff's language and their embeddings, for
    labels. Pairwise distances: fine for tens of thousands of texts at 384 dimensions."""
    if len(texts) < 2:
        return [Theme(None, (0,))] if texts else []
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(_cluster(centred, distance)):
        groups.setdefault(int(label), []).append(index)
    themes: list[Theme] = []
    for members in groups.values():
        label = _shared_label(texts, languages, members, staff_language)
        if label is None and len(members) >= 2:
            label = _nearest_topic(vectors[members].mean(axis=0), *topics)
        twin = next((n for n, theme in enumerate(themes) if label and theme.label == label), None)
        if twin is not None and _near(centred, themes[twin].members, members):
            themes[twin] = Theme(label, tuple(sorted((*themes[twin].members, *members))))
        else:
            themes.append(Theme(label, tuple(members)))
    return sorted(themes, key=lambda theme: (-len(theme.members), theme.label or ""))


def _near(centred: np.ndarray, one: Sequence[int], other: Sequence[int]) -> bool:
    """Two clusters that staff would read under one name are one theme (one complaint in two
    phrasings) when their centres are within `SAME_NAME_DISTANCE`; neighbours that the topics
    happen to name alike (a double charge and a refund, both "refund") stay apart."""
    a, b = centred[list(one)].mean(axis=0), centred[list(other)].mean(axis=0)
    return float(1 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) <= SAME_NAME_DISTANCE


def _cluster(vectors: np.ndarray, distance: float) -> np.ndarray:
    """Average-linkage clusters on cosine distance. Beyond `_DIRECT` texts the pairwise matrix
    would cost gigabytes (10,000 texts: 400 MB at least), so k-means first gathers them into
    fine groups (a tenth as many) and the linkage runs on those groups' centres."""
    from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans

    def linkage(points: np.ndarray) -> np.ndarray:
        found = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
        ).fit(points)
        return np.asarray(found.labels_)

    if len(vectors) <= _DIRECT:
        return linkage(vectors)
    fine = MiniBatchKMeans(n_clusters=len(vectors) // 10, random_state=0, n_init=1, batch_size=2048).fit(vectors)
    return linkage(fine.cluster_centers_)[fine.labels_]


_DIRECT = 3000


def _shared_label(
    texts: Sequence[str], languages: Sequence[str | None], members: Sequence[int], staff_language: str
) -> str | None:
    """Words the members written in the staff's language share, if two or more are."""
    return _label([texts[i] for i in members if languages[i] == staff_language])


def _nearest_topic(centre: np.ndarray, names: Sequence[str], vectors: np.ndarray) -> str | None:
    if not names:
        return None
    return names[int(np.argmax(vectors @ centre))]


def find_themes(texts: Sequence[str], *, distance: float = DEFAULT_DISTANCE) -> list[Theme]:
    """Cluster `texts` by TF-IDF (the fallback without the model); largest theme first. Beyond
    `_DIRECT` texts the sparse vectors are reduced to 256 dimensions first (a dense copy of them
    all would not fit in memory)."""
    if not texts:
        return []
    if len(texts) == 1:
        return [Theme(None, (0,))]
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    sparse = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(
        [text.lower() for text in texts]
    )
    dense = sparse.toarray() if len(texts) <= _DIRECT else TruncatedSVD(256, random_state=0).fit_transform(sparse)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(_cluster(np.asarray(dense), distance)):
        groups.setdefault(int(label), []).append(index)
    themes = [Theme(_label([texts[i] for i in members]), tuple(members)) for members in groups.values()]
    return sorted(themes, key=lambda theme: (-len(theme.members), theme.label or ""))


def _words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in _STOPWORDS}


def _label(texts: Sequence[str], size: int = 3) -> str | None:
    """The words most members share. Only words at least two suggestions use, so a label never
    quotes one person."""
    if len(texts) < 2:
        return None
    shared = Counter(word for text in texts for word in _words(text))
    common = [word for word, n in shared.most_common() if n >= 2]
    return " · ".join(common[:size]) or None
