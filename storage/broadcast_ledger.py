"""The broadcast ledger: which process may post what to which staff destination, once.

A post is known by its key: a digest's ISO week, `poll 2026-W47` for a staff poll, `alert 17` for an
alert. (The table is `digest_deliveries` and the key's column `period`, names from when it held
digests only.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import BroadcastPost, PostState
from storage.upsert import insert_ignore


async def claim_post(
    session: AsyncSession, *, key: str, destination: str, now: datetime, lease: timedelta, force: bool = False
) -> bool:
    """True for exactly one caller until the digest is sent (or its sender's lease runs out).

    The unique (key, destination) row decides between replicas; commit the claim before
    sending so the others see it.
    """
    values = {"period": key, "destination": destination, "state": PostState.SENDING, "claimed_at": now}
    if await insert_ignore(session, BroadcastPost, values, conflict=("period", "destination")) is not None:
        return True
    stmt = (
        select(BroadcastPost)
        .where(BroadcastPost.period == key, BroadcastPost.destination == destination)
        .with_for_update(skip_locked=True)
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:  # another replica holds it right now
        return False
    if not force and (row.state == PostState.SENT or (row.state == PostState.SENDING and row.claimed_at > now - lease)):
        return False
    row.state, row.claimed_at, row.attempts, row.last_error = PostState.SENDING, now, row.attempts + 1, None
    return True


async def was_posted(session: AsyncSession, *, key: str, destination: str) -> bool:
    row = BroadcastPost
    stmt = select(row.state).where(row.period == key, row.destination == destination)
    return (await session.execute(stmt)).scalar_one_or_none() == PostState.SENT


async def posted_count(session: AsyncSession, *, key: str) -> int:
    """Destinations `key` was posted to (a `finish_post` in this transaction included)."""
    stmt = (
        select(func.count())
        .select_from(BroadcastPost)
        .where(BroadcastPost.period == key, BroadcastPost.state == PostState.SENT)
    )
    return int((await session.execute(stmt)).scalar_one())


async def finish_post(
    session: AsyncSession, *, key: str, destination: str, now: datetime, error: str | None = None
) -> None:
    stmt = select(BroadcastPost).where(BroadcastPost.period == key, BroadcastPost.destination == destination)
    row = (await session.execute(stmt.with_for_update())).scalar_one()
    if error is None:
        row.state, row.sent_at = PostState.SENT, now
    else:
        row.state, row.last_error = PostState.FAILED, error[:500]
