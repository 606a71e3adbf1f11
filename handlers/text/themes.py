"""Grouping suggestions into themes, in any script, with no model to download.

TF-IDF on character n-grams (within word boundaries) matches inflected and re-worded phrasings
("waited too long" / "waiting time is too long", "várni" / "várakozás") in Latin, Arabic and
Devanagari script alike; average-linkage clustering on cosine distance then groups them. The same
complaint written in two languages shares no characters and forms two themes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Words too common to name a theme.
_COMMON_WORDS = {
    "en": """a an the and or but is are was were be been it its this that these those i we you they he she my our
             your their me us of in on at to for from with by as not no too very so than then there here have has
             had do does did can could will would should just also all any some more most much many get got one""",
    "hu": "az egy és vagy de is nem nagyon volt van hogy ez azt ami mert meg még már csak túl",
    "ur": "کا کی کے ہے ہیں تھا تھی تھے اور میں سے کو پر نے یہ وہ بہت بھی نہیں ہو گیا کر",
    "hi": "का की के है हैं था थी थे और में से को पर ने यह वह बहुत भी नहीं हो गया कर",
}
_STOPWORDS = frozenset(word for words in _COMMON_WORDS.values() for word in words.split())
_WORD = re.compile(r"[^\s.,!?;:،۔।\"'()\[\]{}…\-–—/]+")
DEFAULT_DISTANCE = 0.8


@dataclass(frozen=True, slots=True)
class Theme:
    label: str | None  # words shared by at least two of its suggestions; None for a one-off
    members: tuple[int, ...]  # indices into the texts given


def find_themes(texts: Sequence[str], *, distance: float = DEFAULT_DISTANCE) -> list[Theme]:
    """Cluster `texts`; largest theme first. Fine for a few thousand texts (pairwise distances)."""
    if not texts:
        return []
    if len(texts) == 1:
        return [Theme(None, (0,))]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit_transform(
        [text.lower() for text in texts]
    )
    clustering = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance
    ).fit(vectors.toarray())
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(clustering.labels_):
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
