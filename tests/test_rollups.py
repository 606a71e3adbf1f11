"""Rollups of closed weeks: the digest read from them equals the digest counted from the answers,
on SQLite and PostgreSQL, whatever the order of reads and late writes; deleting answers (forget)
drops them; replicas store each period once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from handlers.core.weeks import shift, week_bounds, week_of
from handlers.digest.figures import WeeklyFigures
from handlers.digest.rules import WeeklyRules
from handlers.operations.demo_history import fill
from handlers.operations.housekeeping import forget_respondent
from storage.models import Answer, Respondent, RollupCount, RollupPeriod, SurveyRequest
from storage.rollups import count_answers, invalidate_rollups, rolled_up, rollup_epoch, store_rollups

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
            return await store_rollups(session, {period: counts}, epoch=0, now=services.context.clock())

    assert sorted(await asyncio.gather(store(), store())) == [0, 1]
    async with services.context.sessions() as session:
        assert (await rolled_up(session, periods=[period])) == {period: counts}


async def _rolled_up_equals_raw(services, week: str, weeks: int) -> None:
    """Every rollup of the last `weeks` equals the plain GROUP BY over the answers as they are now."""
    spans = [week_bounds(shift(week, -back, "UTC"), "UTC") for back in range(weeks)]
    async with services.context.sessions() as session:
        stored = await rolled_up(session, periods=spans)
    raw = await _raw_counts(services, spans)
    assert all(stored[span] == raw[span] for span in stored), "a rollup differs from the answers"


async def test_figures_read_before_history_arrives_do_not_stay_empty(services):
    """The newcomer's path: the summary of an empty database, then demo data, then the summary again."""
    figures = WeeklyFigures(services.context, WeeklyRules())
    week = shift(week_of(services.context.clock(), "UTC"), -1, "UTC")
    empty = await figures.build(week, trend_weeks=4)
    assert empty.csat is None and all(point.csat is None for point in empty.trend)
    await fill(services.context, answers=2000, weeks=4, seed=5)
    after = await figures.build(week, trend_weeks=4)
    await _rolled_up_equals_raw(services, week, 4)
    closed = [point for point in after.trend if figures._closed(week_bounds(point.week, "UTC"))]
    assert closed and all(point.csat is not None and point.csat.n > 0 for point in closed)


async def test_a_late_answer_reaches_a_rolled_up_week(services, channel):
    """A survey sent in a week that is rolled up, answered after the digest read it (a long expiry,
    or a Sunday-evening survey answered after Monday's digest): the figures include the answer."""
    from tests.fakes.chat import Person

    person = Person(services, channel)
    result = await person.gets_survey()
    now = services.context.clock()
    long_ago = now - timedelta(days=12)
    async with services.context.sessions() as session, session.begin():
        await session.execute(
            update(SurveyRequest)
            .where(SurveyRequest.id == result.request_id)
            .values(sent_at=long_ago, expires_at=now + timedelta(days=1))
        )
    figures = WeeklyFigures(services.context, WeeklyRules())
    week = week_of(long_ago, "UTC")
    before = await figures.build(week, trend_weeks=2)
    assert before.csat is None
    async with services.context.sessions() as session:
        assert await rolled_up(session, periods=[week_bounds(week, "UTC")])  # the week is rolled up, empty
    await person.press("2")
    after = await figures.build(week, trend_weeks=2)
    assert after.csat is not None and after.csat.n == 1
    await _rolled_up_equals_raw(services, week, 2)


async def test_a_late_write_between_count_and_store_keeps_no_stale_rollup(services):
    """The race: a digest counts a closed week, a late answer lands, the digest stores its counts."""
    await fill(services.context, answers=300, weeks=4, seed=6)
    week = shift(week_of(services.context.clock(), "UTC"), -2, "UTC")
    period = week_bounds(week, "UTC")
    async with services.context.reads() as session:
        epoch = await rollup_epoch(session)
        counted = await count_answers(session, periods=[period])
    async with services.context.sessions() as session, session.begin():
        request = (
            await session.execute(select(SurveyRequest).where(SurveyRequest.sent_at >= period[0]).limit(1))
        ).scalar_one()
        session.add(Answer(request_id=request.id, question_id="late", value_int=3))
        await invalidate_rollups(session, sent_at=request.sent_at)
    async with services.context.sessions() as session, session.begin():
        assert await store_rollups(session, counted, epoch=epoch, now=services.context.clock()) == 0
    async with services.context.sessions() as session:
        assert await rolled_up(session, periods=[period]) == {}
    figures = WeeklyFigures(services.context, WeeklyRules())
    await figures.build(week, trend_weeks=3)
    await _rolled_up_equals_raw(services, week, 3)


async def test_interleaved_reads_and_late_writes_always_match_the_raw_counts(services, channel):
    """Digests (two at once, as replicas would), late answers and new history in a seeded random order."""
    import random

    rng = random.Random(7)
    await fill(services.context, answers=400, weeks=6, seed=7)
    figures = WeeklyFigures(services.context, WeeklyRules())
    week = shift(week_of(services.context.clock(), "UTC"), -1, "UTC")
    async with services.context.reads() as session:
        requests = (await session.execute(select(SurveyRequest.id, SurveyRequest.sent_at))).all()

    async def late_answer() -> None:
        request_id, sent_at = rng.choice(requests)
        async with services.context.sessions() as session, session.begin():
            session.add(Answer(request_id=request_id, question_id=f"late{rng.random()}", value_int=rng.randint(1, 5)))
            await invalidate_rollups(session, sent_at=sent_at)

    for _ in range(12):
        step = rng.choice(["digests", "late", "late_during_digest"])
        if step == "digests":
            await asyncio.gather(figures.build(week, trend_weeks=6), figures.build(week, trend_weeks=6))
        elif step == "late":
            await late_answer()
        else:
            await asyncio.gather(figures.build(week, trend_weeks=6), late_answer())
        await _rolled_up_equals_raw(services, week, 6)
