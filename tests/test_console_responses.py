"""The console's Responses page over real HTTP (ASGI): filters in the URL, pages by keyset, one
response in full, the CSV of exactly the filtered rows against `sayso export`, who may see what,
and the figures per group under the small-group rules, with every differencing case tested."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from handlers.core.weeks import shift, week_bounds, week_of
from handlers.explore.figures import filtered_figures
from handlers.explore.responses import ResponseFilter
from handlers.operations.export import export
from handlers.staff.accounts import StaffRole
from storage.history import PastResponse, add_history
from tests.test_console import member, web  # noqa: F401  (the fixture)
from tests.test_small_groups import solved_from, truth_of

MIN = 5  # [anonymity] min_group_size's default


def _week(services, back: int = 1) -> str:
    return shift(week_of(services.context.clock(), "UTC"), -back, "UTC")


async def _store(services, records: list[PastResponse]) -> None:
    async with services.context.sessions() as session, session.begin():
        await add_history(session, records)


def _responses(week_start, count: int, *, agent: str, score: int = 4, **extra) -> list[PastResponse]:
    return [
        PastResponse(
            "telegram",
            f"{agent}-{extra.get('language', 'en')}-{extra.get('touchpoint', '')}-{week_start:%V}-{i}",
            "csat",
            week_start + timedelta(hours=1 + i),
            {"overall": score},
            agent=agent,
            **extra,
        )
        for i in range(count)
    ]


async def test_filters_live_in_the_url_and_pages_go_by_keyset(web, services):  # noqa: F811
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    records = _responses(start, 60, agent="Ana", touchpoint="phone")
    records += _responses(start, 7, agent="Bilal", score=1, touchpoint="chat")
    records[0] = PastResponse(
        "telegram",
        "commenter",
        "csat",
        start + timedelta(minutes=5),
        {"overall": 2, "went_wrong": "Rude and slow"},
        agent="Ana",
        touchpoint="phone",
        text_language="en",
        sentiment=-0.9,
        sentiment_method="e5-head",
    )
    await _store(services, records)
    await member(services, web, "owner@example.com", StaffRole.OWNER)

    first = await web.get("/console/responses", params={"from": week, "to": week})
    assert first.status_code == 200
    assert first.text.count('href="/console/responses/') == 50  # one page
    older = re.search(r'href="\?([^"]*older=\d+)"', first.text)
    assert older, "an Older link with a keyset, not an offset"
    second = await web.get(f"/console/responses?{older.group(1).replace('&amp;', '&')}")
    assert second.text.count('href="/console/responses/') == 17
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text

    low = await web.get("/console/responses", params={"from": week, "to": week, "score_max": "2"})
    assert low.text.count('href="/console/responses/') == 8  # Bilal's seven 1s and the 2
    bilal = await web.get("/console/responses", params={"from": week, "to": week, "agent": "Bilal"})
    assert bilal.text.count('href="/console/responses/') == 7 and "Ana</td>" not in bilal.text
    negative = await web.get("/console/responses", params={"from": week, "to": week, "sentiment": "negative"})
    assert negative.text.count('href="/console/responses/') == 1 and "Rude and slow" in negative.text
    commented = await web.get("/console/responses", params={"from": week, "to": week, "comment": "no"})
    assert commented.text.count('href="/console/responses/') == 50 and "comment=no&amp;older=" in commented.text
    bad = await web.get("/console/responses", params={"from": "nonsense", "score_max": "x", "sentiment": "?"})
    assert bad.status_code == 200 and "Ignored filters that are not valid: from, score_max, sentiment." in bad.text

    detail_id = re.search(r'href="/console/responses/(\d+)">', negative.text).group(1)
    detail = await web.get(f"/console/responses/{detail_id}")
    assert detail.status_code == 200 and "Rude and slow" in detail.text and "e5-head" in detail.text
    assert (await web.get("/console/responses/999999")).status_code == 404


async def test_the_csv_is_exactly_the_filtered_rows_with_the_exports_columns(web, services):  # noqa: F811
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    await _store(services, _responses(start, 6, agent="Ana") + _responses(start, 4, agent="Bilal", score=2))
    await _store(services, _responses(start - timedelta(days=7), 3, agent="Bilal"))  # the week before
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    page = await web.get("/console/responses", params={"from": week, "to": week, "agent": "Bilal", "score_max": "2"})
    link = re.search(r'href="(/console/responses\.csv\?[^"]*)"', page.text).group(1).replace("&amp;", "&")
    download = await web.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    mine = list(csv.DictReader(io.StringIO(download.text)))
    everything = io.StringIO()
    await export(services.context, timezone="UTC", what="answers", fmt="csv", since=None, out=everything)
    expected = [row for row in csv.DictReader(io.StringIO(everything.getvalue())) if row["agent"] == "Bilal"]
    expected = [row for row in expected if row["answered_at"] >= start.isoformat()]
    assert download.text.splitlines()[0] == everything.getvalue().splitlines()[0]  # the same columns
    assert mine == expected and len(mine) == 4


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("manager", 200), ("viewer", 403), ("agent", 403)])
async def test_only_managers_and_owners_download(web, services, role, status):  # noqa: F811
    if role != "owner":
        await services.staff.invite("first@example.com", StaffRole.OWNER)
    extra = {"agent": "Ann"} if role == "agent" else {}
    await member(services, web, f"{role}@example.com", StaffRole(role), **extra)
    assert (await web.get("/console/responses.csv")).status_code == status
    page = await web.get("/console/responses")
    assert page.status_code == 200 and ("Download CSV" in page.text) is (status == 200)


async def test_an_agent_sees_only_their_own_responses_and_scorecard_beside_the_team(web, services):  # noqa: F811
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    await _store(services, _responses(start, 6, agent="Ann") + _responses(start, 8, agent="Bilal", score=2))
    await services.staff.invite("owner@example.com", StaffRole.OWNER)
    await member(services, web, "ann@example.com", StaffRole.AGENT, agent="Ann")
    page = await web.get("/console/responses", params={"from": week, "to": week, "agent": "Bilal"})
    assert page.text.count('href="/console/responses/') == 6  # the agent filter is hers, whatever the URL says
    assert "Bilal" not in page.text and "You (Ann)" in page.text and "The whole team" in page.text
    others = await web.get("/console/responses", params={"from": week, "to": week})
    ids = set(re.findall(r'href="/console/responses/(\d+)"', others.text))
    async with services.context.sessions() as session:
        from sqlmodel import select

        from storage.models import Interaction, SurveyRequest

        theirs = (
            await session.execute(
                select(SurveyRequest.id).join(Interaction).where(Interaction.agent == "Bilal").limit(1)
            )
        ).scalar_one()
    assert str(theirs) not in ids and (await web.get(f"/console/responses/{theirs}")).status_code == 404


# -- the small-group rules under filters ------------------------------------------------------


async def _figures(services, weeks: list[str], **filters):
    chosen = ResponseFilter(tuple(week_bounds(w, "UTC") for w in weeks), **filters)
    return await filtered_figures(services.context, chosen, min_size=MIN)


def _table(figures, dimension: str) -> dict:
    (table,) = [t for t in figures.tables if t.dimension == dimension]
    return {row.name: row.n for row in table.rows}


async def test_agent_by_week_a_small_week_is_not_revealed_by_a_longer_range(services):
    """Bilal had 3 answers in week A and 10 in week B: his figure for A–B minus B would be A's 3."""
    a, b = _week(services, 2), _week(services, 1)
    (a_start, _), (b_start, _) = week_bounds(a, "UTC"), week_bounds(b, "UTC")
    await _store(
        services,
        _responses(a_start, 3, agent="Bilal", score=1)
        + _responses(b_start, 10, agent="Bilal")
        + _responses(a_start, 12, agent="Ana")
        + _responses(b_start, 12, agent="Ana"),
    )
    assert _table(await _figures(services, [b]), "agent") == {"Ana": 12, "Bilal": 10}
    both = _table(await _figures(services, [a, b]), "agent")
    assert both["Bilal"] is None  # 3 in week A: hidden over A–B too
    assert both["Ana"] is None  # and Ana with him: the total beside her would give his (rule 3)
    assert (await _figures(services, [a, b])).total.n == 37  # the whole is many people
    alone = await _figures(services, [a, b], agent="Bilal")
    assert alone.total.n is None


