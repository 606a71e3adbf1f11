"""The webhook outbox: events written with what they report, deliveries claimed by lease.

A claim moves a delivery's `due_at` one lease ahead and counts the attempt; the sender then
records the outcome. A sender that dies mid-post leaves the delivery pending, due again when the
lease runs out, so the event is posted again (at least once; the receiver deduplicates on the
event id, which is the same on every attempt). On PostgreSQL, replicas skip each other's rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import WebhookDelivery, WebhookEvent, WebhookState

# Longer than a post may take (its timeout), so a live sender's claim is never taken over.
DELIVERY_LEASE = timedelta(seconds=30)


async def enqueue(session: AsyncSession, *, event_type: str, body: str, urls: Sequence[str], now: datetime) -> str:
    """Store an event and one delivery per URL, due now; commits with the caller's work."""
    event_id = "msg_" + secrets.token_hex(12)
    session.add(WebhookEvent(id=event_id, type=event_type, body=body, created_at=now))
    await session.flush()  # the deliveries refer to it
    await session.execute(
        WebhookDelivery.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"event_id": event_id, "url": url, "state": WebhookState.PENDING, "attempts": 0, "due_at": now}
            for url in urls
        ],
    )
    return event_id


@dataclass(frozen=True, slots=True)
class Due:
    delivery_id: int
    event_id: str
    event_type: str
    url: str
    body: str
    attempts: int  # including this one
    created_at: datetime


async def claim_deliveries(session: AsyncSession, *, now: datetime, limit: int) -> list[Due]:
    """Claim due deliveries for one lease, oldest first."""
    stmt = (
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_id))
        .where(col(WebhookDelivery.state) == WebhookState.PENDING, col(WebhookDelivery.due_at) <= now)
        .order_by(col(WebhookDelivery.due_at))
        .limit(limit)
        .with_for_update(of=WebhookDelivery.__table__, skip_locked=True)  # type: ignore[attr-defined]
    )
    claimed = []
    for delivery, event in (await session.execute(stmt)).all():
        delivery.attempts += 1
        delivery.due_at = now + DELIVERY_LEASE
        claimed.append(
            Due(delivery.id, event.id, event.type, delivery.url, event.body, delivery.attempts, event.created_at)
        )
    return claimed


async def record_outcome(
    session: AsyncSession,
    *,
    delivery_id: int,
    state: WebhookState,
    status: int | None,
    error: str | None,
    now: datetime,
    retry_at: datetime | None = None,
) -> None:
    """Delivered, failed, or pending again at `retry_at`."""
    values: dict[str, Any] = {"state": state, "last_status": status, "last_error": error[:500] if error else None}
    if state is WebhookState.DELIVERED:
        values["delivered_at"] = now
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.execute(update(WebhookDelivery).where(col(WebhookDelivery.id) == delivery_id).values(**values))


@dataclass(frozen=True, slots=True)
class UrlStatus:
    url: str
    pending: int
    failed: int
    delivered: int
    last_error: str | None


async def outbox_status(session: AsyncSession) -> list[UrlStatus]:
    """Per receiver URL: deliveries pending, failed and delivered, and the newest failure's reason."""
    state = col(WebhookDelivery.state)
    stmt = (
        select(
            col(WebhookDelivery.url),
            func.sum(case((state == WebhookState.PENDING, 1), else_=0)),
            func.sum(case((state == WebhookState.FAILED, 1), else_=0)),
            func.sum(case((state == WebhookState.DELIVERED, 1), else_=0)),
        )
        .group_by(col(WebhookDelivery.url))
        .order_by(col(WebhookDelivery.url))
    )
    rows = (await session.execute(stmt)).all()
    found = []
    for url, pending, failed, delivered in rows:
        last = await session.execute(
            select(col(WebhookDelivery.last_error))
            .where(col(WebhookDelivery.url) == url, col(WebhookDelivery.last_error).is_not(None))
            .order_by(col(WebhookDelivery.id).desc())
            .limit(1)
        )
        found.append(UrlStatus(url, int(pending), int(failed), int(delivered), last.scalar_one_or_none()))
    return found


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    failed: int
    oldest_pending: datetime | None


async def backlog(session: AsyncSession) -> Backlog:
    state = col(WebhookDelivery.state)
    stmt = select(
        func.coalesce(func.sum(case((state == WebhookState.PENDING, 1), else_=0)), 0),
        func.coalesce(func.sum(case((state == WebhookState.FAILED, 1), else_=0)), 0),
        func.min(case((state == WebhookState.PENDING, col(WebhookEvent.created_at)))),
    ).join(WebhookEvent, col(WebhookEvent.id) == col(WebhookDelivery.event_id))
    pending, failed, oldest = (await session.execute(stmt)).one()
    return Backlog(int(pending), int(failed), oldest)


async def retry_failed(session: AsyncSession, *, now: datetime) -> int:
    """Send failed deliveries again, due now, with the same event id; return how many."""
    result = await session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.state) == WebhookState.FAILED)
        .values(state=WebhookState.PENDING, due_at=now, attempts=0)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)
