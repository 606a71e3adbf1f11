"""A week's figures as plain JSON (GET /api/v1/summary)."""

from __future__ import annotations

from typing import Any

from handlers.digest.figures import WeekFigures
from handlers.digest.statistics import Change, Mean, NetScore, Share


def _share(share: Share | None) -> dict[str, Any] | None:
    if share is None:
        return None
    low, high = share.interval
    return {"value": round(share.value, 4), "low": round(low, 4), "high": round(high, 4), "n": share.n}


def _net(score: NetScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {"value": round(score.value, 1), "margin": round(score.margin, 1), "n": score.n,
            "promoters": score.promoters, "detractors": score.detractors}  # fmt: skip


def _mean(mean: Mean | None) -> dict[str, Any] | None:
    if mean is None:
        return None
    margin = mean.margin
    return {"value": round(mean.value, 3), "margin": round(margin, 3) if margin is not None else None, "n": mean.n}


def _change(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {"delta": round(change.delta, 4), "noise": round(change.noise, 4), "significant": change.significant}


def _targets(figures: WeekFigures) -> list[dict[str, Any]]:
    return [{"name": t.name, "target": t.target, "value": t.value, "status": t.status} for t in figures.targets]


def _drivers(figures: WeekFigures) -> dict[str, Any]:
    analysis = figures.drivers
    attributes = [
        {
            "attribute": d.attribute,
            "importance": round(d.importance, 3),
            "correlation": round(d.correlation, 3),
            "performance": round(d.performance, 3),
        }
        for d in analysis.drivers
    ]
    return {"n": analysis.n, "needed": analysis.needed, "reliable": analysis.reliable, "attributes": attributes}


def summary(figures: WeekFigures) -> dict[str, Any]:
    tone = figures.tone
    comments = {
        "count": tone.comments,
        "scored": tone.scored,
        "positive": tone.positive,
        "negative": tone.negative,
        "not_scored": tone.comments - tone.scored,
    }
    return {
        "week": figures.week,
        "sent": figures.sent,
        "answered": figures.answered,
        "completed": figures.completed,
        "response_rate": round(figures.response_rate, 4) if figures.response_rate is not None else None,
        "csat": _share(figures.csat),
        "nps": _net(figures.nps),
        "ces": _mean(figures.ces),
        "attributes": {name: _mean(mean) for name, mean in figures.attributes.items()},
        "changes": {name: _change(change) for name, change in figures.changes.items()},
        "breakdowns": {
            dimension: [{"name": g.name, "n": g.n, "csat": _share(g.csat)} for g in groups]
            for dimension, groups in figures.breakdowns.items()
        },
        "min_group_size": figures.min_group_size,
        "targets": _targets(figures),
        "drivers": _drivers(figures),
        "comments": comments,
        "trend": [{"week": p.week, "csat": _share(p.csat), "nps": _net(p.nps)} for p in figures.trend],
    }
