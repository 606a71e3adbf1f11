"""The digest ledger: who may send which week's digest to which destination."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import DigestDelivery
from storage.upsert import insert_ignore


async def claim_delivery(
    session: AsyncSession, *, period: str, destination: str, now: datetime, lease: timedelta, force: bool = False
) -> bool:
    """True for exactly one caller until the digest is sent (or its sender's lease runs out).

    The unique (period, destination) row decides between replicas; commit the claim before
    sending so the others see it.
    """
    values = {"period": period, "destination": destination, "state": "sending", "claimed_at": now}
    if await insert_ignore(session, DigestDelivery, values, conflict=("period", "destination")) is not None:
        return True
    stmt = (
        select(DigestDelivery)
        .where(DigestDelivery.period == period, DigestDelivery.destination == destination)
        .with_for_update(skip_locked=True)
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:  # another replica holds it right now
        return False
    if not force and (row.state == "sent" or (row.state == "sending" and row.claimed_at > now - lease)):
        return False
    row.state, row.claimed_at, row.attempts, row.last_error = "sending", now, row.attempts + 1, None
    return True


async def was_delivered(session: AsyncSession, *, period: str, destination: str) -> bool:
    row = DigestDelivery
    stmt = select(row.state).where(row.period == period, row.destination == destination)
    return (await session.execute(stmt)).scalar_one_or_none() == "sent"


async def delivered_count(session: AsyncSession, *, period: str) -> int:
    """Destinations `period` was posted to (a `finish_delivery` in this transaction included)."""
    stmt = select(func.count()).select_from(DigestDelivery).where(DigestDelivery.period == period,
                                                                  DigestDelivery.state == "sent")  # fmt: skip
    return int((await session.execute(stmt)).scalar_one())


async def finish_delivery(
    session: AsyncSession, *, period: str, destination: str, now: datetime, error: str | None = None
) -> None:
    stmt = select(DigestDelivery).where(DigestDelivery.period == period, DigestDelivery.destination == destination)
    row = (await session.execute(stmt.with_for_update())).scalar_one()
    if error is None:
        row.state, row.sent_at = "sent", now
    else:
        row.state, row.last_error = "failed", error[:500]
