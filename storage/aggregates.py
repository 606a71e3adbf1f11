"""Figures computed in SQL, so reports cost the same memory for a hundred rows or a million."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, exists, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Answer, RequestState, SurveyRequest


@dataclass(frozen=True, slots=True)
class Funnel:
    """Surveys sent in a period and how far people got."""

    sent: int
    answered: int
    completed: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


@dataclass(frozen=True, slots=True)
class QuestionStat:
    question_id: str
    count: int
    mean: float | None
    top_box: int  # answers at or above the top-box threshold (4–5 on a 1–5 scale)


async def funnel(session: AsyncSession, *, start: datetime, end: datetime, survey: str | None = None) -> Funnel:
    has_answer = exists().where(col(Answer.request_id) == col(SurveyRequest.id))
    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((has_answer, 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(SurveyRequest.state) == RequestState.COMPLETED, 1), else_=0)), 0),
    ).where(col(SurveyRequest.sent_at) >= start, col(SurveyRequest.sent_at) < end)
    if survey:
        stmt = stmt.where(SurveyRequest.survey == survey)
    sent, answered, completed = (await session.execute(stmt)).one()
    return Funnel(sent=int(sent), answered=int(answered), completed=int(completed))


async def question_stats(
    session: AsyncSession, *, start: datetime, end: datetime, survey: str, top_box_min: int = 4
) -> list[QuestionStat]:
    """Count, mean and top-box count of every numeric question of `survey`, by answer time."""
    value = col(Answer.value_int)
    stmt = (
        select(
            col(Answer.question_id),
            func.count(value),
            func.avg(value),
            func.coalesce(func.sum(case((value >= top_box_min, 1), else_=0)), 0).cast(Integer),
        )
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(
            SurveyRequest.survey == survey,
            value.is_not(None),
            col(Answer.answered_at) >= start,
            col(Answer.answered_at) < end,
        )
        .group_by(col(Answer.question_id))
        .order_by(col(Answer.question_id))
    )
    return [
        QuestionStat(question_id=qid, count=int(n), mean=float(mean) if mean is not None else None, top_box=int(top))
        for qid, n, mean, top in (await session.execute(stmt)).all()
    ]
