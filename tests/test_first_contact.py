"""An operator's first mistakes: each gets one clear line, a specific status code, and nothing leaks."""

from __future__ import annotations

import asyncio
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
from handlers.core import notes
from storage.models import Respondent, Suggestion, SurveyRequest
from tests.fakes.chat import count
from tests.fakes.process import free_port, run_to_end, running_sayso
from tests.fakes.slack_api import SIGNING_SECRET, FakeSlack, block_actions, form, sign, slash
from tests.fakes.slack_harness import Slack, slack_harness
from tests.fakes.telegram_api import TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram_api import FakeTelegram
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
        ({"SAYSO_ALERT_TELEGRAM_CHATS": "-100123,staff-room"},
         "SAYSO_ALERT_TELEGRAM_CHATS: 'staff-room' is not a Telegram chat id"),
        ({"SAYSO_DIGEST_TELEGRAM_CHATS": "@team"}, "SAYSO_DIGEST_TELEGRAM_CHATS: '@team' is not a Telegram chat id"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/telegram/webhook",
          "TELEGRAM_WEBHOOK_SECRET": "s"}, "TELEGRAM_WEBHOOK_URL: Telegram delivers webhooks only to https:// URLs"),
    ],
)  # fmt: skip
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
    response = await client.post("/api/v1/interactions", json={**BODY, "platform": "console", "user_id": 123456789},
                                 headers=AUTH)  # fmt: skip
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
    [b"payload=notjson", b"\xff\xfe\x00random", b'{"type": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     form(block_actions("U1", "D1", "1.1", {"type": "button"}))[:40]],
)  # fmt: skip
async def test_signed_but_malformed_requests_get_400(slack, caplog, body):
    caplog.set_level(logging.INFO)
    response = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all("Traceback" not in (r.exc_text or "") for r in caplog.records)


