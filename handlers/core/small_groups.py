"""The small-group rule a table of groups follows beside its total (secondary suppression), for the
digest's breakdowns: one table per dimension beside the week's total. The console's filtered
figures, where tables can be combined, follow `handlers.explore.privacy`."""

from __future__ import annotations

from collections.abc import Sequence


def hide_the_rest(counts: Sequence[Sequence[int]], hidden: set[int], min_size: int) -> set[int]:
    """`hidden` grown by the smallest shown rows until, in every week, the hidden rows add up to
    none or at least `min_size`: the total minus the shown rows never gives a small group.

    `counts[row][week]` are each row's answers per week (one week for a digest). A row that is
    always hidden, such as the answers that name no group, is passed in `hidden` from the start."""
    hidden = set(hidden)
    weeks = range(len(counts[0])) if counts else range(0)

    def revealing() -> bool:
        return any(0 < sum(counts[row][week] for row in hidden) < min_size for week in weeks)

    while revealing():
        shown = [row for row in range(len(counts)) if row not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda row: sum(counts[row])))
    return hidden
