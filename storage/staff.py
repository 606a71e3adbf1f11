"""Staff accounts, their single-use invitations, sessions and failed sign-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import SignInFailure, StaffInvitation, StaffMember, StaffRole, StaffSession


async def member_by_email(session: AsyncSession, email: str) -> StaffMember | None:
    return (await session.execute(select(StaffMember).where(StaffMember.email == email))).scalar_one_or_none()


async def member_by_id(session: AsyncSession, member_id: int) -> StaffMember | None:
    return await session.get(StaffMember, member_id)


async def all_members(session: AsyncSession) -> Sequence[StaffMember]:
    return (await session.execute(select(StaffMember).order_by(col(StaffMember.email)))).scalars().all()


async def member_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(StaffMember))).scalar_one())


async def owner_count(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(StaffMember).where(StaffMember.role == StaffRole.OWNER)
    return int((await session.execute(stmt)).scalar_one())


async def add_invitation(session: AsyncSession, *, member_id: int, token_hash: str, expires_at: datetime) -> None:
    """A new link; any earlier unused link of the member stops working."""
    await session.execute(
        delete(StaffInvitation).where(
            col(StaffInvitation.member_id) == member_id, col(StaffInvitation.used_at).is_(None)
        )
    )
    session.add(StaffInvitation(token_hash=token_hash, member_id=member_id, expires_at=expires_at))


async def invitation(session: AsyncSession, token_hash: str, *, for_update: bool = False) -> StaffInvitation | None:
    stmt = select(StaffInvitation).where(StaffInvitation.token_hash == token_hash)
    return (await session.execute(stmt.with_for_update() if for_update else stmt)).scalar_one_or_none()


async def add_session(session: AsyncSession, *, id_hash: str, member_id: int, csrf_token: str, now: datetime) -> None:
    session.add(StaffSession(id_hash=id_hash, member_id=member_id, csrf_token=csrf_token, created_at=now, seen_at=now))


async def session_with_member(session: AsyncSession, id_hash: str) -> tuple[StaffSession, StaffMember] | None:
    stmt = (
        select(StaffSession, StaffMember)
        .join(StaffMember, col(StaffMember.id) == col(StaffSession.member_id))
        .where(StaffSession.id_hash == id_hash)
    )
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def end_session(session: AsyncSession, id_hash: str) -> None:
    await session.execute(delete(StaffSession).where(col(StaffSession.id_hash) == id_hash))


async def end_sessions_of(session: AsyncSession, member_id: int) -> None:
    await session.execute(delete(StaffSession).where(col(StaffSession.member_id) == member_id))


async def remove_member(session: AsyncSession, member: StaffMember) -> None:
    """The account, its sessions and its links, at once."""
    await end_sessions_of(session, member.id)
    await session.execute(delete(StaffInvitation).where(col(StaffInvitation.member_id) == member.id))
    await session.delete(member)


async def add_failure(session: AsyncSession, *, keys: Sequence[str], at: datetime) -> None:
    session.add_all(SignInFailure(key=key, at=at) for key in keys)


async def failures_since(session: AsyncSession, *, key: str, since: datetime) -> list[datetime]:
    """When `key` failed since `since`, oldest first."""
    stmt = (
        select(SignInFailure.at)
        .where(SignInFailure.key == key, col(SignInFailure.at) >= since)
        .order_by(col(SignInFailure.at))
    )
    return list((await session.execute(stmt)).scalars())


async def forget_failures(session: AsyncSession, *, keys: Sequence[str] = (), before: datetime | None = None) -> None:
    """Forget the failures of `keys` (after a good sign-in), or all before `before` (housekeeping)."""
    stmt = delete(SignInFailure)
    if keys:
        stmt = stmt.where(col(SignInFailure.key).in_(keys))
    if before is not None:
        stmt = stmt.where(col(SignInFailure.at) < before)
    await session.execute(stmt)
