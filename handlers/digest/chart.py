"""The digest's picture: twelve weeks of CSAT with its 95% band, and importance against performance.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state), so it can run in a worker
thread while the event loop keeps serving. Every label is in the staff's language and script:
matplotlib ≥ 3.11 shapes complex text itself (libraqm with HarfBuzz and SheenBidi, in its wheel),
so Urdu is joined and right-to-left and Hindi's conjuncts are formed, given a font that has the
letters: the OFL Noto fonts for Arabic script and Devanagari from their wheels, registered once
and put first in the family list (DejaVu, matplotlib's own, lacks ہ ے ۔ and all of Devanagari).
The text is never run through arabic-reshaper or python-bidi: on 3.11 that would reverse it.
"""

from __future__ import annotations

import io
import threading
from typing import Any

from handlers.digest.figures import WeekFigures
from handlers.digest.report import ACT_IMPORTANCE, ACT_PERFORMANCE, FIX_FIRST, KEEP_UP, attribute_name
from handlers.i18n import N_, Lang

TREND = N_("CSAT by week (share of 4–5; shaded: 95%)")
TARGET = N_("target")
DRIVERS = N_("Importance and performance")
IMPORTANCE = N_("importance (standardized weight)")
PERFORMANCE = N_("rating (mean of 1–5)")
NOT_ENOUGH = N_("not enough answers yet")
# The family list per language: the script's own font first, DejaVu for digits and Latin.
_SCRIPT_FONTS = {"ur": "Noto Naskh Arabic", "hi": "Noto Sans Devanagari"}
_MARKERS = "osD^v<>P*X"
# rc_context changes matplotlib's process-wide settings: two digests drawn at once in two worker
# threads (Urdu and Hindi staff chats) would each see the other's fonts. One chart at a time.
_DRAWING = threading.Lock()
_fonts_registered = False


def chart_png(figures: WeekFigures, words: Lang, *, target: float | None = None) -> bytes:
    # Imported here: matplotlib costs ~30 MB, and only a digest with a chart needs it.
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _DRAWING, rc_context(_settings(words.code)):
        figure = Figure(figsize=(10, 4.6), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        trend, drivers = figure.subplots(1, 2, width_ratios=(3, 2))
        _trend(trend, figures, words, target)
        _drivers(drivers, figures, words)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _settings(language: str) -> dict[Any, Any]:  # matplotlib types the keys as a Literal of every rc name
    """The fonts and `text.language` (which tells the shaper the language, for the letter forms
    Urdu and Persian draw differently) for charts in `language`."""
    global _fonts_registered
    if not _fonts_registered:  # under _DRAWING
        import pylopdf_fonts_ar
        import pylopdf_fonts_hi
        from matplotlib import font_manager

        for path in (pylopdf_fonts_ar.serif_path(), pylopdf_fonts_hi.sans_path()):
            font_manager.fontManager.addfont(str(path))
        _fonts_registered = True
    script = _SCRIPT_FONTS.get(language)
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*([script] if script else []), "DejaVu Sans"],
        "text.language": language,
        "axes.unicode_minus": language not in _SCRIPT_FONTS,  # the Noto fonts lack U+2212
    }


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
    # Names go in a legend below the panel, one marker each: next to the points they overlapped
    # whenever two attributes scored alike, which is the common case.
    for marker, driver in zip(_MARKERS, analysis.drivers, strict=False):
        act = driver.importance >= ACT_IMPORTANCE and driver.performance < ACT_PERFORMANCE
        name = attribute_name(driver.attribute, words)
        advice = words.gettext(FIX_FIRST if act else KEEP_UP)
        axes.scatter(
            driver.importance,
            driver.performance,
            s=60,
            marker=marker,
            color="tab:red" if act else "tab:blue",
            label=f"{name}: {advice}",
        )
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8, frameon=False, markerfirst=not words.rtl)
    highest = max([ACT_IMPORTANCE, *(d.importance for d in analysis.drivers)])
    axes.set_xlim(min(0.0, *(d.importance for d in analysis.drivers)) - 0.05, highest + 0.15)
    axes.set_ylim(1, 5.2)
