"""The console's Suggestions page: themes under the small-group rules, counts that no two windows
or breakdowns can difference down to a person, quotes only in large themes, and Respond."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers.core.weeks import shift, week_of
from handlers.staff.accounts import StaffRole
from storage.models import ThemeResponse
from storage.suggestions import NewSuggestion, add_suggestion
from tests.test_console import member, web  # noqa: F401  (the fixture)

PARKING = [
    "There is never any parking near the office.",
    "Please add parking spaces for visitors.",
    "Parking near the branch is impossible.",
    "I could not find parking again.",
    "More parking please, the car park is always full.",
    "Parking at the office is a nightmare.",
]
LATE_PARKING = "The parking lot was full all week."  # the one suggestion of weeks five to eight
URDU = ["دفتر کے قریب کبھی پارکنگ نہیں ملتی۔", "براہ کرم پارکنگ کی جگہیں بنائیں۔", "پارکنگ بہت مشکل ہے۔"]


async def _suggest(services, texts: list[str], language: str, week: str) -> None:
    async with services.context.sessions() as session, session.begin():
        for text in texts:
            await add_suggestion(session, NewSuggestion(text, language, "telegram", week, None, None))


def _theme_counts(page: str) -> list[str]:
    return [count.strip() for count in re.findall(r'data-theme="[^"]*">\s*<h2>[^<]*</h2>\s*<p>([^<·]*)', page)]


async def test_no_window_or_breakdown_reveals_a_count_by_difference(web, services):  # noqa: F811
    now = week_of(services.context.clock(), "UTC")
    await _suggest(services, PARKING, "en", now)
    await _suggest(services, [LATE_PARKING], "en", shift(now, -5, "UTC"))
    await _suggest(services, URDU, "ur", now)
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    four = (await web.get("/console/suggestions", params={"weeks": 4})).text
    eight = (await web.get("/console/suggestions", params={"weeks": 8})).text
    # Exact counts would be 9 over four weeks and 10 over eight: the difference, one suggestion of
    # weeks five to eight, would be one person's. Coarse, they differ by "between 1 and 9".
    assert (_theme_counts(four), _theme_counts(eight)) == (["5 or more"], ["10 or more"])
    assert ">9<" not in four and ">10<" not in eight
    # Language: three Urdu beside the English; "all" minus "English" must not give three.
    by_language = re.search(r"<caption>By language</caption>(.*?)</table>", four, re.S).group(1)
    assert '<th scope="row">ur</th><td>fewer than 5</td>' in by_language
    assert '<th scope="row">en</th><td>5 or more</td>' in by_language
    assert re.search(r": 5 or more</p>", four)  # the total, coarse too
    # Week: a one-suggestion week is "fewer than 5", never 1.
    assert f'<th scope="row">{shift(now, -5, "UTC")}</th><td>fewer than 5</td>' in eight
    # Quotes only in a theme of at least five; never the lone late one by itself.
    assert "blockquote" in four


async def test_a_small_theme_has_no_count_and_no_quote(web, services):  # noqa: F811
    now = week_of(services.context.clock(), "UTC")
    await _suggest(services, PARKING[:3], "en", now)
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    page = (await web.get("/console/suggestions")).text
    assert _theme_counts(page) == ["fewer than 5"] and "<blockquote" not in page
    assert not any(text in page for text in PARKING)


@pytest.mark.parametrize(("role", "view", "act"), [("manager", 200, 303), ("viewer", 200, 403), ("agent", 403, 403)])
async def test_respond_records_you_said_we_did_for_managers_only(web, services, role, view, act):  # noqa: F811
    now = week_of(services.context.clock(), "UTC")
    await _suggest(services, PARKING, "en", now)
    await services.staff.invite("owner@example.com", StaffRole.OWNER)
    extra = {"agent": "Ann"} if role == "agent" else {}
    csrf = await member(services, web, f"{role}@example.com", StaffRole(role), **extra)
    page = await web.get("/console/suggestions")
    assert page.status_code == view
    label = re.search(r'data-theme="([^"]*)"', page.text).group(1) if view == 200 else "parking"
    done = await web.post(
        "/console/suggestions/respond", data={"csrf": csrf, "theme": label, "text": "Ten new spaces at the back"}
    )
    assert done.status_code == act
    async with services.context.sessions() as session:
        responses = list((await session.execute(select(ThemeResponse))).scalars())
    assert len(responses) == (1 if act == 303 else 0)
    if act == 303:
        assert responses[0].response == "Ten new spaces at the back"
        assert "Recorded." in (await web.get(done.headers["location"])).text
