"""`/metrics` parsed with prometheus-client's own parser: after a scripted flow the counters match
the database, labels never name a person, and SAYSO_METRICS_TOKEN protects the route."""

from __future__ import annotations

import dataclasses

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.http import create_app
from bot.wiring import build_services
from handlers.core.broadcast import Destination
from storage.models import Alert, Answer, RequestState, SurveyRequest
from tests.conftest import make_config
from tests.fakes.chat import Person
from tests.fakes.recording import RecordingChannel


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def _count(services, stmt) -> int:
    async with services.context.sessions() as session:
        return int((await session.execute(stmt)).scalar_one())


async def test_metrics_match_the_database_after_a_scripted_flow(services, channel):
    staff = RecordingChannel(platform="slack")
    services.channels.add(staff)
    services.followup.destinations.append(Destination("slack", "C1"))
    people = [Person(services, channel, user_id=f"c{i}") for i in range(4)]
    for i, person in enumerate(people):
        await person.gets_survey()
        if i < 3:  # three answer; two of them to the end, one of them low
            for key in ("1" if i == 0 else "5", "4", "4", "4"):
                await person.press(key)
        if i < 2:
            await person.types("It was fine" if i else "Nobody called back")
    app = create_app(services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        await http.get("/healthz")
        reply = await http.get("/metrics")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
    found = samples(reply.text)

    sent = await _count(services, select(func.count()).where(SurveyRequest.sent_at.is_not(None)))
    completed = await _count(services, select(func.count()).where(SurveyRequest.state == RequestState.COMPLETED))
    answers = await _count(services, select(func.count()).select_from(Answer))
    alerts = await _count(services, select(func.count()).select_from(Alert))
    assert found[("sayso_surveys_sent_total", (("platform", "console"),))] == sent == 4
    assert found[("sayso_surveys_answered_total", (("survey", "csat"),))] == 3
    assert found[("sayso_surveys_completed_total", (("survey", "csat"),))] == completed == 2
    assert found[("sayso_answers_stored_total", (("survey", "csat"),))] == answers == 14
    assert found[("sayso_alerts_total", (("event", "opened"),))] == alerts == 1
    assert found[("sayso_queue_surveys", (("state", "due"),))] == 0
    assert found[("sayso_send_duration_seconds_count", (("platform", "console"),))] == 4
    assert found[("sayso_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz")))] == 1
    labels = {value for (_, pairs) in found for _, value in pairs}
    assert not labels & {"c0", "c1", "c2", "c3", "dm-c0", "C1", "Nobody called back"}


async def test_the_metrics_token_is_required_when_set(db_url, analyzer):
    config = make_config(db_url)
    settings = config.settings.model_copy(update={"metrics_token": SecretStr("scrape-token-0123456789")})
    config = config.model_copy(update={"settings": settings})
    async with build_services(config, analyzer=analyzer) as services:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            refused = await http.get("/metrics")
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
            allowed = await http.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert refused.status_code == wrong.status_code == 401 and "scrape-token" not in refused.text
    assert allowed.status_code == 200 and "sayso_surveys_sent_total" in allowed.text


async def test_requests_the_guard_refuses_are_timed_under_their_route(services):
    """A 401 (no token) and a 413 (too large) never reach routing; they still count under their route."""
    settings = services.config.settings.model_copy(update={"api_token": SecretStr("api-token-0123456789abc")})
    app = create_app(dataclasses.replace(services, config=services.config.model_copy(update={"settings": settings})))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        assert (await http.post("/api/v1/interactions", json={})).status_code == 401
        large = {"Authorization": "Bearer api-token-0123456789abc", "Content-Type": "application/json"}
        assert (await http.post("/api/v1/interactions", content=b"x" * 70_000, headers=large)).status_code == 413
        assert (await http.get("/no/such/path")).status_code == 404
        text = (await http.get("/metrics")).text
    counts = {
        (sample.labels["method"], sample.labels["route"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "sayso_http_request_duration_seconds_count"
    }
    assert counts == {("POST", "/api/v1/interactions"): 2, ("GET", "unmatched"): 1}
