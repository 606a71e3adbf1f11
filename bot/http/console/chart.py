"""The trend chart as SVG drawn on the server: weekly CSAT with its 95% band and the target.

The labels are text in the page, so the browser shapes Urdu and Hindi script with the page's fonts;
nothing runs in the browser and nothing loads from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from bot.http.pages import Words
from handlers.digest.figures import TrendPoint
from handlers.i18n import N_

TARGET = N_("Target %(value)s")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 32


def _y(share: float) -> float:
    return TOP + (1 - share) * (HEIGHT - TOP - BOTTOM)


def trend_svg(points: Sequence[TrendPoint], words: Words, *, target: float | None, title: str) -> Markup:
    if not points:
        return Markup("")
    step = (WIDTH - LEFT - RIGHT) / max(len(points) - 1, 1)
    xs = [LEFT + i * step for i in range(len(points))]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" direction="ltr">'
    ]
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = _y(share)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8dde5"/>')
        label = escape(words.percent(share))
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6576">{label}</text>'
        )
    measured = [(x, p.csat) for x, p in zip(xs, points, strict=True) if p.csat is not None]
    if measured:
        upper = " ".join(f"{x:.1f},{_y(s.interval[1]):.1f}" for x, s in measured)
        lower = " ".join(f"{x:.1f},{_y(s.interval[0]):.1f}" for x, s in reversed(measured))
        parts.append(f'<polygon points="{upper} {lower}" fill="#1f5fbf" fill-opacity="0.15"/>')
        line = " ".join(f"{x:.1f},{_y(s.value):.1f}" for x, s in measured)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
        for x, s in measured:
            value = escape(words.percent(s.value))
            parts.append(
                f'<circle cx="{x:.1f}" cy="{_y(s.value):.1f}" r="3" fill="#1f5fbf"><title>{value}</title></circle>'
            )
    if target is not None:
        y = _y(target)
        dashed = 'stroke="#b3261e" stroke-dasharray="6 4"'
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {dashed}/>')
        label = escape(words(TARGET, value=words.percent(target)))
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{y - 5:.1f}" text-anchor="end" font-size="11" fill="#b3261e">{label}</text>'
        )
    for x, point in zip(xs, points, strict=True):
        week = escape(point.week.split("-")[-1])
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" fill="#5b6576">{week}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