async def test_language_by_week_all_but_one_language_does_not_reveal_the_one(services):
    """Four Urdu answers among 20 English in a week: 'English only' beside the whole week would
    give the Urdu four by difference."""
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    await _store(
        services,
        _responses(start, 20, agent="Ana", language="en") + _responses(start, 4, agent="Ana", language="ur", score=1),
    )
    whole = await _figures(services, [week])
    assert whole.total.n == 24
    assert _table(whole, "language") == {"en": None, "ur": None}  # ur is small; en would give it away
    english = await _figures(services, [week], language="en")
    assert english.total.n is None  # the filter leaves out only four
    assert (await _figures(services, [week], language="ur")).total.n is None
    # With many on both sides nothing is hidden.
    await _store(services, _responses(start, 6, agent="Ana", language="ur"))
    assert (await _figures(services, [week], language="en")).total.n == 20
    assert _table(await _figures(services, [week]), "language") == {"en": 20, "ur": 10}


async def test_touchpoint_by_language_a_small_cell_stays_hidden_in_every_view(services):
    """Urdu answers by phone are 2; Urdu answers are 12 and phone answers are 12: the Urdu filter's
    touchpoint table must not show 'chat: 10' beside an Urdu total of 12."""
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    await _store(
        services,
        _responses(start, 2, agent="Ana", language="ur", touchpoint="phone", score=1)
        + _responses(start, 10, agent="Ana", language="ur", touchpoint="chat")
        + _responses(start, 10, agent="Ana", language="en", touchpoint="phone")
        + _responses(start, 10, agent="Ana", language="en", touchpoint="chat"),
    )
    urdu = await _figures(services, [week], language="ur")
    assert urdu.total.n == 12
    assert _table(urdu, "touchpoint") == {"chat": None, "phone": None}
    phone = await _figures(services, [week], touchpoint="phone")
    assert _table(phone, "language") == {"en": None, "ur": None}
    assert (await _figures(services, [week], touchpoint="phone", language="en")).total.n is None  # 12 − 10 = 2
    # The unfiltered tables are safe: each touchpoint and language has many.
    whole = await _figures(services, [week])
    assert _table(whole, "touchpoint") == {"chat": 20, "phone": 12} and _table(whole, "language") == {
        "en": 20,
        "ur": 12,
    }


