"""The digest's chart in every shipped language's script: the labels drawn with a font that has
their letters (no "missing glyph"), shaped by matplotlib itself, and not the English ones."""

from __future__ import annotations

import io
import threading
import warnings

import numpy as np
import pytest

from handlers.core.weeks import shift
from handlers.digest.chart import chart_png
from handlers.digest.drivers import Driver, DriverAnalysis
from handlers.digest.figures import TrendPoint, WeekFigures
from handlers.digest.statistics import Share
from handlers.i18n import lang
from storage.figures import TextTone

pytest.importorskip("matplotlib", minversion="3.11.2")


def _figures() -> WeekFigures:
    week = "2026-W47"
    trend = [TrendPoint(shift(week, i - 11, "UTC"), Share(110 + 2 * i, 200), None) for i in range(12)]
    drivers = DriverAnalysis(
        (Driver("attitude", 0.58, 0.6, 3.87), Driver("solution", 0.34, 0.5, 3.86), Driver("speed", 0.14, 0.3, 3.8)),
        400,
        74,
    )
    return WeekFigures(
        week, 500, 400, 380, Share(260, 400), None, None, {}, {}, {}, [], drivers, TextTone(0, 0, 0, 0), [], 5, trend
    )


def _pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread

    return imread(io.BytesIO(png))


@pytest.mark.parametrize("language", ["ur", "hi", "hu"])
def test_the_chart_is_drawn_in_the_languages_script_without_a_missing_glyph(language):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for a missing letter
        png = chart_png(_figures(), lang(language), target=0.8)
    english = chart_png(_figures(), lang("en"), target=0.8)
    mine, theirs = _pixels(png), _pixels(english)
    assert mine.shape == theirs.shape
    changed = np.abs(mine - theirs).max(axis=2) > 0.1
    # The titles, axis labels and the legend are the language's own: the chart differs from the
    # English one where text is, and the line, band and points are the same.
    assert changed[:40].mean() > 0.01  # the title row
    assert changed.mean() < 0.2


def test_the_fonts_for_urdu_and_hindi_are_the_shipped_noto_fonts():
    from matplotlib import font_manager, rc_context

    from handlers.digest import chart

    chart_png(_figures(), lang("en"))  # registers the fonts once
    for language, family in (("ur", "Noto Naskh Arabic"), ("hi", "Noto Sans Devanagari")):
        with rc_context(chart._settings(language)):
            found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]), fallback_to_default=False)
        assert family.replace(" ", "") in found.replace("-", "").replace("_", "")


def test_charts_in_two_languages_at_once_each_keep_their_own_fonts():
    """Digests for Urdu and Hindi staff drawn in two worker threads at the same moment."""
    alone = {code: chart_png(_figures(), lang(code)) for code in ("ur", "hi")}
    drawn: dict[str, list[bytes]] = {"ur": [], "hi": []}

    def draw(code: str) -> None:
        for _ in range(3):
            drawn[code].append(chart_png(_figures(), lang(code)))

    threads = [threading.Thread(target=draw, args=(code,)) for code in ("ur", "hi")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(png == alone[code] for code, pngs in drawn.items() for png in pngs)
