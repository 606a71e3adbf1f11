"""Surveys outside chat on the web page (`/s/{token}`), over real HTTP requests: links, the engine's
rules on a page, expiry, the one-click answer of an e-mail, throttling, headers, and no token in logs."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.http import create_app
from bot.wiring import Services
from handlers.core.broadcast import Destination
from storage.models import Alert, Answer, RequestState, SurveyLink, SurveyRequest
from tests.fakes.chat import count

TOKEN = "web-survey-api-token-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _app(services: Services):
    settings = services.config.settings.model_copy(
        update={"api_token": SecretStr(TOKEN), "public_url_setting": "https://feedback.example.com"}
    )
    return create_app(dataclasses.replace(services, config=services.config.model_copy(update={"settings": settings})))


@pytest.fixture
async def web(services):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app(services)), base_url="http://sayso") as http:
        yield http


async def _link(http: httpx.AsyncClient, interaction: str = "ticket-1", **body: object) -> str:
    response = await http.post(
        "/api/v1/interactions", json={"interaction_id": interaction, "platform": "web", **body}, headers=AUTH
    )
    assert response.status_code == 202, response.text
    url = response.json()["survey_url"]
    assert url.startswith("https://feedback.example.com/s/")
    return url.removeprefix("https://feedback.example.com")


def _buttons(page: httpx.Response) -> dict[str, str]:
    """The answer buttons on a page: their label's first word (the number) → the value they post."""
    return {
        re.sub(r"<[^>]+>", "", label).split()[0]: value
        for value, label in re.findall(r'name="data" value="([^"]+)"[^>]*>([^<]+)<', page.text)
    }


async def _answer(http: httpx.AsyncClient, path: str, key: str) -> httpx.Response:
    page = await http.get(path)
    response = await http.post(path, data={"data": _buttons(page)[key]})
    if response.status_code == 503:  # the database was slow (a busy CI machine): the page says try again
        response = await http.post(path, data={"data": _buttons(page)[key]})
    assert response.status_code == 303 and response.headers["location"] == path, _problem(response)
    return await http.get(path)


def _problem(page: httpx.Response) -> str:
    """What a page said was wrong, for an assertion's message."""
    said = re.search(r'<p class="problem" role="alert">([^<]*)<', page.text)
    return f"{page.status_code}: {said.group(1) if said else page.text[:200]}"


