"""An operator's first mistakes: each gets one clear line, a specific status code, and nothing leaks."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.config import ConfigError, load_settings
from bot.http import create_app
from bot.wiring import Services
from storage.models import Respondent, Suggestion, SurveyRequest
from tests.fakes.chat import count
from tests.fakes.slack_api import block_actions, form, sign, slash
from tests.fakes.slack_harness import Slack, slack_harness
from tests.test_cli import sayso

TOKEN = "a-long-enough-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = {"interaction_id": "t-1", "platform": "console", "user_id": "U1", "touchpoint": "phone", "agent": "Ann"}


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["SAYSO_ALERT_TELEGRAM_CHATS", "SAYSO_DIGEST_TELEGRAM_CHATS"])
def test_one_telegram_chat_id_is_a_list_of_one(monkeypatch, variable):
    monkeypatch.setenv(variable, "-1001234567890")
    settings = load_settings(_env_file=None)
    assert getattr(settings, variable.removeprefix("SAYSO_").lower()) == ["-1001234567890"]


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"SAYSO_ALERT_TELEGRAM_CHATS": "-100123,staff-room"},
            "SAYSO_ALERT_TELEGRAM_CHATS: 'staff-room' is not a Telegram chat id",
        ),
        ({"SAYSO_DIGEST_TELEGRAM_CHATS": "@team"}, "SAYSO_DIGEST_TELEGRAM_CHATS: '@team' is not a Telegram chat id"),
        (
            {
                "TELEGRAM_BOT_TOKEN": "1:x",
                "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": "s",
            },
            "TELEGRAM_WEBHOOK_URL: Telegram delivers webhooks only to https:// URLs",
        ),
    ],
)
def test_values_that_cannot_work_stop_start_in_one_line(tmp_path, env, line):
    result = sayso("config", "check", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {line}" + result.stderr.split(line, 1)[1].rstrip()]


def test_config_check_shows_every_section_uncut_and_warns_of_a_short_token(tmp_path):
    long_path = tmp_path / ("a-very-long-folder-name-" * 4) / "sayso.db"
    long_path.parent.mkdir()
    env = {"SAYSO_API_TOKEN": "short", "DATABASE_URL": f"sqlite:///{long_path}", "COLUMNS": "80"}
    result = sayso("config", "check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"sqlite:///{long_path}" in result.stdout  # not cut at 80 columns
    for key in ("suggestions.max_per_day", "digest.poll_cron", "alerts.csat_at_most", "delivery.quiet_start"):
        assert key in result.stdout
    assert "warning: SAYSO_API_TOKEN is shorter than 16 characters" in result.stdout
    assert "short" not in result.stdout.replace("shorter", "")


def test_unknown_language_is_refused_on_the_command_line(tmp_path):
    sent = sayso("send", "--platform", "console", "--user", "U1", "--language", "xx", cwd=tmp_path)
    assert sent.returncode == 2 and sent.stderr.strip().endswith("unknown language 'xx'; shipped: en, ur, hi, hu")
    demo = sayso("demo", "--lang", "xx", input="", cwd=tmp_path)
    assert demo.returncode == 2 and "error: --lang: unknown language 'xx'" in demo.stderr


def test_settings_errors_are_config_errors():
    with pytest.raises(ConfigError, match=r"^SAYSO_DIGEST_TELEGRAM_CHATS: "):
        load_settings(_env_file=None, SAYSO_DIGEST_TELEGRAM_CHATS="abc")


# -- the HTTP API ---------------------------------------------------------------------------------


def _with_token(services: Services, token: str | None) -> Services:
    settings = services.config.settings.model_copy(update={"api_token": SecretStr(token) if token else None})
    return dataclasses.replace(services, config=services.config.model_copy(update={"settings": settings}))


@pytest.fixture
async def client(services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(_with_token(services, TOKEN))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
        yield http


async def test_the_token_is_checked_before_the_body_is_parsed(client):
    refused = await client.post(
        "/api/v1/interactions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 401 and refused.json() == {"detail": "missing or wrong bearer token"}
    wrong = await client.post("/api/v1/interactions", content=b"{not json", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    parsed = await client.post("/api/v1/interactions", content=b"{not json", headers=AUTH)
    assert parsed.status_code == 422


async def test_an_oversized_body_gets_413_without_being_read(client, services):
    produced = 0

    async def three_hundred_megabytes() -> AsyncIterator[bytes]:
        nonlocal produced
        for _ in range(300 * 16):
            produced += 1
            yield b" " * 65536

    streamed = await client.post("/api/v1/interactions", content=three_hundred_megabytes(), headers=AUTH)
    assert streamed.status_code == 413 and "65536 bytes" in streamed.json()["detail"]
    assert produced <= 3  # refused after the first chunks past 64 KiB, not after 300 MB
    declared = await client.post("/api/v1/interactions", content=b"x" * 70_000, headers=AUTH)
    assert declared.status_code == 413
    assert await count(services, SurveyRequest) == 0


async def test_telegram_user_ids_may_be_numbers(client):
    response = await client.post(
        "/api/v1/interactions", json={**BODY, "platform": "console", "user_id": 123456789}, headers=AUTH
    )
    assert response.status_code == 202, response.text


async def test_an_unknown_language_is_a_422_naming_the_field(client):
    response = await client.post("/api/v1/interactions", json={**BODY, "language": "xx"}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "language", "message": "unknown language 'xx'; shipped: en, ur, hi, hu"}
    ]


async def test_a_repeated_id_with_another_body_says_what_differs(client, services):
    first = await client.post("/api/v1/interactions", json=BODY, headers=AUTH)
    same = await client.post("/api/v1/interactions", json=BODY, headers=AUTH)
    other = await client.post("/api/v1/interactions", json={**BODY, "agent": "Bilal", "user_id": "U2"}, headers=AUTH)
    assert first.status_code == 202 and same.status_code == 200 and other.status_code == 200
    assert "differs" not in same.json()
    assert other.json()["differs"] == ["user_id", "agent"]
    assert other.json()["request_id"] == first.json()["request_id"]
    assert await count(services, SurveyRequest) == 1


# -- Slack requests that are not Slack's -------------------------------------------------------


@pytest.fixture
async def slack(tmp_path: Path, analyzer) -> AsyncIterator[Slack]:
    async for harness in slack_harness(f"sqlite:///{tmp_path / 'slack.db'}", analyzer):
        yield harness


SECRET_TEXT = "the manager shouts at us every morning"


async def test_a_wrong_signing_secret_logs_one_line_and_no_payload(slack, caplog):
    caplog.set_level(logging.DEBUG)
    body = slash("U0AUTHOR", "D0AUTHOR", SECRET_TEXT)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret="not-the-secret")}
    response = await slack.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert await count(slack.services, Suggestion) == 0
    logged = [record.getMessage() for record in caplog.records]
    assert all(SECRET_TEXT not in line and "U0AUTHOR" not in line for line in logged), logged
    refusals = [line for line in logged if "slack request refused" in line]
    assert refusals == ["slack request refused: wrong signature (check SLACK_SIGNING_SECRET)"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no signature"),
        ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, "malformed timestamp"),
        ({"X-Slack-Request-Timestamp": "1000", "X-Slack-Signature": "v0=00"}, "timestamp too old"),
    ],
)
async def test_unsigned_requests_get_401_before_parsing(slack, caplog, headers, reason):
    caplog.set_level(logging.INFO)
    response = await slack.http.post("/slack/events", content=b"\xff\xfe random", headers=headers)
    assert response.status_code == 401
    assert any(reason in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        b"payload=notjson",
        b"\xff\xfe\x00random",
        b'{"type": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        form(block_actions("U1", "D1", "1.1", {"type": "button"}))[:40],
    ],
)
async def test_signed_but_malformed_requests_get_400(slack, caplog, body):
    caplog.set_level(logging.INFO)
    response = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all("Traceback" not in (r.exc_text or "") for r in caplog.records)


async def test_well_formed_signed_requests_still_reach_bolt(slack):
    response = await slack.event({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
    assert response.status_code == 200 and json.loads(response.text)["challenge"] == "c-123"


async def test_a_token_revoked_while_running_fails_sends_at_once(slack):
    slack.fake.fail_next("conversations.open", "token_revoked")
    result = await slack.trigger("U0REVOKED")
    assert result.status == "scheduled"
    async with slack.services.context.sessions() as session:
        request = await session.get(SurveyRequest, result.request_id)
        respondent = await session.get(Respondent, request.respondent_id)
    assert request.state == "failed" and request.attempts == 1 and request.last_error == "token_revoked"
    assert respondent.unreachable_reason is None  # not the person's fault


async def test_docs_work_offline(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/static-offline-docs/swagger-ui-bundle.js" in page.text
    script = await client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
