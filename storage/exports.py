"""Row streams for exports: fetched in chunks on a server-side cursor, so a million rows use little memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Answer, Interaction, Respondent, Suggestion, SurveyRequest

CHUNK = 2000

SUGGESTION_FIELDS = tuple(column.name for column in Suggestion.__table__.columns)  # type: ignore[attr-defined]
ANSWER_COLUMNS = {
    "answer_id": col(Answer.id),
    "request_id": col(Answer.request_id),
    "survey": col(SurveyRequest.survey),
    "question_id": col(Answer.question_id),
    "value_int": col(Answer.value_int),
    "value_text": col(Answer.value_text),
    "text_language": col(Answer.text_language),
    "sentiment": col(Answer.sentiment),
    "sentiment_status": col(Answer.sentiment_status),
    "answered_at": col(Answer.answered_at),
    "survey_language": col(SurveyRequest.language),
    "platform": col(Respondent.platform),
    "touchpoint": col(Interaction.touchpoint),
    "agent": col(Interaction.agent),
    "interaction_id": col(Interaction.external_id),
}
ANSWER_FIELDS = tuple(ANSWER_COLUMNS)


async def stream_suggestions(session: AsyncSession, *, since_week: str | None = None) -> AsyncIterator[dict[str, Any]]:
    """Exactly the stored fields. Ordered by week, then by the random id: never by arrival."""
    stmt = select(Suggestion).order_by(col(Suggestion.iso_week), col(Suggestion.id))
    if since_week:
        stmt = stmt.where(col(Suggestion.iso_week) >= since_week)
    result = await session.stream(stmt.execution_options(yield_per=CHUNK))
    async for row in result.scalars():
        yield {name: getattr(row, name) for name in SUGGESTION_FIELDS}


async def stream_answers(session: AsyncSession, *, since: datetime | None = None) -> AsyncIterator[dict[str, Any]]:
    """Answers with their survey, channel and interaction; no person identifiers."""
    stmt = (
        select(*ANSWER_COLUMNS.values())
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        .order_by(col(Answer.id))
    )
    if since:
        stmt = stmt.where(col(Answer.answered_at) >= since)
    result = await session.stream(stmt.execution_options(yield_per=CHUNK))
    async for row in result:
        yield dict(zip(ANSWER_FIELDS, row, strict=True))
