"""Links to a survey's web page: stored as the SHA-256 of their token, each pointing at one request."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import SurveyLink


async def add_link(session: AsyncSession, *, token_hash: str, request_id: int) -> None:
    session.add(SurveyLink(token_hash=token_hash, request_id=request_id))


async def request_of_link(session: AsyncSession, token_hash: str) -> int | None:
    stmt = select(SurveyLink.request_id).where(SurveyLink.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def drop_links(session: AsyncSession, request_ids: list[int]) -> None:
    """Forgetting a person drops their survey links too: a link is as good as their identity."""
    await session.execute(delete(SurveyLink).where(col(SurveyLink.request_id).in_(request_ids)))
