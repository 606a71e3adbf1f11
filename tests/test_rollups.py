"""Rollups of closed weeks: the digest read from them equals the digest counted from the answers,
on SQLite and PostgreSQL; deleting answers (forget) drops them; replicas store each period once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from handlers.core.weeks import shift, week_bounds, week_of
from handlers.digest.figures import WeeklyFigures
from handlers.digest.rules import WeeklyRules
from handlers.operations.demo_history import fill
from handlers.operations.housekeeping import forget_respondent
from storage.models import Answer, Respondent, RollupCount, RollupPeriod, SurveyRequest
from storage.rollups import count_answers, rolled_up, store_rollups

WEEKS = 8


async def _raw_counts(services, periods):
    """The plain GROUP BY a reviewer would write, independent of storage.rollups."""
    found = {}
    async with services.context.sessions() as session:
        for start, end in periods:
            stmt = (
                select(SurveyRequest.survey, Answer.question_id, Answer.value_int, func.count())
                .join(SurveyRequest, SurveyRequest.id == Answer.request_id)
                .where(SurveyRequest.sent_at >= start, SurveyRequest.sent_at < end, Answer.value_int.is_not(None))
                .group_by(SurveyRequest.survey, Answer.question_id, Answer.value_int)
            )
            found[(start, end)] = {(s, q, v): n for s, q, v, n in (await session.execute(stmt)).all()}
    return found


async def test_a_digest_from_rollups_equals_one_counted_from_the_answers(services):
    await fill(services.context, answers=3000, weeks=WEEKS, seed=3)
    figures = WeeklyFigures(services.context, WeeklyRules())
    week = shift(week_of(services.context.clock(), "UTC"), -1, "UTC")
    first = await figures.build(week, trend_weeks=WEEKS)  # counts the answers, rolls up closed weeks
    async with services.context.sessions() as session:
        periods = (await session.execute(select(func.count()).select_from(RollupPeriod))).scalar_one()
        kept = (await session.execute(select(func.count()).select_from(RollupCount))).scalar_one()
    assert periods >= WEEKS - 2 and kept > 0  # the newest week or two are still open
    again = await figures.build(week, trend_weeks=WEEKS)  # reads them
    assert again == first

    spans = [week_bounds(shift(week, -back, "UTC"), "UTC") for back in range(WEEKS)]
    async with services.context.sessions() as session:
        stored = await rolled_up(session, periods=spans)
        counted = await count_answers(session, periods=spans)
    raw = await _raw_counts(services, spans)
    assert stored and all(stored[span] == raw[span] == counted[span] for span in stored)

    assert await figures.rebuild_rollups(weeks=WEEKS) == periods
    assert await figures.build(week, trend_weeks=WEEKS) == first


async def test_deleting_answers_drops_the_rollups(services):
    await fill(services.context, answers=500, weeks=4, seed=4)
    figures = WeeklyFigures(services.context, WeeklyRules())
    week = shift(week_of(services.context.clock(), "UTC"), -1, "UTC")
    await figures.build(week, trend_weeks=4)
    async with services.context.sessions() as session:
        respondent = (await session.execute(select(Respondent).limit(1))).scalar_one()
    await forget_respondent(
        services.context, platform=respondent.platform, user_id=respondent.platform_user_id, delete_answers=True
    )
    async with services.context.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(RollupPeriod))).scalar_one() == 0


async def test_two_replicas_storing_one_period_keep_one_copy(services):
    start = services.context.clock() - timedelta(days=60)
    period = (start, start + timedelta(days=7))
    counts = {("csat", "overall", 4): 3}

    async def store():
        async with services.context.sessions() as session, session.begin():
            return await store_rollups(session, {period: counts})

    assert sorted(await asyncio.gather(store(), store())) == [0, 1]
    async with services.context.sessions() as session:
        assert (await rolled_up(session, periods=[period])) == {period: counts}
