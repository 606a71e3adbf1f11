"""The console's small-group rules on their own (`handlers.explore.privacy`), over random weeks: a
reader who has every figure the rules let through, and solves every equation with one unknown
again and again, learns no group of 1 to N−1 answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.explore.privacy import SmallGroups
from storage.explorer import GROUPS, Cell

MIN = 5
VALUES = {"agent": ["Ana", "Bilal", "Chen"], "touchpoint": ["chat", "phone", None], "platform": ["web"]}
VALUES["language"] = ["en", "hu", "ur"]

cells_of_a_week = st.dictionaries(
    st.tuples(*(st.sampled_from(VALUES[name]) for name in GROUPS)),
    st.integers(min_value=1, max_value=14),
    min_size=1,
    max_size=30,
)


def truth_of(rows: Iterable[tuple[Sequence[tuple[str, str | None]], int]]) -> dict[tuple, int]:
    """Every group's true count, from rows of (their groups in GROUPS order, answers):
    (("agent", "Ana"), ("language", "hu")) → n."""
    truth: dict[tuple, int] = {}
    for values, n in rows:
        for size in range(len(values) + 1):
            for key in combinations(values, size):
                truth[key] = truth.get(key, 0) + n
    return truth


def solved_from(published: dict[tuple, int], truth: dict[tuple, int]) -> dict[tuple, int]:
    """`published` grown by every group a reader can solve for: a total and the groups one finer
    that add up to it (Ana = Ana in en + Ana in hu + …), with exactly one of them not known, give
    that one; again and again, until nothing more comes out."""
    tables: dict[tuple[tuple, str], list[tuple]] = {}
    for key in truth:
        for i, (name, _) in enumerate(key):
            tables.setdefault((key[:i] + key[i + 1 :], name), []).append(key)
    known = dict(published)
    changed = True
    while changed:
        changed = False
        for (total, _), rows in tables.items():
            unknown = [member for member in (total, *rows) if member not in known]
            if len(unknown) == 1:
                (missing,) = unknown
                rest = sum(known[row] for row in rows if row != missing)
                known[missing] = rest if missing == total else known[total] - rest
                changed = True
    return known


@settings(max_examples=150, deadline=None)
@given(cells_of_a_week)
def test_no_small_group_is_published_or_solvable(week):
    truth = truth_of((list(zip(GROUPS, groups, strict=True)), n) for groups, n in week.items())
    rules = SmallGroups([Cell(0, *groups, n, 4.0 * n, 16.0 * n, n, 0) for groups, n in week.items()], 1, MIN)
    published = {key: n for key, n in truth.items() if rules.shown(dict(key))}
    solved = solved_from(published, truth)
    assert {key: n for key, n in solved.items() if n < MIN} == {}
    assert all(truth[key] == n for key, n in solved.items())


def test_a_busy_week_keeps_its_big_figures():
    """The rules hide what protects the small groups, not everything: with one small cell, the
    whole week and most groups stay."""
    week = {(agent, "chat", "web", language): 12 for agent in VALUES["agent"] for language in VALUES["language"]}
    week[("Ana", "phone", "web", "ur")] = 2
    rules = SmallGroups([Cell(0, *groups, n, 4.0 * n, 16.0 * n, n, 0) for groups, n in week.items()], 1, MIN)
    assert rules.shown({}) and rules.shown({"agent": "Bilal"}) and rules.shown({"language": "en"})
    assert not rules.shown({"agent": "Ana", "touchpoint": "phone"})
    assert rules.shown({"agent": "Ana", "language": "ur"})  # 14: the 2 and the 12 beside them
    assert not rules.shown({"agent": "Ana", "touchpoint": "chat", "language": "ur"})  # 14 − 12 would be the 2
