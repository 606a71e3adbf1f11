"""The week's closed-loop figures for the digest: alerts opened, claimed, resolved, how fast, what customers said."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from handlers.core.context import Context
from storage.alerts import alerts_between
from storage.models import AlertState


@dataclass(frozen=True, slots=True)
class ClosedLoop:
    """A week's alerts: how many were followed up, and how fast."""

    opened: int
    claimed: int
    resolved: int
    median_hours_to_claim: float | None
    median_hours_to_resolve: float | None
    sorted_yes: int
    sorted_no: int
    unresolved: tuple[tuple[int, str], ...]  # (alert id, reasons)


def _hours(pairs: list[tuple[datetime, datetime]]) -> float | None:
    return statistics.median((end - start).total_seconds() / 3600 for start, end in pairs) if pairs else None


async def closed_loop(context: Context, start: datetime, end: datetime) -> ClosedLoop:
    async with context.reads() as session:
        alerts = await alerts_between(session, start=start, end=end)
    claimed = [(a.created_at, a.claimed_at) for a in alerts if a.claimed_at]
    resolved = [(a.created_at, a.resolved_at) for a in alerts if a.resolved_at]
    return ClosedLoop(
        opened=len(alerts),
        claimed=len(claimed),
        resolved=len(resolved),
        median_hours_to_claim=_hours(claimed),
        median_hours_to_resolve=_hours(resolved),
        sorted_yes=sum(1 for a in alerts if a.sorted is True),
        sorted_no=sum(1 for a in alerts if a.sorted is False),
        unresolved=tuple((a.id, a.reasons) for a in alerts if a.state != AlertState.RESOLVED),
    )
