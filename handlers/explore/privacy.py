"""The small-group rules of every figure shown under filters: no group of fewer than N answers is
shown, directly or by difference.

Three ways a difference could reveal a small group, and the rule against each:
1. Weeks: a group over weeks 47–48 minus the same group over week 48 is its week 47. So a figure
   over several weeks is shown only if, in each of its weeks, it has none or at least N answers.
2. All but one: a filter that keeps all but a few answers of the week (every agent but one whose
   week was small) minus the unfiltered week (on the Overview) is that small group. So a filtered
   figure is shown only if, for each filter, what that filter leaves out is, in each week, none
   or at least N answers.
3. The rest of a table: a total beside all its groups but one small one gives that one. So when
   the hidden groups of a table add up to fewer than N in some week, the next smallest groups are
   hidden too (secondary suppression) until they do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from handlers.core.small_groups import hide_the_rest
from storage.explorer import Cell

Selection = Mapping[str, str | None]  # {"agent": "Ana", "language": "ur"}: the cells a figure adds up (None: not given)


def matches(cell: Cell, selection: Selection) -> bool:
    return all(cell.group(name) == value for name, value in selection.items())


def per_week(cells: Iterable[Cell], selection: Selection, weeks: int) -> list[int]:
    counts = [0] * weeks
    for cell in cells:
        if matches(cell, selection):
            counts[cell.week] += cell.n
    return counts


@dataclass(frozen=True, slots=True)
class SmallGroups:
    """The rules with their threshold (`[anonymity] min_group_size`) over one filter's cells."""

    cells: Sequence[Cell]
    weeks: int
    min_size: int

    def safe(self, counts: Sequence[int]) -> bool:
        return all(n == 0 or n >= self.min_size for n in counts)

    def shown(self, selection: Selection) -> bool:
        """Rules 1 and 2 for the figure over `selection`."""
        mine = per_week(self.cells, selection, self.weeks)
        if sum(mine) < self.min_size or not self.safe(mine):
            return False
        for name in selection:
            parent = per_week(self.cells, {k: v for k, v in selection.items() if k != name}, self.weeks)
            if not self.safe([whole - part for whole, part in zip(parent, mine, strict=True)]):
                return False
        return True

    def hidden_rows(self, rows: Sequence[Selection], *, total_shown: bool) -> set[int]:
        """Indices of a table's rows to hide: those that fail rules 1 and 2, then (rule 3, while
        the table's total is shown) the smallest of the rest until the hidden rows add up, in
        every week, to none or at least N."""
        hidden = {i for i, row in enumerate(rows) if not self.shown(row)}
        if not total_shown:
            return hidden
        counts = [per_week(self.cells, row, self.weeks) for row in rows]
        return hide_the_rest(counts, hidden, self.min_size)


def coarse(count: int | None, min_size: int) -> int | None:
    """A count of suggestions as the console shows it: None below `min_size` ("fewer than N"),
    else rounded down to a multiple of it (shown as "10+"). The last four weeks' count of a theme
    beside the last eight weeks' would otherwise give weeks five to eight exactly, one person's
    suggestion included; rounded, two windows differ by a range, never by a number."""
    if count is None or count < min_size:
        return None
    return count - count % min_size
