"""Bulk writing of past survey responses: for demo data, benchmarks and tests of the figures."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.models import Answer, Interaction, RequestState, Respondent, SurveyRequest
from storage.upsert import dialect_insert


@dataclass(frozen=True, slots=True)
class PastResponse:
    platform: str
    user_id: str
    survey: str
    sent_at: datetime
    answers: Mapping[str, int | str | None] = field(default_factory=dict)
    touchpoint: str | None = None
    agent: str | None = None
    language: str = "en"
    completed: bool = True
    text_language: str | None = None
    sentiment: float | None = None
    sentiment_method: str | None = None


async def add_history(session: AsyncSession, records: Sequence[PastResponse]) -> None:
    """Insert records with a few multi-row statements (no per-row round trips)."""
    people = {(r.platform, r.user_id) for r in records}
    stmt = dialect_insert(session, Respondent).on_conflict_do_nothing(index_elements=["platform", "platform_user_id"])
    await session.execute(stmt, [{"platform": p, "platform_user_id": u, "chat_id": u} for p, u in people])
    found = await session.execute(
        select(col(Respondent.id), col(Respondent.platform), col(Respondent.platform_user_id)).where(
            col(Respondent.platform_user_id).in_([u for _, u in people])
        )
    )
    ids = {(platform, user): respondent_id for respondent_id, platform, user in found}
    interactions = await session.execute(
        insert(Interaction).returning(col(Interaction.id), sort_by_parameter_order=True),
        [
            {
                "external_id": f"hist-{secrets.token_hex(8)}",
                "respondent_id": ids[(r.platform, r.user_id)],
                "touchpoint": r.touchpoint,
                "agent": r.agent,
                "language": r.language,
                "occurred_at": r.sent_at,
            }
            for r in records
        ],
    )
    interaction_ids = [row[0] for row in interactions]
    requests = await session.execute(
        insert(SurveyRequest).returning(col(SurveyRequest.id), sort_by_parameter_order=True),
        [
            {
                "interaction_id": interaction_id,
                "respondent_id": ids[(r.platform, r.user_id)],
                "survey": r.survey,
                "language": r.language,
                "token": secrets.token_urlsafe(9),
                "due_at": r.sent_at,
                "sent_at": r.sent_at,
                "state": RequestState.COMPLETED if r.completed else RequestState.ACTIVE,
                "completed_at": r.sent_at if r.completed else None,
            }
            for interaction_id, r in zip(interaction_ids, records, strict=True)
        ],
    )
    answers = []
    for (request_id,), record in zip(requests, records, strict=True):
        for question, value in record.answers.items():
            text = value if isinstance(value, str) else None
            answers.append(
                {
                    "request_id": request_id,
                    "question_id": question,
                    "answered_at": record.sent_at,
                    "value_int": value if isinstance(value, int) else None,
                    "value_text": text,
                    "text_language": record.text_language if text else None,
                    "sentiment": record.sentiment if text else None,
                    "sentiment_status": ("scored" if record.sentiment is not None else "not_scored") if text else None,
                    "sentiment_method": record.sentiment_method if text else None,
                }
            )
    if answers:
        await session.execute(insert(Answer), answers)
