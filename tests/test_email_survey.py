"""Surveys by e-mail against a real SMTP server (aiosmtpd): the invitation as received (multipart,
in the customer's language, links that open the page and store only on confirm, one-click
unsubscribe), refused and deferred addresses, TLS, and no address or token in the logs."""

from __future__ import annotations

import dataclasses
import logging
import re

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.http import create_app
from bot.wiring import build_services
from storage.models import Answer, RequestState, Respondent, SurveyRequest
from tests.conftest import make_config
from tests.fakes.chat import count
from tests.fakes.smtp_server import SmtpServer, throwaway_certificate

TOKEN = "email-survey-api-token-0123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SENDER = "Acme Support <support@acme.example>"


def _config(db_url: str, smtp_url: str):
    config = make_config(db_url)
    settings = config.settings.model_copy(
        update={
            "api_token": SecretStr(TOKEN),
            "smtp_url": SecretStr(smtp_url),
            "email_from": SENDER,
            "public_url_setting": "https://feedback.example.com",
        }
    )
    return config.model_copy(update={"settings": settings})


async def _report(http: httpx.AsyncClient, interaction: str, address: str, **extra: object) -> dict:
    body = {"interaction_id": interaction, "platform": "email", "user_id": address, **extra}
    response = await http.post("/api/v1/interactions", json=body, headers=AUTH)
    assert response.status_code in (200, 202), response.text
    return response.json()


@pytest.fixture
def relay():
    with SmtpServer() as server:
        yield server


async def test_an_invitation_arrives_in_the_customers_language_and_its_links_work(db_url, analyzer, relay):
    async with build_services(_config(db_url, f"smtp://127.0.0.1:{relay.port}"), analyzer=analyzer) as services:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            answer = await _report(http, "zendesk-4711", "Customer@Example.com", language="ur")
            assert answer["status"] == "scheduled" and answer["survey_url"].startswith(
                "https://feedback.example.com/s/"
            )
            await services.survey_sender.send_due()
            (mail,) = relay.mailbox.received
            message = mail.message
            assert mail.recipients == ["customer@example.com"] and message["From"] == SENDER
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert message.get_content_type() == "multipart/alternative"
            text = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            assert 'lang="ur" dir="rtl"' in html and "مطمئن" in text
            links = sorted(set(re.findall(r"https://feedback\.example\.com/s/[\w-]+\?answer=\d", text)))
            assert [link[-1] for link in links] == ["1", "2", "3", "4", "5"]
            page = links[3].removeprefix("https://feedback.example.com")
            scanned = await http.get(page)  # a mail scanner opening the link changes nothing
            assert scanned.status_code == 200 and await count(services, Answer) == 0
            confirm = re.search(r'name="data" value="([^"]+)" class="confirm"', scanned.text)
            assert confirm is not None
            path = page.split("?")[0]
            assert (await http.post(path, data={"data": confirm.group(1)})).status_code == 303
            async with services.context.reads() as session:
                stored = (await session.execute(select(Answer.question_id, Answer.value_int))).all()
            assert stored == [("overall", 4)]
            unsubscribe = re.search(
                r"<(https://feedback\.example\.com/s/[\w-]+/unsubscribe)>", message["List-Unsubscribe"]
            )
            assert unsubscribe is not None
            one_click = await http.post(
                unsubscribe.group(1).removeprefix("https://feedback.example.com"),
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert one_click.status_code == 200
            again = await _report(http, "zendesk-4712", "customer@example.com")
            assert again["status"] == "opted_out"


async def test_a_refused_address_is_unreachable_and_a_deferred_one_is_retried(db_url, analyzer, relay):
    relay.mailbox.refuse.add("gone@example.com")
    relay.mailbox.defer.add("busy@example.com")
    async with build_services(_config(db_url, f"smtp://127.0.0.1:{relay.port}"), analyzer=analyzer) as services:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            await _report(http, "t-gone", "gone@example.com")
            await _report(http, "t-busy", "busy@example.com")
            await services.survey_sender.send_due()
        async with services.context.reads() as session:
            rows = {r.id: r for r in (await session.execute(select(SurveyRequest))).scalars()}
    states = sorted((str(r.state), r.reason or r.last_error or "") for r in rows.values())
    assert states[0][0] == "scheduled" and "451" in states[0][1]  # retried later, like a platform send
    assert states[1][0] == "unreachable" and "550" in states[1][1]
    assert relay.mailbox.received == []


async def test_smtps_checks_the_relays_certificate(db_url, analyzer, tmp_path, monkeypatch):
    cert, key = throwaway_certificate(tmp_path)
    with SmtpServer(tls=(cert, key), login=("sayso", "relay-pass")) as relay:
        url = f"smtps://sayso:relay-pass@127.0.0.1:{relay.port}"
        for trusted in (False, True):
            if trusted:  # the private relay's CA, added as an operator would: in the environment at start
                monkeypatch.setenv("SSL_CERT_FILE", str(cert))
            async with build_services(_config(db_url, url), analyzer=analyzer) as services:
                app = create_app(services)
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
                    await _report(http, f"tls-{trusted}", "b@example.com" if trusted else "a@example.com")
                    await services.survey_sender.send_due()
            if not trusted:
                assert relay.mailbox.received == []  # a certificate nobody vouches for is refused
        assert [r.recipients for r in relay.mailbox.received] == [["b@example.com"]]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SAYSO_SMTP_URL": "smtp://relay.example.com:587"}, "SAYSO_SMTP_URL and SAYSO_EMAIL_FROM go together"),
        ({"SAYSO_SMTP_URL": "imap://x", "SAYSO_EMAIL_FROM": SENDER}, "use smtps://"),
        ({"SAYSO_SMTP_URL": "smtp://relay.example.com", "SAYSO_EMAIL_FROM": "not an address"}, "SAYSO_EMAIL_FROM"),
    ],
)
def test_smtp_settings_are_checked_in_one_line_without_the_password(env, message):
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, **env)
    assert message in str(refused.value) and "relay-pass" not in str(refused.value)


