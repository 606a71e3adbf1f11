"""Figures per agent, touchpoint, platform and language over the filtered responses: the digest's
statistics (a share with its Wilson range for CSAT, a net score with its margin for NPS, a mean for
CES) on the survey's headline answers, each shown only under the small-group rules
(`handlers.explore.privacy`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.core.context import Context
from handlers.core.weeks import week_bounds
from handlers.digest.figures import CES, CSAT, NPS, headline_statistic
from handlers.digest.statistics import Mean, NetScore, Share
from handlers.explore.privacy import Selection, SmallGroups, enough, matches
from storage.explorer import GROUPS, Cell, ResponseFilter, headline_cells
from storage.figures import Measure, Moments

MEASURES = {"csat": CSAT, "nps": NPS, "ces": CES}
Statistic = Share | NetScore | Mean


@dataclass(frozen=True, slots=True)
class Figure:
    name: str | None  # the group's value (None: not given, e.g. no touchpoint), or the table's total
    statistic: Statistic | None  # None when hidden: "fewer than N"

    @property
    def n(self) -> int | None:
        return self.statistic.n if self.statistic is not None else None


@dataclass(frozen=True, slots=True)
class FigureTable:
    dimension: str  # agent, touchpoint, platform, language; "scorecard" for an agent's own view
    rows: list[Figure]


@dataclass(frozen=True, slots=True)
class Figures:
    survey: str
    total: Figure  # the filtered responses as a whole
    tables: list[FigureTable]
    min_size: int


def statistic(cells: Sequence[Cell], selection: Selection, measure: Measure) -> Statistic | None:
    """`measure`'s statistic over the cells of `selection`, as the digest reads it."""
    mine = [cell for cell in cells if matches(cell, selection)]
    summed = Moments(
        None,
        sum(cell.n for cell in mine),
        sum(cell.total for cell in mine),
        sum(cell.total_sq for cell in mine),
        sum(cell.top for cell in mine),
        sum(cell.bottom for cell in mine),
    )
    return headline_statistic(measure, summed)


async def filtered_figures(
    context: Context, chosen: ResponseFilter, *, min_size: int, own_agent: str | None = None
) -> Figures:
    """The total and one table per group the filter leaves open. `own_agent` (an agent's account):
    a scorecard of their own figure beside the team's, and no table naming a colleague."""
    survey = chosen.survey or "csat"
    measure = MEASURES[survey]
    async with context.reads() as session:
        cells = await headline_cells(
            session, chosen, survey=survey, top_min=measure.top_min, bottom_max=measure.bottom_max
        )
    if own_agent is not None:
        return await asyncio.to_thread(_scorecard, cells, chosen, measure, own_agent, min_size, survey)
    # Every table at once, to a fixed point: up to a second or two over many weeks and groups.
    rules = await asyncio.to_thread(SmallGroups, cells, len(chosen.weeks), min_size)

    def figure(name: str | None, selection: Selection) -> Figure:
        return Figure(name, statistic(cells, selection, measure) if rules.shown(selection) else None)

    selected: Selection = chosen.groups()
    total = figure(None, selected)
    tables = []
    for dimension in GROUPS:
        if dimension in selected:
            continue
        values = sorted({cell.group(dimension) for cell in cells if matches(cell, selected)}, key=_order)
        tables.append(FigureTable(dimension, [figure(value, {**selected, dimension: value}) for value in values]))
    return Figures(survey, total, tables, min_size)


def _scorecard(
    cells: Sequence[Cell], chosen: ResponseFilter, measure: Measure, agent: str, min_size: int, survey: str
) -> Figures:
    """An agent's figure beside the whole team's. The agent sees their own responses, so the team's
    figure minus theirs is the rest of the team: the team's is shown only where the rules allow the
    rest's (applied to the colleagues' answers alone), under this filter and every other."""
    weeks = len(chosen.weeks)
    team: Selection = {k: v for k, v in chosen.groups().items() if k != "agent"}
    mine: Selection = {**team, "agent": agent}
    colleagues = SmallGroups([cell for cell in cells if cell.agent != agent], weeks, min_size)
    own = statistic(cells, mine, measure) if enough(cells, mine, weeks, min_size) else None
    whole = statistic(cells, team, measure) if colleagues.shown(team) else None
    scorecard = FigureTable("scorecard", [Figure(agent, own), Figure(None, whole)])
    return Figures(survey, scorecard.rows[1], [scorecard], min_size)


async def colleagues_few(
    context: Context, weeks: Sequence[str], zone: str, agent: str, min_size: int
) -> dict[str, set[str]]:
    """Per headline survey, the weeks in which the rest of the team gave 1 to N−1 answers. An agent
    sees their own responses, so the team's figure of such a week, minus theirs, would be a small
    group's: the agent's overview hides it."""
    bounds = tuple(week_bounds(week, zone) for week in weeks)
    few: dict[str, set[str]] = {}
    async with context.reads() as session:
        for survey, measure in MEASURES.items():
            cells = await headline_cells(
                session,
                ResponseFilter(bounds, survey=survey),
                survey=survey,
                top_min=measure.top_min,
                bottom_max=measure.bottom_max,
            )
            rest = [0] * len(weeks)
            for cell in cells:
                if cell.agent != agent:
                    rest[cell.week] += cell.n
            few[survey] = {week for week, n in zip(weeks, rest, strict=True) if 0 < n < min_size}
    return few


def _order(value: str | None) -> tuple[bool, str]:
    return (value is None, value or "")
