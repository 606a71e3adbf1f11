"""Survey figures as SQL aggregates: counts, sums and sums of squares and products, never rows.

Every function takes a period [start, end) on the time the survey was sent, so a week's figures
describe the surveys of that week, however late people answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, inspect, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select

from storage.models import Answer, Interaction, RequestState, Respondent, SurveyRequest

# What a breakdown can group by.
DIMENSIONS: dict[str, Any] = {
    "touchpoint": col(Interaction.touchpoint),
    "agent": col(Interaction.agent),
    "platform": col(Respondent.platform),
    "language": col(SurveyRequest.language),
}


@dataclass(frozen=True, slots=True)
class Moments:
    """Enough to compute a mean, a variance and shares of a numeric answer in one group."""

    group: Any  # the dimension's value, or None for all
    n: int
    total: float
    total_sq: float
    top: int  # answers >= top_min
    bottom: int  # answers <= bottom_max

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if self.n < 2:
            return None
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True, slots=True)
class Funnel:
    """Surveys sent in a period and how far people got."""

    sent: int
    answered: int
    completed: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


def _sent_between(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(col(SurveyRequest.sent_at) >= start, col(SurveyRequest.sent_at) < end)


async def funnel(session: AsyncSession, *, start: datetime, end: datetime) -> Funnel:
    answered = select(Answer.request_id).where(col(Answer.request_id) == col(SurveyRequest.id)).exists()
    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((answered, 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(SurveyRequest.state) == RequestState.COMPLETED, 1), else_=0)), 0),
    ).where(_sent_between(start, end))
    sent, answered_n, completed = (await session.execute(stmt)).one()
    return Funnel(int(sent), int(answered_n), int(completed))


async def moments(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    survey: str,
    question: str,
    top_min: int,
    bottom_max: int,
    by: str | None = None,
) -> list[Moments]:
    """Count, sum, sum of squares and top/bottom counts of one question, overall or per group."""
    value = cast(col(Answer.value_int), Float)
    group = DIMENSIONS[by] if by else None
    columns = [
        func.count(col(Answer.value_int)),
        func.coalesce(func.sum(value), 0.0),
        func.coalesce(func.sum(value * value), 0.0),
        func.coalesce(func.sum(case((col(Answer.value_int) >= top_min, 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Answer.value_int) <= bottom_max, 1), else_=0)), 0),
    ]
    stmt = (
        select(*([group] if group is not None else []), *columns)
        .select_from(Answer)
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(
            _sent_between(start, end),
            col(SurveyRequest.survey) == survey,
            col(Answer.question_id) == question,
            col(Answer.value_int).is_not(None),
        )
    )
    if group is not None:
        # Join the tables a dimension lives in only when grouping by it: most figures need none.
        if group.table is inspect(Interaction).local_table:
            stmt = stmt.join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        if group.table is inspect(Respondent).local_table:
            stmt = stmt.join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        stmt = stmt.group_by(group).order_by(group)
    rows = (await session.execute(stmt)).all()
    result = []
    for row in rows:
        key, numbers = (row[0], row[1:]) if group is not None else (None, row)
        n, total, total_sq, top, bottom = numbers
        if group is None and not n:
            continue
        result.append(Moments(key, int(n), float(total), float(total_sq), int(top), int(bottom)))
    return result


@dataclass(frozen=True, slots=True)
class Measure:
    """A numeric question and what counts as its top and bottom answers (e.g. CSAT 4–5 and 1–2)."""

    survey: str
    question: str
    top_min: int
    bottom_max: int


async def moments_by_period(
    session: AsyncSession, *, edges: Sequence[datetime], measures: Sequence[Measure]
) -> dict[tuple[int, Measure], Moments]:
    """`moments` of several questions for each period between consecutive `edges` (say, 12 weeks),
    in one pass over the rows: the whole digest's scores and trend from a single scan.

    The period is a CASE over the edges rather than a date function, so weeks in any time zone
    (and across daylight-saving changes) group the same way on SQLite and PostgreSQL.
    """
    sent, survey, question = col(SurveyRequest.sent_at), col(SurveyRequest.survey), col(Answer.question_id)
    value, raw = cast(col(Answer.value_int), Float), col(Answer.value_int)
    period = case(*[(sent < edge, index) for index, edge in enumerate(edges[1:])])
    top = or_(*[and_(survey == m.survey, question == m.question, raw >= m.top_min) for m in measures])
    bottom = or_(*[and_(survey == m.survey, question == m.question, raw <= m.bottom_max) for m in measures])
    # More columns than select()'s typed overloads cover.
    columns: list[Any] = [
        period,
        survey,
        question,
        func.count(raw),
        func.sum(value),
        func.sum(value * value),
        func.sum(case((top, 1), else_=0)),
        func.sum(case((bottom, 1), else_=0)),
    ]
    stmt = (
        select(*columns)
        .select_from(Answer)
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(
            _sent_between(edges[0], edges[-1]),
            or_(*[and_(survey == m.survey, question == m.question) for m in measures]),
            raw.is_not(None),
        )
        .group_by(period, survey, question)
    )
    by_key = {(m.survey, m.question): m for m in measures}
    found = {}
    for index, survey_key, question_id, n, total, total_sq, top_n, bottom_n in (await session.execute(stmt)).all():
        measure = by_key[(survey_key, question_id)]
        found[(int(index), measure)] = Moments(None, int(n), float(total), float(total_sq), int(top_n), int(bottom_n))
    return found


@dataclass(frozen=True, slots=True)
class CrossProducts:
    """Sums over the responses that answered all `questions`: enough for correlations and regression."""

    questions: tuple[str, ...]
    n: int
    sums: tuple[float, ...]
    products: tuple[tuple[float, ...], ...]  # products[i][j] = sum(x_i * x_j)


async def cross_products(
    session: AsyncSession, *, start: datetime, end: datetime, survey: str, questions: Sequence[str]
) -> CrossProducts:
    """One row per response (a pivot in SQL), aggregated again in SQL into sums of products."""
    value = cast(col(Answer.value_int), Float)
    pivot = (
        select(*[func.max(case((col(Answer.question_id) == q, value))).label(f"q{i}") for i, q in enumerate(questions)])
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(_sent_between(start, end), col(SurveyRequest.survey) == survey)
        .group_by(col(Answer.request_id))
        .subquery()
    )
    xs = [pivot.c[f"q{i}"] for i in range(len(questions))]
    complete = and_(*[x.is_not(None) for x in xs])
    pairs = [(i, j) for i in range(len(xs)) for j in range(i, len(xs))]
    stmt = select(
        func.count(),
        *[func.coalesce(func.sum(x), 0.0) for x in xs],
        *[func.coalesce(func.sum(xs[i] * xs[j]), 0.0) for i, j in pairs],
    ).where(complete)
    row = (await session.execute(stmt)).one()
    n, sums, flat = int(row[0]), tuple(float(v) for v in row[1 : 1 + len(xs)]), row[1 + len(xs) :]
    products = [[0.0] * len(xs) for _ in xs]
    for (i, j), total in zip(pairs, flat, strict=True):
        products[i][j] = products[j][i] = float(total)
    return CrossProducts(tuple(questions), n, sums, tuple(tuple(r) for r in products))


@dataclass(frozen=True, slots=True)
class TextTone:
    comments: int
    scored: int
    positive: int
    negative: int


async def text_tone(session: AsyncSession, *, start: datetime, end: datetime, threshold: float = 0.1) -> TextTone:
    """Free-text answers and their sentiment; unscored (non-English) ones count only as comments."""
    scored = col(Answer.sentiment).is_not(None)
    stmt = (
        select(
            func.count(),
            func.coalesce(func.sum(case((scored, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(Answer.sentiment) > threshold, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(Answer.sentiment) < -threshold, 1), else_=0)), 0),
        )
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(_sent_between(start, end), col(Answer.value_text).is_not(None))
    )
    comments, scored_n, positive, negative = (await session.execute(stmt)).one()
    return TextTone(int(comments), int(scored_n), int(positive), int(negative))


async def recent_comments(session: AsyncSession, *, start: datetime, end: datetime, limit: int = 3) -> list[str]:
    stmt = (
        select(col(Answer.value_text))
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(_sent_between(start, end), col(Answer.value_text).is_not(None))
        .order_by(col(Answer.answered_at).desc())
        .limit(limit)
    )
    return [text for (text,) in (await session.execute(stmt)).all() if text is not None]