async def test_no_address_or_token_reaches_the_logs(db_url, analyzer, relay, caplog):
    caplog.set_level(logging.DEBUG)
    async with build_services(_config(db_url, f"smtp://127.0.0.1:{relay.port}"), analyzer=analyzer) as services:
        app = create_app(dataclasses.replace(services))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            answer = await _report(http, "private-1", "private.person@example.com")
            await services.survey_sender.send_due()
        async with services.context.reads() as session:
            respondent = (await session.execute(select(Respondent))).scalar_one()
    token = answer["survey_url"].rsplit("/", 1)[1]
    ours = [r for r in caplog.records if r.name.split(".")[0] in ("bot", "handlers", "storage")]
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert "private.person" not in logged and token not in logged and respondent.platform_user_id not in logged
    assert any("survey sent" in r.getMessage() for r in ours)
    assert RequestState.ACTIVE


async def test_forget_erases_an_address_and_its_links(db_url, analyzer, relay):
    from handlers.operations.housekeeping import forget_respondent

    async with build_services(_config(db_url, f"smtp://127.0.0.1:{relay.port}"), analyzer=analyzer) as services:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            answer = await _report(http, "forget-me", "leaving@example.com")
            path = answer["survey_url"].removeprefix("https://feedback.example.com")
            assert (await http.get(path)).status_code == 200
            forgotten = await forget_respondent(
                services.context, platform="email", user_id="leaving@example.com", delete_answers=False
            )
            assert forgotten is not None
            assert (await http.get(path)).status_code == 404
        async with services.context.reads() as session:
            users = [r.platform_user_id for r in (await session.execute(select(Respondent))).scalars()]
    assert "leaving@example.com" not in users
