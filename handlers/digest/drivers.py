"""Key-driver analysis: which attribute moves overall satisfaction most.

Standardized regression weights of the overall score on the attribute ratings, solved from the
correlation matrix that SQL sums give us. Reliable only with enough complete responses: Green's
rule of thumb asks for 50 + 8 per attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storage.figures import CrossProducts


@dataclass(frozen=True, slots=True)
class Driver:
    attribute: str
    importance: float  # standardized weight: overall moves this many SDs per SD of the attribute
    correlation: float
    performance: float  # the attribute's mean rating


@dataclass(frozen=True, slots=True)
class DriverAnalysis:
    drivers: tuple[Driver, ...]  # most important first; empty when it cannot be estimated
    n: int
    needed: int

    @property
    def reliable(self) -> bool:
        return self.n >= self.needed and bool(self.drivers)


def needed_sample(attributes: int) -> int:
    return 50 + 8 * attributes


def analyze(sums: CrossProducts) -> DriverAnalysis:
    """`sums.questions` is the overall question first, then the attributes."""
    attributes = sums.questions[1:]
    needed = needed_sample(len(attributes))
    n = sums.n
    if n < len(attributes) + 2:
        return DriverAnalysis((), n, needed)
    s = np.array(sums.sums)
    p = np.array(sums.products)
    covariance = (p - np.outer(s, s) / n) / (n - 1)
    sd = np.sqrt(np.clip(np.diag(covariance), 0, None))
    if np.any(sd == 0):  # someone's column never varies: no correlation to speak of
        return DriverAnalysis((), n, needed)
    correlation = covariance / np.outer(sd, sd)
    r_xx, r_xy = correlation[1:, 1:], correlation[1:, 0]
    weights = np.linalg.lstsq(r_xx, r_xy, rcond=None)[0]
    means = s / n
    drivers = [
        Driver(name, float(weights[i]), float(r_xy[i]), float(means[i + 1])) for i, name in enumerate(attributes)
    ]
    drivers.sort(key=lambda driver: driver.importance, reverse=True)
    return DriverAnalysis(tuple(drivers), n, needed)
