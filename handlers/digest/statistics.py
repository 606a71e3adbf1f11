"""Honest numbers: scores with their 95% uncertainty, and whether a change is bigger than the noise."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True, slots=True)
class Share:
    """A proportion (CSAT: the share of 4–5) with its 95% Wilson interval."""

    hits: int
    n: int

    @property
    def value(self) -> float:
        return self.hits / self.n

    @property
    def interval(self) -> tuple[float, float]:
        n, p = self.n, self.value
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True, slots=True)
class NetScore:
    """NPS: % promoters (9–10) minus % detractors (0–6), with its 95% margin of error in points."""

    promoters: int
    detractors: int
    n: int

    @property
    def value(self) -> float:
        return 100 * (self.promoters - self.detractors) / self.n

    @property
    def variance(self) -> float:
        """Of the score on the −1…1 scale: Var(P − D) for one response, divided by n."""
        p, d = self.promoters / self.n, self.detractors / self.n
        return (p + d - (p - d) ** 2) / self.n

    @property
    def margin(self) -> float:
        return 100 * Z95 * math.sqrt(self.variance)


@dataclass(frozen=True, slots=True)
class Mean:
    value: float
    variance: float | None  # of one answer (sample variance); None with a single answer
    n: int

    @property
    def margin(self) -> float | None:
        return Z95 * math.sqrt(self.variance / self.n) if self.variance is not None else None


@dataclass(frozen=True, slots=True)
class Change:
    """Week over week: the difference, and whether it clears the 95% noise band."""

    delta: float
    noise: float

    @property
    def significant(self) -> bool:
        return abs(self.delta) > self.noise


def share_change(now: Share, before: Share) -> Change:
    pooled = (now.hits + before.hits) / (now.n + before.n)
    noise = Z95 * math.sqrt(pooled * (1 - pooled) * (1 / now.n + 1 / before.n))
    return Change(now.value - before.value, noise)


def net_change(now: NetScore, before: NetScore) -> Change:
    return Change(now.value - before.value, 100 * Z95 * math.sqrt(now.variance + before.variance))


def mean_change(now: Mean, before: Mean) -> Change | None:
    if now.variance is None or before.variance is None:
        return None
    return Change(now.value - before.value, Z95 * math.sqrt(now.variance / now.n + before.variance / before.n))
