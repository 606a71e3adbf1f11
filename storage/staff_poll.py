"""Staff poll answers: a hash saying someone voted, and their estimate, in two unlinked tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import BroadcastPost, PostState, StaffEstimate, StaffVote
from storage.upsert import insert_ignore


async def add_estimate(session: AsyncSession, *, period: str, voter: str, estimate: int) -> bool:
    """Record one person's estimate for `period`; False if they already answered."""
    if (
        await insert_ignore(session, StaffVote, {"period": period, "voter": voter}, conflict=("period", "voter"))
        is None
    ):
        return False
    session.add(StaffEstimate(period=period, estimate=estimate))
    return True


async def estimates_of(session: AsyncSession, *, period: str) -> list[int]:
    stmt = select(col(StaffEstimate.estimate)).where(col(StaffEstimate.period) == period)
    return sorted((await session.execute(stmt)).scalars().all())


async def digest_sent(session: AsyncSession, *, period: str) -> bool:
    """True once the week's digest reached any destination: the poll about it is then closed."""
    stmt = select(BroadcastPost.id).where(
        col(BroadcastPost.period) == period, col(BroadcastPost.state) == PostState.SENT
    )
    return (await session.execute(stmt.limit(1))).first() is not None
