"""Answer counts per period, value by value, from the raw answers or from rollups of closed periods.

A count of each value is enough for every figure the digest shows (count, mean, variance, the
shares above or below any threshold) and stays small (a question has at most 11 values). Closed
periods are counted once and kept; open ones, and any not rolled up yet, are counted from the
answers in one statement.

A rollup must stay equal to the raw count whatever the order of events, so every write into an
old period (a late answer, demo history, a deletion) calls `invalidate_rollups` in its own
transaction: it raises the epoch and deletes the rollups it touches. A digest reads the epoch
before counting and `store_rollups` keeps nothing if it moved in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, delete, func, or_, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Answer, RollupCount, RollupEpoch, RollupPeriod, SurveyRequest
from storage.upsert import insert_ignore, upsert

Period = tuple[datetime, datetime]
# (survey, question id, value) -> how many answers
Counts = dict[tuple[str, str, int], int]
# A period is rolled up only once it ended at least this long ago, so an answer to a survey sent
# more recently can never touch a rollup (the press path then needs no extra statement).
ROLLUP_MIN_AGE = timedelta(days=1)


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
            col(SurveyRequest.demo).is_(False),
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


async def rollup_epoch(session: AsyncSession) -> int:
    """The number `invalidate_rollups` raises; read it before counting what `store_rollups` keeps."""
    found = (await session.execute(select(RollupEpoch.epoch).where(col(RollupEpoch.id) == 1))).scalar_one_or_none()
    return int(found or 0)


def may_touch_rollups(sent_at: datetime | None, now: datetime) -> bool:
    """Whether a write about a survey sent at `sent_at` can change a rolled-up period."""
    return sent_at is not None and sent_at < now - ROLLUP_MIN_AGE


async def invalidate_rollups(session: AsyncSession, *, sent_at: datetime | None = None) -> None:
    """Forget the rollup of the period holding `sent_at` (every rollup when None) and raise the
    epoch, in the caller's transaction, so no digest stores counts it read before this write.

    The epoch row is updated first: on PostgreSQL its lock orders this against a concurrent
    `store_rollups`, whose rows the DELETE below then sees."""
    raised = await session.execute(
        update(RollupEpoch).where(col(RollupEpoch.id) == 1).values(epoch=col(RollupEpoch.epoch) + 1)
    )
    if not cast(CursorResult[Any], raised).rowcount:
        await upsert(session, RollupEpoch, {"id": 1, "epoch": 1}, conflict=("id",), update=("epoch",))
    periods = select(RollupPeriod.id)
    if sent_at is not None:
        periods = periods.where(col(RollupPeriod.period_start) <= sent_at, col(RollupPeriod.period_end) > sent_at)
    await session.execute(delete(RollupCount).where(col(RollupCount.period_id).in_(periods)))
    await session.execute(delete(RollupPeriod).where(col(RollupPeriod.id).in_(periods)))


async def store_rollups(session: AsyncSession, counted: dict[Period, Counts], *, epoch: int, now: datetime) -> int:
    """Keep the counts of closed periods, if nothing was written into an old period since `epoch`
    was read; a period another replica stored first is left as it is. Returns how many periods
    this call stored."""
    current = select(RollupEpoch.epoch).where(col(RollupEpoch.id) == 1).with_for_update()
    if int((await session.execute(current)).scalar_one_or_none() or 0) != epoch:
        return 0  # a late write may be missing from these counts: count again next time
    stored = 0
    for (start, end), counts in counted.items():
        if end > now - ROLLUP_MIN_AGE:
            raise ValueError(f"period ending {end.isoformat()} is too recent to roll up")
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


async def rollup_count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(RollupPeriod))).scalar_one())