async def test_well_formed_signed_requests_still_reach_bolt(slack):
    response = await slack.event({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
    assert response.status_code == 200 and json.loads(response.text)["challenge"] == "c-123"


# -- tokens checked at start ---------------------------------------------------------------------


async def test_a_rejected_telegram_token_stops_run_in_one_line(tmp_path):
    wrong = "987654:a-token-that-telegram-rejects"
    fake = await FakeTelegram().start()
    try:
        env = {"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_BASE_URL": fake.base_url}
        ended = await run_to_end("run", env=env, cwd=tmp_path)
    finally:
        await fake.stop()
    assert ended.code == 2
    assert ended.stderr.strip().splitlines()[-1] == (
        "error: TELEGRAM_BOT_TOKEN: the Bot API rejected this token (401 Unauthorized); copy it again from @BotFather"
    )
    assert "Traceback" not in ended.stderr
    assert wrong not in ended.stdout + ended.stderr and "a-token-that" not in ended.stdout + ended.stderr


async def test_a_rejected_slack_token_stops_run_in_one_line(tmp_path):
    wrong = "xoxb-revoked-long-ago"
    fake = await FakeSlack().start()
    try:
        env = {"SLACK_BOT_TOKEN": wrong, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_BASE_URL": fake.base_url}
        ended = await run_to_end("run", env=env, cwd=tmp_path)
    finally:
        await fake.stop()
    assert ended.code == 2
    last = ended.stderr.strip().splitlines()[-1]
    assert last.startswith("error: SLACK_BOT_TOKEN: Slack rejected the bot token (invalid_auth)")
    assert "Traceback" not in ended.stderr and wrong not in ended.stdout + ended.stderr


async def test_an_unreachable_platform_is_degraded_and_retried(tmp_path):
    port = free_port()  # nothing listens there yet
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    async with running_sayso(env, tmp_path) as sayso_run, httpx.AsyncClient(base_url=sayso_run.url) as http:
        health = (await http.get("/healthz")).json()
        assert health["status"] == "degraded"
        assert health["platforms"]["telegram"].startswith("degraded: Bot API did not answer")
        fake = await FakeTelegram().start(port=port)
        try:
            for _ in range(100):  # the retry waits 1, 2, 4 … seconds
                health = (await http.get("/healthz")).json()
                if health["platforms"]["telegram"] == "ok":
                    break
                await asyncio.sleep(0.2)
            assert health["status"] == "ok" and health["platforms"]["telegram"] == "ok"
        finally:
            await fake.stop()
    assert TELEGRAM_TOKEN not in sayso_run.log.read_text()


async def test_a_token_revoked_while_running_fails_sends_at_once(slack):
    slack.fake.fail_next("conversations.open", "token_revoked")
    result = await slack.trigger("U0REVOKED")
    assert result.status == "scheduled"
    async with slack.services.context.sessions() as session:
        request = await session.get(SurveyRequest, result.request_id)
        respondent = await session.get(Respondent, request.respondent_id)
    assert request.state == "failed" and request.attempts == 1 and request.last_error == "token_revoked"
    assert respondent.unreachable_reason is None  # not the person's fault


# -- the command line ----------------------------------------------------------------------------


def test_command_line_mistakes_are_one_line(tmp_path):
    def one_line(result, code: int, text: str) -> None:
        assert result.returncode == code, result.stderr
        lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("{")]
        assert lines == [lines[0]] and text in lines[0] and "Traceback" not in result.stderr, result.stderr

    one_line(sayso("digest", "--preview", "--chart", "no/such/folder/chart.png", cwd=tmp_path), 2,
             "--chart: folder no/such/folder does not exist")  # fmt: skip
    one_line(sayso("digest", "--preview", "--force", cwd=tmp_path), 2, "--force goes with --send")
    one_line(sayso("suggestions", "respond", "--theme", "parking", "--text", "We rented spaces", cwd=tmp_path), 1,
             "--theme: no theme 'parking'")  # fmt: skip
    (tmp_path / "not-a-db.db").write_text("plain text, not SQLite")
    for url in (f"sqlite:///{tmp_path}/missing/dir/sayso.db", f"sqlite:///{tmp_path}/not-a-db.db"):
        result = sayso("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
        one_line(result, 2, "DATABASE_URL: cannot use sqlite:///")
        assert "Event loop is closed" not in result.stderr
    version = sayso("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("sayso ")


async def test_help_lists_every_command(services, channel):
    from handlers.core.commands import COMMANDS
    from tests.fakes.chat import Person

    shown = (await Person(services, channel, user_id="U5").command("help")).note
    assert shown is not None
    for name, _ in COMMANDS:
        assert f"/{name} — " in shown
    receipt = notes.SUGGESTION_THANKS  # names every stored field of a suggestion
    for field in ("text", "language", "app it came through", "tone", "week"):
        assert field in receipt


def test_the_console_shows_no_buttons_wording_and_keeps_urdu_brackets(tmp_path):
    shown = sayso("demo", input="9\nabc\n4\n5\n4\n5\nQuick\n", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "button" not in shown.stdout.lower()
    urdu = sayso("demo", "--lang", "ur", input="4\n", env={"SAYSO_CONSOLE_BIDI": "on"}, cwd=tmp_path)
    options = [line for line in urdu.stdout.splitlines() if line.lstrip().startswith("[")]
    assert [line[:6] for line in options[:5]] == ["  [1] ", "  [2] ", "  [3] ", "  [4] ", "  [5] "], urdu.stdout


def test_in_a_terminal_the_survey_owns_the_screen(tmp_path):
    """Through a pseudo-terminal, as a person runs it: no log lines between questions, a > prompt."""
    import os
    import pty
    import subprocess
    import time

    from tests.fakes.process import SAYSO, clean_env

    leader, follower = pty.openpty()
    process = subprocess.Popen([SAYSO, "demo"], stdin=follower, stdout=follower, stderr=follower, cwd=tmp_path,
                               env=clean_env({"COLUMNS": "100"}), close_fds=True)  # fmt: skip
    os.close(follower)
    screen = b""
    deadline = time.monotonic() + 60
    answers = iter([b"4\r", b"5\r", b"4\r", b"5\r", b"Quick and kind\r"])
    while process.poll() is None and time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        screen += chunk
        if screen.rstrip().endswith(b">"):
            os.write(leader, next(answers, b""))
    process.wait(10)
    os.close(leader)
    text = screen.decode(errors="replace")
    assert process.returncode == 0, text
    assert "Thank you! Your answers help us serve you better." in text
    assert "> " in text and "INFO" not in text and '"level"' not in text, text
    assert "survey sent" in (tmp_path / "sayso.log").read_text()


def test_a_demo_killed_midway_is_not_asked_again_in_the_next_terminal(tmp_path):
    import sqlite3

    first = sayso("demo", input="3\n", cwd=tmp_path)  # leaves after one answer
    assert first.returncode == 1
    second = sayso("demo", input="4\n5\n4\n5\nFine\n", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(tmp_path / "sayso.db") as db:
        states = [row[0] for row in db.execute("SELECT state FROM survey_requests ORDER BY id")]
    assert states == ["cancelled", "completed"]


async def test_docs_work_offline(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "/static-offline-docs/swagger-ui-bundle.js" in page.text
    script = await client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