# -- every view at once: nothing small is published or solvable ------------------------------


AUDITED = ("agent", "platform", "language")  # in GROUPS order; every record has no touchpoint


async def _every_view(services, week: str, truth: dict[tuple, int]) -> dict[tuple, int]:
    """What the Responses page publishes over every combination of the audited filters."""
    published: dict[tuple, int] = {}
    for selection in truth:
        filters = dict(selection)
        figures = await _figures(services, [week], **filters)
        if figures.total.n is not None:
            published[selection] = figures.total.n
        for table in figures.tables:
            for row in table.rows:
                if row.n is not None and table.dimension in AUDITED:
                    key = filters | {table.dimension: row.name}
                    published[tuple((name, key[name]) for name in AUDITED if name in key)] = row.n
    return published


async def test_a_small_group_hidden_in_one_table_is_not_given_back_by_another(services):
    """Ana's 2 Urdu answers: her language table hides them and, to protect them, her 6 Hungarian
    ones. The Hungarian table by agent, the Ana-and-Hungarian filter and Bilal's language table
    must not give the 6 back (they did: 28 − 10 − 10 − 6 = 2)."""
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    records = []
    for language, n in {"en": 10, "hi": 10, "hu": 6, "ur": 2}.items():
        records += _responses(start, n, agent="Ana", language=language, score=1 if language == "ur" else 4)
    for language in ("en", "hi", "hu", "ur"):
        records += _responses(start, 10, agent="Bilal", language=language)
    await _store(services, records)
    ana = await _figures(services, [week], agent="Ana")
    assert ana.total.n == 28 and _table(ana, "language")["ur"] is None and _table(ana, "language")["hu"] is None
    assert (await _figures(services, [week], agent="Ana", language="hu")).total.n is None
    assert _table(await _figures(services, [week], language="hu"), "agent")["Ana"] is None
    truth = truth_of(([(name, getattr(record, name)) for name in AUDITED], 1) for record in records)
    solved = solved_from(await _every_view(services, week, truth), truth)
    assert all(truth[key] == n for key, n in solved.items())  # what is published is true
    revealed = {key: n for key, n in solved.items() if 0 < n < MIN}
    assert revealed == {}
    assert solved[()] == 68 and solved[(("agent", "Bilal"),)] == 40  # and the big figures stay


async def test_an_agent_cannot_take_their_own_answers_from_the_teams(web, services):  # noqa: F811
    """Ann sees her own 10 Urdu answers; the team's Urdu figure beside them would give Bilal's 2."""
    week = _week(services)
    start, _ = week_bounds(week, "UTC")
    await _store(
        services,
        _responses(start, 10, agent="Ann", language="ur")
        + _responses(start, 2, agent="Bilal", language="ur", score=1)
        + _responses(start, 10, agent="Bilal", language="en")
        + _responses(start, 10, agent="Ann", language="en"),
    )
    chosen = ResponseFilter((week_bounds(week, "UTC"),), language="ur")
    urdu = await filtered_figures(services.context, chosen, min_size=MIN, own_agent="Ann")
    assert [row.n for row in urdu.tables[0].rows] == [10, None]  # hers, and not the team's 12
    everyone = ResponseFilter((week_bounds(week, "UTC"),))
    whole = await filtered_figures(services.context, everyone, min_size=MIN, own_agent="Ann")
    assert [row.n for row in whole.tables[0].rows] == [20, 32]  # the rest is Bilal's 12: many
    english = ResponseFilter((week_bounds(week, "UTC"),), language="en")
    mine = await filtered_figures(services.context, english, min_size=MIN, own_agent="Ann")
    assert [row.n for row in mine.tables[0].rows] == [10, None]  # 20 − 10 is Bilal's 10, and his 12 − 10 the 2
