"""Deduplication of platform deliveries (Telegram update ids, Slack event ids, button presses)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import ProcessedEvent
from storage.upsert import insert_ignore


async def claim_event(session: AsyncSession, *, platform: str, event_id: str) -> bool:
    """Record the delivery; False when it was handled before. Commits with the caller's work."""
    new_id = await insert_ignore(
        session, ProcessedEvent, {"platform": platform, "event_id": event_id}, conflict=("platform", "event_id")
    )
    return new_id is not None


async def event_seen(session: AsyncSession, *, platform: str, event_id: str) -> bool:
    result = await session.execute(
        select(ProcessedEvent.id).where(ProcessedEvent.platform == platform, ProcessedEvent.event_id == event_id)
    )
    return result.first() is not None


async def forget_events_before(session: AsyncSession, *, before: datetime) -> int:
    """Drop old dedupe records; platforms stop redelivering after minutes, not weeks."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.processed_at < before))  # type: ignore[arg-type]
    return cast(CursorResult[Any], result).rowcount or 0
