"""The small-group rules of every figure shown under filters: no group of fewer than N answers is
shown, directly or by difference.

Every figure the console can show is a marginal of one table: answers per week × agent ×
touchpoint × platform × language. Any figure is the total of a table of figures one group finer
(Ana's week = Ana in English + Ana in Urdu + …), so each such sum is an equation a reader can
solve. The rules, applied to every week on its own:

1. *Small*: a group with 1 to N−1 answers in a week is hidden.
2. *The rest of a table*: where a total is shown, the groups hidden below it add up to none or at
   least N (the total minus the shown groups is their sum), else the next smallest is hidden too.
3. *No lone unknown*: no equation has exactly one hidden member, however large. Otherwise the
   hidden one is the total minus the rest; and a group hidden only to protect a small one (Ana's 6
   Hungarian answers beside her 2 Urdu ones) would come back from another table (Hungarian by
   agent), and the small one with it.

The rules are applied to every table at once, again and again until nothing more is hidden (a
simple form of the secondary cell suppression statistical offices use for linked tables), so a
group hidden in one table is hidden in every table and filter that shows it; what one view hides,
another does not give back. Over several weeks, a group is shown only if it is shown in each of
its weeks: a range minus one of its weeks never gives a hidden week.

What this does not claim: hidden groups can still be bounded (between 0 and the hidden sum) by
combining equations; no single equation, and no chain of them with one unknown at a time, gives one
exactly.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from itertools import combinations

from storage.explorer import GROUPS, Cell

Selection = Mapping[str, str | None]  # {"agent": "Ana", "language": "ur"}: the cells a figure adds up (None: not given)
Key = tuple[tuple[str, str | None], ...]  # a selection in GROUPS order, hashable
Relation = tuple[Key, list[Key]]  # a total and the groups one finer that add up to it


def matches(cell: Cell, selection: Selection) -> bool:
    return all(cell.group(name) == value for name, value in selection.items())


def enough(cells: Sequence[Cell], selection: Selection, weeks: int, min_size: int) -> bool:
    """For a figure of one's own answers, which hides nothing from its reader: at least N answers,
    and none or at least N in each week (a smaller sample says little)."""
    counts = [0] * weeks
    for cell in cells:
        if matches(cell, selection):
            counts[cell.week] += cell.n
    return sum(counts) >= min_size and all(n == 0 or n >= min_size for n in counts)


def _key(selection: Selection) -> Key:
    return tuple((name, selection[name]) for name in GROUPS if name in selection)


def _order(key: Key) -> tuple[tuple[str, bool, str], ...]:
    """A fixed order of groups (None last), so that the same week is suppressed the same way in every view."""
    return tuple((name, value is None, value or "") for name, value in key)


class SmallGroups:
    """The rules with their threshold (`[anonymity] min_group_size`) over one filter's cells."""

    def __init__(self, cells: Sequence[Cell], weeks: int, min_size: int) -> None:
        self._min_size = min_size
        self._counts: list[dict[Key, int]] = [defaultdict(int) for _ in range(weeks)]
        for cell in cells:
            week = self._counts[cell.week]
            values = [(name, cell.group(name)) for name in GROUPS]
            for size in range(len(GROUPS) + 1):
                for chosen in combinations(values, size):
                    week[chosen] += cell.n
        self._hidden = [self._suppress(counts) for counts in self._counts]

    def _suppress(self, counts: Mapping[Key, int]) -> set[Key]:
        """One week's hidden groups: the small ones, then rules 2 and 3 in every table until none
        changes. A table is looked at again whenever one of its groups becomes hidden."""
        rank = {key: i for i, key in enumerate(sorted(counts, key=_order))}  # ties broken the same way every time
        relations = self._relations(counts, rank)
        member_of: dict[Key, list[int]] = defaultdict(list)
        for index, (total, rows) in enumerate(relations):
            for key in (total, *rows):
                member_of[key].append(index)
        hidden = {key for key, n in counts.items() if 0 < n < self._min_size}
        waiting, queued = deque(range(len(relations))), set(range(len(relations)))
        while waiting:
            index = waiting.popleft()
            queued.discard(index)
            total, rows = relations[index]
            while (row := self._next_to_hide(total, rows, counts, rank, hidden)) is not None:
                hidden.add(row)
                for other in member_of[row]:
                    if other not in queued:
                        waiting.append(other)
                        queued.add(other)
        return hidden

    @staticmethod
    def _relations(counts: Mapping[Key, int], rank: Mapping[Key, int]) -> list[Relation]:
        """Each total with its groups one dimension finer that have answers, in a fixed order."""
        children: dict[tuple[Key, str], list[Key]] = defaultdict(list)
        for key, n in counts.items():
            if n:
                for i, (name, _) in enumerate(key):
                    children[(key[:i] + key[i + 1 :], name)].append(key)
        ordered = sorted(children.items(), key=lambda item: (rank[item[0][0]], item[0][1]))
        return [(total, sorted(rows, key=rank.__getitem__)) for (total, _), rows in ordered]

    def _next_to_hide(
        self, total: Key, rows: list[Key], counts: Mapping[Key, int], rank: Mapping[Key, int], hidden: set[Key]
    ) -> Key | None:
        """What rule 2 or 3 needs hidden next in this table, else None: its smallest shown group, or
        its total when the one hidden group is all there is below it (Ana's answers all on one
        platform: her figure there is her figure)."""
        shown = [row for row in rows if row not in hidden]
        unknowns = len(rows) - len(shown) + (total in hidden)
        hidden_sum = sum(counts[row] for row in rows if row in hidden)
        if unknowns == 1 or (total not in hidden and 0 < hidden_sum < self._min_size):
            return min(shown, key=lambda row: (counts[row], rank[row])) if shown else total
        return None

    def shown(self, selection: Selection) -> bool:
        """Whether the figure over `selection` may be shown: at least N answers, and not hidden in
        any week it has answers in."""
        key = _key(selection)
        weekly = [counts.get(key, 0) for counts in self._counts]
        if sum(weekly) < self._min_size:
            return False
        return all(n == 0 or key not in hidden for n, hidden in zip(weekly, self._hidden, strict=True))


def coarse(count: int | None, min_size: int) -> int | None:
    """A count of suggestions as the console shows it: None below `min_size` ("fewer than N"),
    else rounded down to a multiple of it (shown as "10+"). The last four weeks' count of a theme
    beside the last eight weeks' would otherwise give weeks five to eight exactly, one person's
    suggestion included; rounded, two windows differ by a range, never by a number."""
    if count is None or count < min_size:
        return None
    return count - count % min_size