@contextmanager
def _answers_locked(database_url: str) -> Iterator[None]:
    """Another client holding the answers table for writing (a stuck transaction, a long migration):
    an answer waits on it past the event's deadline, while pages can still be read."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database), isolation_level=None) as sqlite:
            sqlite.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                sqlite.rollback()
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as postgres:
        postgres.execute("LOCK TABLE answers IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            postgres.rollback()


async def test_a_web_link_is_long_random_and_stored_only_as_its_hash(web, services):
    path = await _link(web)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, URL-safe
    async with services.context.reads() as session:
        stored = [row.token_hash for row in (await session.execute(select(SurveyLink))).scalars()]
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64
    again = await web.post("/api/v1/interactions", json={"interaction_id": "ticket-1", "platform": "web"}, headers=AUTH)
    assert again.status_code == 200
    fresh = again.json()["survey_url"].removeprefix("https://feedback.example.com")
    assert fresh != path  # a fresh link to the same request: both work
    assert (await web.get(path)).status_code == (await web.get(fresh)).status_code == 200
    assert await count(services, SurveyRequest) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "web", "user_id": "U1"}, "leave it out"),
        ({"platform": "email", "user_id": "not an address"}, "not an e-mail address"),
        ({"platform": "telegram"}, "required for telegram"),
    ],
)
async def test_who_the_survey_is_for_is_checked_per_platform(web, body, field):
    response = await web.post("/api/v1/interactions", json={"interaction_id": "x", **body}, headers=AUTH)
    assert response.status_code == 422 and field in response.json()["detail"]


async def test_a_whole_survey_on_the_page_with_the_chats_rules(web, services):
    path = await _link(web)
    first = await web.get(path)
    assert "Question 1 of" in first.text and '<progress max="4" value="0"' in first.text
    page = await _answer(web, path, "4")
    assert "speed of our response" in page.text and "Question 2 of 5" in page.text
    again = await web.post(path, data={"data": _buttons(first)["4"]})  # the back button, then the same answer again
    assert again.status_code == 303
    assert await count(services, Answer) == 1
    for key in ("5", "4", "5"):
        page = await _answer(web, path, key)
    assert 'name="text"' in page.text and "What did we do well?" in page.text
    reopened = await web.get(path)  # the customer comes back later: where they left off
    assert "What did we do well?" in reopened.text
    sent = await web.post(path, data={"text": "Quick and kind"})
    assert sent.status_code == 303
    await web.post(path, data={"text": "Quick and kind"})  # a double submit
    done = await web.get(path)
    assert "Thank you! Your answers help us serve you better." in done.text
    async with services.context.reads() as session:
        answers = {
            a.question_id: (a.value_int, a.value_text) for a in (await session.execute(select(Answer))).scalars()
        }
        state = (await session.execute(select(SurveyRequest.state))).scalar_one()
    assert answers == {
        "overall": (4, None),
        "speed": (5, None),
        "attitude": (4, None),
        "solution": (5, None),
        "went_well": (None, "Quick and kind"),
    }
    assert state == RequestState.COMPLETED


async def test_a_low_score_on_the_page_raises_the_alert_and_says_someone_will_call(web, services):
    services.followup.destinations.append(Destination("console", "staff-room"))
    path = await _link(web, "ticket-low")
    for key in ("1", "2", "2", "1"):
        page = await _answer(web, path, key)
    skip = _buttons(page).get("Skip")
    assert skip is not None, _problem(page)
    await web.post(path, data={"data": skip})
    done = await web.get(path)
    assert "Someone from our team will get back to you." in done.text
    assert await count(services, Alert) == 1


async def test_an_answer_the_database_cannot_take_in_time_is_asked_again_not_lost(web, services):
    """The page says the answer did not count (503, Retry-After) and keeps a typed comment; the
    same answer given again once the database is back is stored once."""
    path = await _link(web, "ticket-stuck")
    page = await web.get(path)
    with _answers_locked(services.config.settings.database_url):
        refused = await web.post(path, data={"data": _buttons(page)["4"]})
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert "could not save that just now" in _problem(refused) and "Question 1 of" in refused.text
    assert await count(services, Answer) == 0
    for key in ("4", "4", "4", "4"):
        page = await _answer(web, path, key)
    with _answers_locked(services.config.settings.database_url):
        refused = await web.post(path, data={"text": "The agent knew the product well"})
    assert refused.status_code == 503
    assert '<textarea id="text" name="text" rows="5" maxlength="2000">The agent knew the product well</textarea>' in (
        refused.text
    )
    assert (await web.post(path, data={"text": "The agent knew the product well"})).status_code == 303
    assert "Thank you!" in (await web.get(path)).text
    async with services.context.reads() as session:
        stored = (await session.execute(select(Answer.question_id, Answer.value_int))).all()
    assert sorted(stored) == [("attitude", 4), ("overall", 4), ("solution", 4), ("speed", 4), ("went_well", None)]


async def test_an_e_mail_link_with_an_answer_only_shows_it_until_confirmed(web, services):
    path = await _link(web, "ticket-mail")
    scanned = await web.get(path, params={"answer": "5"})  # what a mail scanner does
    assert scanned.status_code == 200 and "You chose: 5 — Very satisfied" in scanned.text
    assert await count(services, Answer) == 0
    confirm = re.search(r'name="data" value="([^"]+)" class="confirm"', scanned.text)
    assert confirm is not None
    assert (await web.post(path, data={"data": confirm.group(1)})).status_code == 303
    assert await count(services, Answer) == 1


async def test_an_expired_survey_says_so_and_an_unknown_link_is_a_plain_404(web, services):
    path = await _link(web, "ticket-old")
    assert (await web.get(path)).status_code == 200
    later = services.context.clock() + timedelta(days=4)
    object.__setattr__(services.context, "clock", lambda: later)
    closed = await web.get(path)
    assert closed.status_code == 410 and "This survey has closed." in closed.text
    unknown = await web.get("/s/" + "x" * 43)
    assert unknown.status_code == 404 and unknown.text == "Not Found"


async def test_survey_pages_are_private_and_strict(web):
    path = await _link(web, "ticket-headers")
    headers = (await web.get(path)).headers
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    assert (
        "default-src 'none'" in headers["content-security-policy"]
        and "script-src" not in headers["content-security-policy"]
    )


async def test_the_page_speaks_the_requests_language_and_switches(web):
    path = await _link(web, "ticket-ur", language="ur")
    urdu = await web.get(path)
    assert '<html lang="ur" dir="rtl">' in urdu.text and "مطمئن" in urdu.text
    english = await web.get(path, params={"lang": "en"})
    assert '<html lang="en" dir="ltr">' in english.text


async def test_a_flood_of_submits_gets_429(web):
    path = await _link(web, "ticket-flood")
    codes = [(await web.post(path, data={"data": "a|nope|0|1"})).status_code for _ in range(25)]
    assert codes[:20] == [303] * 20 and set(codes[20:]) == {429}


async def test_no_survey_token_reaches_the_logs(web, caplog):
    caplog.set_level(logging.DEBUG)
    path = await _link(web, "ticket-logs")
    token = path.rsplit("/", 1)[1]
    await _answer(web, path, "3")
    large = await web.post(path, content=b"x" * 40_000, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert large.status_code == 413  # refused by the guard, which logs the path
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "handlers", "storage", "uvicorn")]
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in ours)  # (the test's own HTTP client logs URLs)
    assert "/s/…" in logged and token not in logged


async def test_a_telegram_user_who_never_started_the_bot_answers_on_the_page(web, services):
    from tests.fakes.recording import RecordingChannel

    telegram = RecordingChannel(platform="telegram", reaches_unknown_users=False)
    services.channels.add(telegram)
    body = {"interaction_id": "tg-never-started", "platform": "telegram", "user_id": "424242"}
    answer = (await web.post("/api/v1/interactions", json=body, headers=AUTH)).json()
    assert answer["status"] == "unreachable" and answer["reason"] == "not_started"
    assert answer["start_link"].startswith("https://t.me/") and answer["survey_url"].startswith("https://feedback")
    path = answer["survey_url"].removeprefix("https://feedback.example.com")
    page = await _answer(web, path, "5")
    assert "speed of our response" in page.text
    async with services.context.reads() as session:
        request = (await session.execute(select(SurveyRequest))).scalar_one()
        stored = (await session.execute(select(Answer.value_int))).scalars().all()
    assert request.state == RequestState.ACTIVE and stored == [5]
    assert telegram.sent == []  # nothing was tried in a chat the bot may not write to


async def test_a_comment_the_survey_refuses_is_explained_and_given_back(web, services):
    """A client that ignores the box's maxlength (2,000) posts 2,500 characters: the chat's refusal
    is shown on the page with the text kept, and nothing is stored."""
    path = await _link(web, "ticket-long")
    for key in ("4", "4", "4", "4"):
        page = await _answer(web, path, key)
    assert 'maxlength="2000"' in page.text
    long = "The agent was patient and explained everything. " * 52  # 2,548 characters
    refused = await web.post(path, data={"text": long})
    assert refused.status_code == 422 and "too long (2000 characters at most)" in _problem(refused)
    assert f">{long}</textarea>" in refused.text
    async with services.context.reads() as session:
        assert (await session.execute(select(Answer.question_id))).scalars().all().count("went_well") == 0
    assert (await web.post(path, data={"text": long[:1990]})).status_code == 303
    assert "Thank you!" in (await web.get(path)).text


async def test_a_whole_comment_in_a_script_without_spaces_fits_the_body_limit(web, services):
    """2,000 Chinese characters (the box's maxlength) are 18,000 bytes once percent-encoded."""
    path = await _link(web, "ticket-zh")
    for key in ("4", "4", "4", "4"):
        await _answer(web, path, key)
    comment = ("退款还没有到账但是客服很耐心" * 200)[:2000]
    assert (await web.post(path, data={"text": comment})).status_code == 303
    async with services.context.reads() as session:
        stored = (await session.execute(select(Answer.value_text).where(Answer.question_id == "went_well"))).scalar()
    assert stored == comment
