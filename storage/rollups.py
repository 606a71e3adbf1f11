"""Answer counts per period, value by value, from the raw answers or from rollups of closed periods.

A count of each value is enough for every figure the digest shows (count, mean, variance, the
shares above or below any threshold) and stays small (a question has at most 11 values). Closed
periods are counted once and kept; open ones, and any not rolled up yet, are counted from the
answers in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, delete, func, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Answer, RollupCount, RollupPeriod, SurveyRequest
from storage.upsert import insert_ignore

Period = tuple[datetime, datetime]
# (survey, question id, value) -> how many answers
Counts = dict[tuple[str, str, int], int]


async def count_answers(session: AsyncSession, *, periods: Sequence[Period]) -> dict[Period, Counts]:
    """Count each value of every numeric question among the surveys sent in each period, in one scan
    (every question, so a rollup still serves a digest after a survey gains a question).

    The period is a CASE over the periods' bounds rather than a date function, so weeks in any
    time zone (and across daylight-saving changes) group the same way on SQLite and PostgreSQL.
    """
    if not periods:
        return {}
    sent, survey, question, value = (
        col(SurveyRequest.sent_at),
        col(SurveyRequest.survey),
        col(Answer.question_id),
        col(Answer.value_int),
    )
    index = case(*[(and_(sent >= start, sent < end), i) for i, (start, end) in enumerate(periods)])
    columns: list[Any] = [index, survey, question, value, func.count()]
    stmt = (
        select(*columns)
        .select_from(Answer)
        .join(SurveyRequest, col(SurveyRequest.id) == col(Answer.request_id))
        .where(
            or_(*[and_(sent >= start, sent < end) for start, end in periods]),
            value.is_not(None),
        )
        .group_by(index, survey, question, value)
    )
    found: dict[Period, Counts] = {period: {} for period in periods}
    for i, survey_key, question_id, number, n in (await session.execute(stmt)).all():
        found[periods[int(i)]][(survey_key, question_id, int(number))] = int(n)
    return found


async def rolled_up(session: AsyncSession, *, periods: Sequence[Period]) -> dict[Period, Counts]:
    """The stored counts of those `periods` that have been rolled up (a period with no answers has
    a rollup too, with no counts)."""
    if not periods:
        return {}
    bounds = tuple_(col(RollupPeriod.period_start), col(RollupPeriod.period_end))
    stored = (await session.execute(select(RollupPeriod).where(bounds.in_(list(periods))))).scalars().all()
    by_id: dict[int, Period] = {row.id: (row.period_start, row.period_end) for row in stored}
    found: dict[Period, Counts] = {period: {} for period in by_id.values()}
    if by_id:
        rows = await session.execute(select(RollupCount).where(col(RollupCount.period_id).in_(list(by_id))))
        for count in rows.scalars():
            found[by_id[count.period_id]][(count.survey, count.question_id, count.value)] = count.n
    return found


async def store_rollups(session: AsyncSession, counted: dict[Period, Counts]) -> int:
    """Keep the counts of closed periods; a period another replica stored first is left as it is.
    Returns how many periods this call stored."""
    stored = 0
    for (start, end), counts in counted.items():
        values = {"period_start": start, "period_end": end}
        period_id = await insert_ignore(session, RollupPeriod, values, conflict=("period_start", "period_end"))
        if period_id is None:
            continue
        if counts:
            rows = [
                {"period_id": period_id, "survey": s, "question_id": q, "value": v, "n": n}
                for (s, q, v), n in counts.items()
            ]
            await session.execute(RollupCount.__table__.insert(), rows)  # type: ignore[attr-defined]
        stored += 1
    return stored


async def drop_rollups(session: AsyncSession) -> int:
    """Forget every rollup (after answers were deleted, or to rebuild); they are rebuilt on use."""
    await session.execute(delete(RollupCount))
    result = await session.execute(delete(RollupPeriod))
    return int(cast(CursorResult[Any], result).rowcount or 0)


async def rollup_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(RollupPeriod))).scalar_one())
