"""A week's figures against values computed by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from handlers.core.settings import Anonymity
from handlers.core.weeks import parse_week, shift, week_bounds
from handlers.digest.figures import WeeklyFigures
from handlers.digest.rules import WeeklyRules
from handlers.digest.statistics import NetScore, Share
from storage.figures import tune_for_aggregates
from storage.history import PastResponse, add_history

WEEK = "2026-W47"


def _moment(week: str, day: int = 1, hour: int = 10):
    start, _ = week_bounds(week, "UTC")
    return start + timedelta(days=day, hours=hour)


async def _plant(services, records) -> None:
    async with services.context.sessions() as session, session.begin():
        await add_history(session, records)


def _csat(i: int, overall: int, week: str = WEEK, **extra) -> PastResponse:
    answers = {"overall": overall, **extra.pop("answers", {})}
    return PastResponse("console", f"u{week}{i}", "csat", _moment(week), answers, **extra)


@pytest.fixture
def figures(services) -> WeeklyFigures:
    return WeeklyFigures(services.context, WeeklyRules(Anonymity(min_group_size=5)))


async def test_an_empty_week_says_so(figures):
    week = await figures.build(WEEK, trend_weeks=3)
    assert week.empty and week.sent == 0 and week.response_rate is None
    assert week.csat is None and week.nps is None and week.ces is None
    assert [(t.name, t.status) for t in week.targets] == [("csat", "not measurable"), ("nps", "not measurable")]
    assert not week.drivers.reliable
    assert [p.week for p in week.trend] == ["2026-W45", "2026-W46", "2026-W47"]


async def test_a_single_response(services, figures):
    await _plant(services, [_csat(1, 5)])
    week = await figures.build(WEEK, trend_weeks=1)
    assert (week.sent, week.answered, week.completed) == (1, 1, 1)
    assert (week.csat.hits, week.csat.n) == (1, 1)
    low, high = week.csat.interval
    assert low == pytest.approx(0.2065, abs=1e-4) and high == pytest.approx(1.0)
    assert week.changes["csat"] is None


async def test_csat_nps_ces_and_attributes_by_hand(services, figures):
    overall = [5, 4, 4, 3, 2, 5, 1, 4]
    speed = [5, 5, 4, 2, 2, 4, 1, 5]
    records = [
        _csat(i, o, answers={"speed": s}, touchpoint="phone" if i < 6 else "email")
        for i, (o, s) in enumerate(zip(overall, speed, strict=True))
    ]
    nps = [10, 9, 9, 8, 7, 6, 3, 10, 0, 9]
    records += [PastResponse("console", f"n{i}", "nps", _moment(WEEK), {"recommend": v}) for i, v in enumerate(nps)]
    effort = [7, 6, 5, 2]
    records += [PastResponse("console", f"c{i}", "ces", _moment(WEEK), {"effort": v}) for i, v in enumerate(effort)]
    records.append(PastResponse("console", "late", "csat", _moment(WEEK), {}, completed=False))
    await _plant(services, records)
    week = await figures.build(WEEK, trend_weeks=1)
    assert (week.sent, week.answered, week.completed) == (23, 22, 22)
    assert (week.csat.hits, week.csat.n) == (5, 8)  # 4s and 5s
    low, high = week.csat.interval
    assert (round(low, 4), round(high, 4)) == (0.3057, 0.8632)
    assert (week.nps.promoters, week.nps.detractors, week.nps.n) == (5, 3, 10)
    assert week.nps.value == pytest.approx(20.0)
    assert week.nps.margin == pytest.approx(54.03, abs=0.01)  # 1.96·√((0.5+0.3−0.2²)/10)·100
    assert week.ces.value == pytest.approx(5.0) and week.ces.variance == pytest.approx(14 / 3)
    assert week.attributes["speed"].value == pytest.approx(28 / 8)
    assert [(t.name, t.status) for t in week.targets] == [("csat", "missed"), ("nps", "missed")]
    touchpoints = {g.name: g for g in week.breakdowns["touchpoint"]}
    assert touchpoints["email"].n is None and touchpoints["email"].csat is None  # 2 < min_group_size
    # Phone's 6 beside the week's 8 would give email's 2 (and its one 4–5) by difference: hidden too.
    assert touchpoints["phone"].n is None and touchpoints["phone"].csat is None


async def test_a_breakdown_never_reveals_a_hidden_group_by_difference(services, figures):
    """Secondary suppression: the hidden groups (and answers with no touchpoint) add up to at
    least min_group_size, or every group is hidden."""
    overall = [5] * 12 + [4] * 9 + [1] * 3 + [2] * 2
    places = ["phone"] * 12 + ["email"] * 9 + ["chat"] * 3 + [None] * 2
    await _plant(services, [_csat(i, o, touchpoint=t) for i, (o, t) in enumerate(zip(overall, places, strict=True))])
    week = await figures.build(WEEK, trend_weeks=1)
    shown = {g.name: g.n for g in week.breakdowns["touchpoint"]}
    # chat (3) and the two without a touchpoint are 5 hidden answers: enough, nothing more is hidden.
    assert shown == {"chat": None, "email": 9, "phone": 12} and week.csat.n == 26


async def test_week_over_week_change_against_the_noise(services, figures):
    before = [_csat(i, v, week="2026-W46") for i, v in enumerate([2, 3, 4, 2, 1, 3, 5, 2, 3, 2] * 4)]
    now = [_csat(i, v) for i, v in enumerate([5, 4, 4, 5, 4, 3, 5, 4, 4, 5] * 4)]
    await _plant(services, before + now)
    week = await figures.build(WEEK, trend_weeks=2)
    change = week.changes["csat"]
    assert change.delta == pytest.approx(36 / 40 - 8 / 40)
    assert change.significant
    assert [p.csat.value if p.csat else None for p in week.trend] == [pytest.approx(0.2), pytest.approx(0.9)]
    small = WeeklyFigures(services.context, WeeklyRules())
    tiny = await small.build("2026-W48", trend_weeks=1)
    assert tiny.changes["csat"] is None


async def test_key_driver_analysis_finds_the_planted_driver(services, figures):
    rng = random.Random(7)
    records = []
    for i in range(400):
        speed, attitude, solution = (rng.randint(1, 5) for _ in range(3))
        overall = round(0.15 * speed + 0.7 * attitude + 0.15 * solution + rng.gauss(0, 0.4))
        answers = {"speed": speed, "attitude": attitude, "solution": solution}
        records.append(_csat(i, max(1, min(5, overall)), answers=answers))
    await _plant(services, records)
    week = await figures.build(WEEK, trend_weeks=1)
    analysis = week.drivers
    assert analysis.reliable and analysis.n == 400 and analysis.needed == 74
    assert analysis.drivers[0].attribute == "attitude"
    assert analysis.drivers[0].importance > 2 * analysis.drivers[1].importance


async def test_too_few_responses_for_drivers(services, figures):
    await _plant(services, [_csat(i, 4, answers={"speed": 4, "attitude": 5, "solution": 3}) for i in range(3)])
    week = await figures.build(WEEK, trend_weeks=1)
    assert not week.drivers.reliable and week.drivers.n == 3


async def test_comment_tone_counts_only_scored_text(services, figures):
    records = [
        PastResponse(
            "console",
            "t1",
            "csat",
            _moment(WEEK),
            {"overall": 5, "went_well": "Great and fast"},
            text_language="en",
            sentiment=0.6,
        ),
        PastResponse(
            "console",
            "t2",
            "csat",
            _moment(WEEK),
            {"overall": 1, "went_wrong": "Terrible wait"},
            text_language="en",
            sentiment=-0.7,
        ),
        PastResponse(
            "console", "t3", "csat", _moment(WEEK), {"overall": 2, "went_wrong": "بہت دیر ہوئی"}, text_language="ur"
        ),
    ]
    await _plant(services, records)
    week = await figures.build(WEEK, trend_weeks=1)
    assert (week.tone.comments, week.tone.scored, week.tone.positive, week.tone.negative) == (3, 2, 1, 1)
    assert len(week.comments) == 3


def test_weeks_and_their_bounds_across_daylight_saving():
    start, end = week_bounds("2026-W13", "Europe/Budapest")  # DST starts on Sunday 29 March 2026
    assert (end - start) == timedelta(days=7) - timedelta(hours=1)
    assert start.isoformat() == "2026-03-22T23:00:00+00:00"
    assert shift("2026-W01", -1, "UTC") == "2025-W52"
    assert parse_week("2026-W47") == "2026-W47"
    for bad in ("2026-47", "2026-W54", "week 47"):
        with pytest.raises(ValueError):
            parse_week(bad)


def test_statistics_by_hand():
    assert Share(85, 100).interval == pytest.approx((0.7672, 0.9069), abs=1e-4)
    assert NetScore(50, 20, 100).margin == pytest.approx(15.31, abs=0.01)


async def test_aggregate_settings_last_only_for_their_transaction(services, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL session settings")
    show = text("SELECT current_setting('enable_hashjoin'), current_setting('jit'), current_setting('work_mem')")
    async with services.context.reads() as session:
        await tune_for_aggregates(session)
        assert tuple((await session.execute(show)).one()) == ("off", "off", "64MB")
    for _ in range(3):  # whichever pooled connection comes next has the server's defaults again
        async with services.context.reads() as session:
            assert (await session.execute(show)).one()[0] == "on"


async def test_a_terminal_try_out_is_answered_but_not_counted(services, channel):
    """`make run` without a platform starts a console survey each time: it must not move a team's CSAT."""
    from handlers.core.weeks import week_of
    from tests.fakes.chat import Person

    tried = Person(services, channel, user_id="terminal-1")
    await tried.gets_survey(demo=True)
    await tried.press("1")
    real = Person(services, channel, user_id="customer-1")
    await real.gets_survey()
    await real.press("5")
    figures = await services.weekly.build(week_of(services.context.clock(), "UTC"))
    assert figures.sent == 1 and figures.csat is not None and figures.csat.n == 1 and figures.csat.value == 1.0
