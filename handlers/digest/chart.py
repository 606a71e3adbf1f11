"""The digest's picture: twelve weeks of CSAT with its 95% band, and importance against performance.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state), so it can run in a worker
thread while the event loop keeps serving.
"""

from __future__ import annotations

import io

from handlers.digest.figures import WeekFigures
from handlers.digest.report import ACT_IMPORTANCE, ACT_PERFORMANCE, attribute_name
from handlers.i18n import N_, Lang, lang

TREND = N_("CSAT by week (share of 4–5; shaded: 95%)")
TARGET = N_("target")
DRIVERS = N_("Importance and performance")
IMPORTANCE = N_("importance (standardized weight)")
PERFORMANCE = N_("rating (mean of 1–5)")
NOT_ENOUGH = N_("not enough answers yet")
# matplotlib's bundled font has no Devanagari and does not shape Arabic script, so charts for
# those languages keep English labels rather than show broken glyphs; the text digest is translated.
_CHART_SCRIPTS_OK = {"en", "hu"}


def chart_png(figures: WeekFigures, language: Lang, *, target: float | None = None) -> bytes:
    words = language if language.code in _CHART_SCRIPTS_OK else lang("en")
    # Imported here: matplotlib costs ~30 MB, and only a digest with a chart needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    trend, drivers = figure.subplots(1, 2, width_ratios=(3, 2))
    _trend(trend, figures, words, target)
    _drivers(drivers, figures, words)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _trend(axes, figures: WeekFigures, words: Lang, target: float | None) -> None:
    points = [(i, p) for i, p in enumerate(figures.trend) if p.csat is not None]
    labels = [p.week[-3:] for p in figures.trend]
    axes.set_title(words.gettext(TREND), fontsize=10)
    axes.set_xticks(range(len(labels)), labels, fontsize=8)
    axes.set_ylim(0, 100)
    axes.set_ylabel("%")
    if points:
        xs = [i for i, _ in points]
        values = [p.csat.value * 100 for _, p in points]  # type: ignore[union-attr]
        lows = [p.csat.interval[0] * 100 for _, p in points]  # type: ignore[union-attr]
        highs = [p.csat.interval[1] * 100 for _, p in points]  # type: ignore[union-attr]
        axes.fill_between(xs, lows, highs, alpha=0.25, color="tab:blue", linewidth=0)
        axes.plot(xs, values, marker="o", color="tab:blue")
    if target is not None:
        axes.axhline(target * 100, linestyle="--", color="tab:green", linewidth=1)
        axes.annotate(
            words.gettext(TARGET),
            (0, target * 100),
            fontsize=8,
            color="tab:green",
            xytext=(2, 2),
            textcoords="offset points",
        )
    axes.grid(axis="y", alpha=0.3)


def _drivers(axes, figures: WeekFigures, words: Lang) -> None:
    axes.set_title(words.gettext(DRIVERS), fontsize=10)
    axes.set_xlabel(words.gettext(IMPORTANCE), fontsize=8)
    axes.set_ylabel(words.gettext(PERFORMANCE), fontsize=8)
    analysis = figures.drivers
    if not analysis.reliable:
        axes.text(0.5, 0.5, words.gettext(NOT_ENOUGH), ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    axes.axvline(ACT_IMPORTANCE, color="grey", linewidth=0.8, linestyle=":")
    axes.axhline(ACT_PERFORMANCE, color="grey", linewidth=0.8, linestyle=":")
    for driver in analysis.drivers:
        act = driver.importance >= ACT_IMPORTANCE and driver.performance < ACT_PERFORMANCE
        axes.scatter(driver.importance, driver.performance, s=60, color="tab:red" if act else "tab:blue")
        axes.annotate(
            attribute_name(driver.attribute, words),
            (driver.importance, driver.performance),
            fontsize=8,
            xytext=(4, 4),
            textcoords="offset points",
        )
    highest = max([ACT_IMPORTANCE, *(d.importance for d in analysis.drivers)])
    axes.set_xlim(min(0.0, *(d.importance for d in analysis.drivers)) - 0.05, highest + 0.15)
    axes.set_ylim(1, 5.2)
