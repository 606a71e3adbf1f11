"""`GET /api/v1/summary`: a week's figures, the digest's own, as plain JSON."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from bot.http.deps import ApiToken, ServicesDep
from bot.http.errors import API_DEADLINE, field_error
from bot.http.models import API_ERRORS
from handlers.core.weeks import parse_week, shift, week_of
from handlers.digest.figures import WeekFigures
from handlers.digest.statistics import Change, Mean, NetScore, Share

WEEK_PATTERN = r"^\d{4}-W\d{2}$"
router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get("/summary", dependencies=[ApiToken], responses=API_ERRORS)
async def week_summary(
    services: ServicesDep,
    # The pattern is documented; the check itself is parse_week's, whose message says how to write it.
    week: Annotated[str | None, Query(examples=["2026-W47"], json_schema_extra={"pattern": WEEK_PATTERN})] = None,
) -> dict[str, object]:
    """The digest's figures for an ISO week (default: the last complete week), as JSON."""
    zone = services.config.settings.timezone
    try:
        chosen = parse_week(week) if week else shift(week_of(services.context.clock(), zone), -1, zone)
    except ValueError as exc:
        raise field_error("query", "week", str(exc)) from None
    async with asyncio.timeout(API_DEADLINE * 4):  # a week's figures are more work than one insert
        return summary(await services.weekly.build(chosen))


def _share(share: Share | None) -> dict[str, Any] | None:
    if share is None:
        return None
    low, high = share.interval
    return {"value": round(share.value, 4), "low": round(low, 4), "high": round(high, 4), "n": share.n}


def _net(score: NetScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "value": round(score.value, 1),
        "margin": round(score.margin, 1),
        "n": score.n,
        "promoters": score.promoters,
        "detractors": score.detractors,
    }


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
