"""Suggestion-box queries. Nothing here accepts or returns anything about a person."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import PromptLedger, Suggestion, SuggestionReceipt, ThemeResponse
from storage.upsert import insert_ignore

BREAKDOWNS = ("theme", "language", "channel", "iso_week")


@dataclass(frozen=True, slots=True)
class NewSuggestion:
    text: str
    language: str | None
    channel: str
    iso_week: str
    sentiment: float | None
    sentiment_status: str | None


async def claim_receipt(session: AsyncSession, *, platform: str, event_id: str, iso_week: str) -> bool:
    """Record that a delivery carried a suggestion; False when it was stored before."""
    key = hashlib.sha256(f"{platform}\0{event_id}".encode()).hexdigest()
    return (
        await insert_ignore(session, SuggestionReceipt, {"key": key, "iso_week": iso_week}, conflict=("key",))
        is not None
    )


async def add_suggestion(session: AsyncSession, suggestion: NewSuggestion) -> uuid.UUID:
    row = Suggestion(**{name: getattr(suggestion, name) for name in NewSuggestion.__slots__})
    session.add(row)
    await session.flush()
    return row.id


async def suggestions_in(session: AsyncSession, *, weeks: Sequence[str]) -> list[Suggestion]:
    result = await session.execute(select(Suggestion).where(col(Suggestion.iso_week).in_(weeks)))
    return list(result.scalars())


async def set_themes(session: AsyncSession, themes: Mapping[uuid.UUID, str | None]) -> None:
    """Record the latest theme of each suggestion (themes are recomputed as the box fills)."""
    by_label: dict[str | None, list[uuid.UUID]] = {}
    for suggestion_id, label in themes.items():
        by_label.setdefault(label, []).append(suggestion_id)
    for label, ids in by_label.items():
        await session.execute(update(Suggestion).where(col(Suggestion.id).in_(ids)).values(theme=label))


async def counts_by(session: AsyncSession, *, by: str, weeks: Sequence[str]) -> list[tuple[str | None, int]]:
    """Suggestions per theme, language, channel or week, counted in SQL, largest first."""
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break suggestions down by {by!r}; use one of {', '.join(BREAKDOWNS)}")
    column = getattr(Suggestion, by)
    stmt = (
        select(column, func.count())
        .where(col(Suggestion.iso_week).in_(weeks))
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [(key, int(n)) for key, n in (await session.execute(stmt)).all()]


async def theme_labels(session: AsyncSession) -> list[str]:
    """The labels the latest theme grouping gave to stored suggestions."""
    stmt = select(Suggestion.theme).where(col(Suggestion.theme).is_not(None)).distinct().order_by(Suggestion.theme)
    return [label for label in (await session.execute(stmt)).scalars() if label]


async def add_theme_response(session: AsyncSession, *, theme: str, response: str) -> int:
    row = ThemeResponse(theme=theme, response=response)
    session.add(row)
    await session.flush()
    return row.id


async def latest_responses(session: AsyncSession, *, limit: int = 3) -> list[ThemeResponse]:
    stmt = select(ThemeResponse).order_by(col(ThemeResponse.created_at).desc(), col(ThemeResponse.id).desc())
    return list((await session.execute(stmt.limit(limit))).scalars())


async def claim_prompt(session: AsyncSession, *, target: str, period: str) -> bool:
    """Take the one prompt a target may get in a period; False if it already had it."""
    return (
        await insert_ignore(session, PromptLedger, {"target": target, "period": period}, conflict=("target", "period"))
        is not None
    )
