"""The staff console over real HTTP requests (ASGI): accounts, sessions, CSRF, sign-in limits, roles per
route, security headers, and the Overview's figures against /api/v1/summary."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr

from bot.http import create_app
from bot.wiring import Services
from handlers.core.weeks import shift, week_of
from handlers.staff.accounts import StaffRole
from handlers.staff.sessions import PER_ACCOUNT
from storage.models import StaffSession
from tests.fakes.chat import count

PASSWORD = "correct horse battery staple"
TOKEN = "console-test-api-token-0123"


def _configured(services: Services, **settings: object) -> Services:
    updated = services.config.settings.model_copy(update=settings)
    return dataclasses.replace(services, config=services.config.model_copy(update={"settings": updated}))


@pytest.fixture
async def web(services):
    app = create_app(_configured(services, api_token=SecretStr(TOKEN)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        yield http


def _form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


async def member(services: Services, http: httpx.AsyncClient, email: str, role: StaffRole, **extra: str) -> str:
    """Invite, set the password through the link (which signs in); return the session's form token."""
    link = await services.staff.invite(email, role, **extra)
    page = await http.get(f"/console/invite/{link.token}")
    assert page.status_code == 200
    done = await http.post(f"/console/invite/{link.token}", data={"csrf": _form_token(page), "password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/console/"
    return _form_token(await http.get("/console/"))


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get("/console/sign-in")
    return await http.post(
        "/console/sign-in", data={"csrf": _form_token(page), "email": email, "password": password, "next": "/console/"}
    )


async def test_the_root_and_every_page_send_a_stranger_to_sign_in(web):
    assert (await web.get("/")).headers["location"] == "/console/"
    for path in ("/console/", "/console/operations", "/console/staff", "/console/responses", "/console/alerts"):
        response = await web.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/console/sign-in?next={path}"


# Who may open what: checked on the server for every route (hiding a link is not a check).
ROUTES = {
    "/console/": {"owner": 200, "manager": 200, "viewer": 200, "agent": 200},
    "/console/operations": {"owner": 200, "manager": 200, "viewer": 200, "agent": 403},
    "/console/staff": {"owner": 200, "manager": 403, "viewer": 403, "agent": 403},
    "/console/responses": {"owner": 200, "manager": 200, "viewer": 200, "agent": 200},
    "/console/responses.csv": {"owner": 200, "manager": 200, "viewer": 403, "agent": 403},
    "/console/alerts": {"owner": 200, "manager": 200, "viewer": 200, "agent": 200},
    "/console/suggestions": {"owner": 200, "manager": 200, "viewer": 200, "agent": 403},
}


@pytest.mark.parametrize("role", [StaffRole.OWNER, StaffRole.MANAGER, StaffRole.VIEWER, StaffRole.AGENT])
async def test_each_role_reaches_exactly_its_pages_and_actions(web, services, role):
    extra = {"agent": "Ann"} if role is StaffRole.AGENT else {}
    if role is not StaffRole.OWNER:
        await services.staff.invite("first-owner@example.com", StaffRole.OWNER)
    csrf = await member(services, web, f"{role}@example.com", role, **extra)
    for path, allowed in ROUTES.items():
        response = await web.get(path)
        assert response.status_code == allowed[role], (role, path)
    invited = await web.post("/console/staff/invite", data={"csrf": csrf, "email": "new@example.com", "role": "viewer"})
    assert invited.status_code == (201 if role is StaffRole.OWNER else 403)
    if role is StaffRole.OWNER:
        assert "/console/invite/" in invited.text


async def test_an_agent_sees_the_team_headline_but_no_breakdown_naming_colleagues(web, services, channel):
    from tests.fakes.chat import Person

    for i in range(6):
        person = Person(services, channel, user_id=f"c{i}")
        await person.gets_survey(agent="Bilal")
        await person.press("5")
    await services.staff.invite("owner@example.com", StaffRole.OWNER)
    await member(services, web, "ann@example.com", StaffRole.AGENT, agent="Ann")
    page = await web.get("/console/", params={"week": week_of(services.context.clock(), "UTC")})
    assert page.status_code == 200 and 'data-figure="csat"' in page.text
    assert "Bilal" not in page.text and "By agent" not in page.text


async def test_an_agent_cannot_take_their_own_answers_from_the_teams_headline(web, services, channel):
    """Ann can read her own 6 answers; the team's 9 beside them would give Bilal's 3 (all 1s)."""
    from tests.fakes.chat import Person

    for agent, face, people in (("Ann", "5", 6), ("Bilal", "1", 3)):
        for i in range(people):
            person = Person(services, channel, user_id=f"{agent}-{i}")
            await person.gets_survey(agent=agent)
            await person.press(face)
    await services.staff.invite("owner@example.com", StaffRole.OWNER)
    this_week = {"week": week_of(services.context.clock(), "UTC")}
    await member(services, web, "ann@example.com", StaffRole.AGENT, agent="Ann")
    page = await web.get("/console/", params=this_week)
    assert 'data-figure="csat" aria-label' in page.text  # shown as "fewer than", without its value
    assert 'data-figure="csat" data-value' not in page.text and "67%" not in page.text
    web.cookies.clear()
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    owner = (await web.get("/console/", params=this_week)).text
    assert re.search(r'data-figure="csat" data-value="0\.66', owner), re.findall(r'data-figure="csat"[^>]*', owner)


async def test_sessions_live_in_the_database_with_a_fresh_id_at_each_sign_in(web, services):
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    first = web.cookies.get("sayso_session")
    web.cookies.clear()
    signed = await sign_in(web, "owner@example.com")
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # SAYSO_PUBLIC_URL is http here
    second = web.cookies.get("sayso_session")
    assert second and second != first
    assert await count(services, StaffSession) == 2  # the invitation's session and this one
    async with services.context.reads() as session:
        stored = {row.id_hash for row in (await session.execute(StaffSession.__table__.select())).all()}
    assert second not in stored and first not in stored  # only hashes are kept


async def test_cookies_are_secure_under_an_https_public_url(services):
    app = create_app(_configured(services, public_url_setting="https://feedback.example.com"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://sayso") as http:
        await member(services, http, "owner@example.com", StaffRole.OWNER)
        signed = await sign_in(http, "owner@example.com")
    assert "Secure" in signed.headers["set-cookie"]


async def test_sign_out_removal_and_role_change_end_sessions_at_once(web, services):
    csrf = await member(services, web, "owner@example.com", StaffRole.OWNER)
    other = httpx.AsyncClient(transport=web._transport, base_url="http://sayso")
    async with other:
        await member(services, other, "manager@example.com", StaffRole.MANAGER)
        assert (await other.get("/console/operations")).status_code == 200
        changed = await web.post(
            "/console/staff/role", data={"csrf": csrf, "email": "manager@example.com", "role": "viewer"}
        )
        assert changed.status_code == 303
        assert (await other.get("/console/operations")).status_code == 303  # signed out by the change
        assert (await sign_in(other, "manager@example.com")).status_code == 303
        removed = await web.post("/console/staff/remove", data={"csrf": csrf, "email": "manager@example.com"})
        assert removed.status_code == 303
        assert (await other.get("/console/")).status_code == 303
    out = await web.post("/console/sign-out", data={"csrf": csrf})
    assert out.status_code == 303
    assert (await web.get("/console/")).status_code == 303


async def test_sessions_end_after_twelve_idle_hours_and_thirty_days_in_all(web, services):
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    start = services.context.clock()
    clock = {"now": start}
    object.__setattr__(services.context, "clock", lambda: clock["now"])
    for hours in (11, 22, 33):  # each visit within 12 hours of the last keeps it alive
        clock["now"] = start + timedelta(hours=hours)
        assert (await web.get("/console/")).status_code == 200
    clock["now"] = start + timedelta(hours=33 + 13)
    assert (await web.get("/console/")).status_code == 303
    await sign_in(web, "owner@example.com")
    begun = clock["now"]
    for visit in range(1, 66):  # every 11 hours: never idle for 12, until 30 days in all
        clock["now"] = begun + timedelta(hours=11 * visit)
        assert (await web.get("/console/")).status_code == 200, visit
    clock["now"] = begun + timedelta(days=30, minutes=1)
    assert (await web.get("/console/")).status_code == 303


async def test_every_state_changing_request_needs_its_form_token(web, services):
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    for path, data in (
        ("/console/sign-out", {}),
        ("/console/language", {"language": "ur"}),
        ("/console/staff/invite", {"email": "x@example.com", "role": "viewer"}),
        ("/console/staff/remove", {"email": "owner@example.com"}),
    ):
        for token in ("", "forged-token"):
            response = await web.post(path, data={**data, "csrf": token})
            assert response.status_code == 403, (path, token)
    assert (await web.get("/console/staff")).status_code == 200  # still signed in, nothing changed
    web.cookies.clear()
    stale = await web.post("/console/sign-in", data={"email": "owner@example.com", "password": PASSWORD})
    assert stale.status_code == 403 and "sayso_session" not in stale.headers.get("set-cookie", "")


async def test_failed_sign_ins_are_limited_and_do_not_tell_whether_an_account_exists(web, services):
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    web.cookies.clear()
    wrong = await sign_in(web, "owner@example.com", "not the password!")
    unknown = await sign_in(web, "nobody@example.com", "not the password!")
    assert wrong.status_code == unknown.status_code == 401
    message = "That e-mail and password do not match an account."
    assert message in wrong.text and message in unknown.text
    for _ in range(PER_ACCOUNT - 1):
        assert (await sign_in(web, "owner@example.com", "still wrong......")).status_code == 401
    limited = await sign_in(web, "owner@example.com")  # even the right password waits now
    assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 15 * 60
    assert "Try again in 15 minutes" in limited.text
    later = services.context.clock() + timedelta(minutes=16)
    object.__setattr__(services.context, "clock", lambda: later)
    assert (await sign_in(web, "owner@example.com")).status_code == 303


async def test_twenty_failures_from_one_client_address_wait_whatever_the_account(web, services):
    for i in range(20):
        assert (await sign_in(web, f"someone{i}@example.com", "wrong password!")).status_code == 401
    assert (await sign_in(web, "another@example.com", "wrong password!")).status_code == 429


async def test_an_invitation_link_works_once_and_refuses_a_short_password(web, services):
    link = await services.staff.invite("viewer@example.com", StaffRole.VIEWER)
    page = await web.get(f"/console/invite/{link.token}")
    short = await web.post(f"/console/invite/{link.token}", data={"csrf": _form_token(page), "password": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.text
    done = await web.post(f"/console/invite/{link.token}", data={"csrf": _form_token(short), "password": PASSWORD})
    assert done.status_code == 303
    again = await web.get(f"/console/invite/{link.token}")
    assert again.status_code == 410 and "already used" in again.text
    assert (await web.get("/console/invite/not-a-token")).status_code == 404
    stale = await services.staff.invite("late@example.com", StaffRole.VIEWER)
    later = services.context.clock() + timedelta(hours=73)
    object.__setattr__(services.context, "clock", lambda: later)
    expired = await web.get(f"/console/invite/{stale.token}")
    assert expired.status_code == 410 and "expired" in expired.text


async def test_console_pages_carry_the_security_headers(web, services):
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    for path in ("/console/", "/console/sign-in", "/console/staff", "/console/operations"):
        headers = (await web.get(path)).headers
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
        assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"


async def test_the_language_is_remembered_per_person(web, services):
    csrf = await member(services, web, "owner@example.com", StaffRole.OWNER)
    chosen = await web.post("/console/language", data={"csrf": csrf, "language": "ur", "next": "/console/staff"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/console/staff"
    page = await web.get("/console/operations")
    assert '<html lang="ur" dir="rtl">' in page.text
    web.cookies.clear()
    await sign_in(web, "owner@example.com")  # another browser, the same person
    assert '<html lang="ur" dir="rtl">' in (await web.get("/console/")).text


async def test_the_overview_shows_the_numbers_the_api_gives(web, services, channel):
    from tests.fakes.chat import Person

    for i, score in enumerate(["5", "4", "2", "5", "3", "4"]):
        person = Person(services, channel, user_id=f"o{i}")
        await person.gets_survey()
        await person.press(score)
    week = week_of(services.context.clock(), "UTC")
    await member(services, web, "owner@example.com", StaffRole.OWNER)
    page = await web.get("/console/", params={"week": week})
    api = (await web.get("/api/v1/summary", params={"week": week}, headers={"Authorization": f"Bearer {TOKEN}"})).json()
    shown = dict(re.findall(r'data-figure="(\w+)" data-value="([^"]+)"', page.text))
    assert float(shown["csat"]) == api["csat"]["value"] == pytest.approx(4 / 6, abs=1e-4)
    assert "nps" not in shown and "ces" not in shown  # no answers: no value to claim
    assert "<svg" in page.text and f'value="{week}"' in page.text
    assert shift(week, -1, "UTC") in page.text  # the previous week is one click away
