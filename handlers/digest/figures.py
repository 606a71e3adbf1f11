"""A week's figures, as the digest, the API and the CLI show them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context
from handlers.core.small_groups import hide_the_rest
from handlers.core.weeks import shift, week_bounds, week_of
from handlers.digest.drivers import DriverAnalysis, analyze
from handlers.digest.rules import WeeklyRules
from handlers.digest.statistics import Change, Mean, NetScore, Share, mean_change, net_change, share_change
from storage.figures import (
    DIMENSIONS,
    Measure,
    Moments,
    TextTone,
    breakdowns,
    recent_comments,
    responses,
    tune_for_aggregates,
)
from storage.rollups import (
    ROLLUP_MIN_AGE,
    Counts,
    Period,
    count_answers,
    invalidate_rollups,
    rolled_up,
    rollup_count,
    rollup_epoch,
    store_rollups,
)

T = TypeVar("T")
AGGREGATES_AT_ONCE = 2

CSAT_TOP = 4  # "satisfied" on a 1–5 scale
NPS_PROMOTER, NPS_DETRACTOR = 9, 6
CSAT = Measure("csat", "overall", CSAT_TOP, 2)
NPS = Measure("nps", "recommend", NPS_PROMOTER, NPS_DETRACTOR)
CES = Measure("ces", "effort", 6, 2)
Headline = tuple[Share | None, NetScore | None, Mean | None]  # CSAT, NPS, CES of one week


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    n: int | None  # None: fewer than min_group_size, not shown
    csat: Share | None


@dataclass(frozen=True, slots=True)
class TargetCheck:
    name: str
    target: float
    value: float | None

    @property
    def status(self) -> str:
        if self.value is None:
            return "not measurable"
        return "met" if self.value >= self.target else "missed"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    week: str
    csat: Share | None
    nps: NetScore | None


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week: str
    sent: int
    answered: int
    completed: int
    csat: Share | None
    nps: NetScore | None
    ces: Mean | None
    attributes: dict[str, Mean]
    changes: dict[str, Change | None]
    breakdowns: dict[str, list[Group]]
    targets: list[TargetCheck]
    drivers: DriverAnalysis
    tone: TextTone
    comments: list[str]
    min_group_size: int
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def empty(self) -> bool:
        return self.csat is None and self.nps is None and self.ces is None and not self.tone.comments


def _share(m: Moments | None) -> Share | None:
    return Share(m.top, m.n) if m and m.n else None


def _net(m: Moments | None) -> NetScore | None:
    return NetScore(m.top, m.bottom, m.n) if m and m.n else None


def _mean(m: Moments | None) -> Mean | None:
    return Mean(m.mean, m.variance, m.n) if m and m.n and m.mean is not None else None


def headline_statistic(measure: Measure, m: Moments | None) -> Share | NetScore | Mean | None:
    """How a survey's headline question is read: a share of 4–5 (CSAT), a net score (NPS), a mean (CES)."""
    if measure is CSAT:
        return _share(m)
    return _net(m) if measure is NPS else _mean(m)


class WeeklyFigures:
    def __init__(self, context: Context, rules: WeeklyRules) -> None:
        self._context = context
        self._rules = rules

    @property
    def timezone(self) -> str:
        return self._context.policy.timezone

    def _attributes(self) -> list[str]:
        survey = self._context.surveys.get("csat")
        return [q.id for q in survey.questions if q.attribute] if survey else []

    async def build(self, week: str, *, trend_weeks: int = 12) -> WeekFigures:
        rules = self._rules
        zone = self.timezone
        start, end = week_bounds(week, zone)
        periods = max(trend_weeks, 2)  # this week and at least the one before, for the change
        names = [shift(week, -back, zone) for back in reversed(range(periods))]
        edges = [week_bounds(name, zone)[0] for name in names] + [end]
        attributes = {name: Measure("csat", name, CSAT_TOP, 2) for name in self._attributes()}
        spans = list(itertools.pairwise(edges))
        at_once = asyncio.Semaphore(AGGREGATES_AT_ONCE)
        epoch, counts = await self._read(at_once, _rollups, periods=[span for span in spans if self._closed(span)])
        counted, seen, groups, comments = await asyncio.gather(
            self._read(at_once, count_answers, periods=[span for span in spans if span not in counts]),
            self._read(at_once, responses, start=start, end=end, survey="csat", questions=["overall", *attributes]),
            self._read(at_once, breakdowns, start=start, end=end, measure=CSAT, by=list(DIMENSIONS)),
            self._read(at_once, recent_comments, start=start, end=end),
        )
        await self._keep(counted, epoch)
        counts.update(counted)
        grid = {
            (i, m): m.moments(counts[span])
            for i, span in enumerate(spans)
            for m in (CSAT, NPS, CES, *attributes.values())
        }
        week_csat = grid.get((periods - 1, CSAT))
        total = week_csat.n if week_csat else 0
        breakdown = {name: self._groups(found, total) for name, found in groups.items()}

        def at(index: int) -> Headline:
            return _share(grid.get((index, CSAT))), _net(grid.get((index, NPS))), _mean(grid.get((index, CES)))

        this = periods - 1
        csat, nps, ces = at(this)
        means = {name: mean for name, m in attributes.items() if (mean := _mean(grid.get((this, m))))}
        trend = [TrendPoint(names[i], *at(i)[:2]) for i in range(periods - trend_weeks, periods)]
        flow = seen.funnel
        return WeekFigures(
            week=week,
            sent=flow.sent,
            answered=flow.answered,
            completed=flow.completed,
            csat=csat,
            nps=nps,
            ces=ces,
            attributes=means,
            changes=self._changes(at(this), at(this - 1)),
            breakdowns=breakdown,
            targets=self._targets(csat, nps, ces),
            drivers=analyze(seen.sums),
            tone=seen.tone,
            comments=comments,
            trend=trend,
            min_group_size=rules.min_group_size,
        )

    async def rebuild_rollups(self, *, weeks: int = 12) -> int:
        """Drop every rollup and count the closed weeks among the last `weeks` again; return how
        many periods are rolled up now. (Digests roll up what they need anyway; this does it now.)"""
        async with self._context.sessions() as session, session.begin():
            await invalidate_rollups(session)
        zone = self.timezone
        await self.build(shift(week_of(self._context.clock(), zone), -1, zone), trend_weeks=weeks)
        async with self._context.reads() as session:
            return await rollup_count(session)

    async def _read(self, at_once: asyncio.Semaphore, query: Callable[..., Awaitable[T]], **arguments: Any) -> T:
        """One aggregate in a read transaction of its own, tuned for it. The digest's aggregates
        run `AGGREGATES_AT_ONCE` at a time, each on its own connection: two leave the rest of the
        read pool (four connections on SQLite) to health checks and sends. Each sees its own
        snapshot: an answer stored between them can be in one figure and not yet in another, a
        difference of one late answer in a weekly summary."""
        async with at_once, self._context.reads() as session, session.begin():
            await tune_for_aggregates(session)
            return await query(session, **arguments)

    def _closed(self, period: Period) -> bool:
        """No survey sent in `period` can still be answered in the normal course: its counts are
        final unless a late write invalidates them (see `storage.rollups`)."""
        return period[1] <= self._context.clock() - self._context.policy.expiry - ROLLUP_MIN_AGE

    async def _keep(self, counted: dict[Period, Counts], epoch: int) -> None:
        """Roll up the closed periods just counted, so later digests read them instead, unless a
        write into an old period since `epoch` may be missing from the counts."""
        closed = {period: counts for period, counts in counted.items() if self._closed(period)}
        if closed:
            async with self._context.sessions() as session, session.begin():
                await store_rollups(session, closed, epoch=epoch, now=self._context.clock())

    def _groups(self, found: list[Moments], total: int) -> list[Group]:
        """Groups under `min_group_size` are hidden; and while what is hidden (with the answers no
        group names, e.g. no touchpoint given) adds up to fewer than that, the smallest shown group
        is hidden too, so that the week's total minus the shown groups never gives a small group."""
        least = self._rules.min_group_size
        unnamed = total - sum(m.n for m in found)  # a row of its own, never shown
        counts = [[m.n] for m in found] + [[unnamed]]
        hidden = hide_the_rest(counts, {i for i, m in enumerate(found) if m.n < least} | {len(found)}, least)
        return [
            Group(str(m.group), None, None) if i in hidden else Group(str(m.group), m.n, _share(m))
            for i, m in enumerate(found)
        ]

    @staticmethod
    def _changes(
        now: tuple[Share | None, NetScore | None, Mean | None],
        before: tuple[Share | None, NetScore | None, Mean | None],
    ) -> dict[str, Change | None]:
        (csat, nps, ces), (csat0, nps0, ces0) = now, before
        return {
            "csat": share_change(csat, csat0) if csat and csat0 else None,
            "nps": net_change(nps, nps0) if nps and nps0 else None,
            "ces": mean_change(ces, ces0) if ces and ces0 else None,
        }

    def _targets(self, csat: Share | None, nps: NetScore | None, ces: Mean | None) -> list[TargetCheck]:
        targets = self._rules.targets
        checks = []
        if targets.csat is not None:
            checks.append(TargetCheck("csat", targets.csat, csat.value if csat else None))
        if targets.nps is not None:
            checks.append(TargetCheck("nps", targets.nps, nps.value if nps else None))
        if targets.ces is not None:
            checks.append(TargetCheck("ces", targets.ces, ces.value if ces else None))
        return checks


async def _rollups(session: AsyncSession, *, periods: list[Period]) -> tuple[int, dict[Period, Counts]]:
    """The rollup epoch, then the stored rollups of `periods`: the epoch read before any counting."""
    return await rollup_epoch(session), await rolled_up(session, periods=periods)
