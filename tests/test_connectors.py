"""Helpdesk connectors: Chatwoot's own webhook payload (resolved, open, another inbox, a duplicate,
the secret), and the Zendesk and Freshdesk bodies exactly as the README shows them, rendered the
way the helpdesk renders its placeholders."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.http import create_app
from bot.wiring import build_services
from storage.models import Interaction, Respondent, SurveyRequest
from tests.conftest import make_config
from tests.fakes.recording import RecordingChannel

README = Path(__file__).resolve().parents[1] / "README.md"
HOOK_SECRET = "hook-secret-0123456789abcdef"
API_TOKEN = "api-token-0123456789abcdef"

# Shaped as Chatwoot's Conversations::EventDataPresenter#push_data plus event and
# changed_attributes (app/listeners/webhook_listener.rb), for a Telegram inbox.
CHATWOOT_RESOLVED = {
    "event": "conversation_status_changed",
    "additional_attributes": {"chat_id": 555000111},
    "can_reply": True,
    "channel": "Channel::Telegram",
    "contact_inbox": {"id": 31, "contact_id": 12, "inbox_id": 4, "source_id": "555000111", "hmac_verified": False},
    "id": 87,
    "inbox_id": 4,
    "messages": [
        {
            "id": 901,
            "content": "Thanks, that works now",
            "account_id": 2,
            "inbox_id": 4,
            "conversation_id": 87,
            "message_type": 0,
        }
    ],
    "labels": [],
    "meta": {
        "sender": {
            "id": 12,
            "name": "Ayesha Khan",
            "type": "contact",
            "additional_attributes": {
                "username": "ayesha_k",
                "language_code": "ur",
                "social_telegram_user_id": 555000111,
                "social_telegram_user_name": "ayesha_k",
            },
        },
        "assignee": {"id": 3, "name": "Bilal Ahmed", "available_name": "Bilal", "type": "user"},
        "assignee_type": "User",
        "team": None,
        "hmac_verified": False,
    },
    "status": "resolved",
    "custom_attributes": {},
    "snoozed_until": None,
    "unread_count": 0,
    "first_reply_created_at": 1764590000,
    "priority": None,
    "waiting_since": 0,
    "agent_last_seen_at": 1764590100,
    "contact_last_seen_at": 1764590050,
    "last_activity_at": 1764590100,
    "timestamp": 1764590100,
    "created_at": 1764589000,
    "updated_at": 1764590100.5,
    "changed_attributes": [{"status": {"previous_value": "open", "current_value": "resolved"}}],
}


@pytest.fixture
async def http(db_url, analyzer):
    config = make_config(db_url)
    settings = config.settings.model_copy(
        update={"hook_secret": SecretStr(HOOK_SECRET), "api_token": SecretStr(API_TOKEN)}
    )
    async with build_services(config.model_copy(update={"settings": settings}), analyzer=analyzer) as services:
        services.channels.add(RecordingChannel(platform="telegram", reaches_unknown_users=False))
        services.channels.add(RecordingChannel(platform="slack"))
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as client:
            client.services = services  # type: ignore[attr-defined]
            yield client


async def _stored(http):
    async with http.services.context.sessions() as session:
        rows = await session.execute(
            select(
                Interaction.external_id,
                Interaction.agent,
                Interaction.touchpoint,
                Respondent.platform,
                Respondent.platform_user_id,
                SurveyRequest.language,
            )
            .join(SurveyRequest, SurveyRequest.interaction_id == Interaction.id)
            .join(Respondent, Respondent.id == SurveyRequest.respondent_id)
        )
        return [tuple(row) for row in rows]


async def test_a_resolved_telegram_conversation_surveys_its_contact_once(http):
    url = f"/api/v1/hooks/chatwoot?secret={HOOK_SECRET}"
    first = await http.post(url, json=CHATWOOT_RESOLVED)
    again = await http.post(url, json=CHATWOOT_RESOLVED)  # resolved again, or Chatwoot retrying
    assert first.status_code == 202 and again.status_code == 200
    assert first.json()["request_id"] == again.json()["request_id"]
    assert await _stored(http) == [("chatwoot-2-4-87", "Bilal", "chat", "telegram", "555000111", "ur")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "open"}, "status 'open' is not resolved"),
        ({"event": "conversation_updated"}, "event 'conversation_updated' is not conversation_status_changed"),
        ({"channel": "Channel::Sms"}, "inbox channel 'Channel::Sms' is neither Telegram nor e-mail"),
        ({"channel": "Channel::WebWidget"}, "no e-mail address of the contact"),
    ],
)
async def test_other_chatwoot_deliveries_are_acknowledged_and_ignored(http, change, reason):
    payload = {**copy.deepcopy(CHATWOOT_RESOLVED), **change}
    reply = await http.post("/api/v1/hooks/chatwoot", json=payload, headers={"X-Sayso-Hook-Secret": HOOK_SECRET})
    assert reply.status_code == 200 and reply.json()["ignored"].startswith(reason)
    assert await _stored(http) == []


@pytest.mark.parametrize(("channel", "touchpoint"), [("Channel::Email", "email"), ("Channel::WebWidget", "online")])
async def test_chatwoot_email_and_widget_conversations_are_surveyed_by_email(http, channel, touchpoint):
    payload = copy.deepcopy(CHATWOOT_RESOLVED)
    payload["channel"] = channel
    payload["meta"]["sender"]["email"] = "Widget.User@Example.com"
    first = await http.post("/api/v1/hooks/chatwoot", json=payload, headers={"X-Sayso-Hook-Secret": HOOK_SECRET})
    again = await http.post("/api/v1/hooks/chatwoot", json=payload, headers={"X-Sayso-Hook-Secret": HOOK_SECRET})
    assert first.status_code == 202 and again.status_code == 200  # idempotent on the conversation, as before
    ((external, agent, stored_touchpoint, platform, user, _),) = await _stored(http)
    assert (external, agent, platform, user) == ("chatwoot-2-4-87", "Bilal", "email", "widget.user@example.com")
    assert stored_touchpoint == touchpoint


async def test_the_hook_secret_is_required(http):
    missing = await http.post("/api/v1/hooks/chatwoot", json=CHATWOOT_RESOLVED)
    wrong = await http.post("/api/v1/hooks/chatwoot?secret=guess", json=CHATWOOT_RESOLVED)
    bearer = await http.post(
        "/api/v1/hooks/chatwoot", json=CHATWOOT_RESOLVED, headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    assert missing.status_code == wrong.status_code == bearer.status_code == 401
    assert HOOK_SECRET not in wrong.text and await _stored(http) == []


def readme_body(helpdesk: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- body: {helpdesk} -->\n```json\n(.*?)\n```", text, re.S)
    assert match, f"the README shows no {helpdesk} body"
    return match.group(1)


def render(template: str, values: dict[str, str]) -> str:
    """As Zendesk's Liquid and Freshdesk's placeholders do: each {{…}} replaced by its text, an
    unknown one (an unassigned ticket's agent) by nothing."""
    return re.sub(r"\{\{\s*([\w.]+)\s*\}\}", lambda m: values.get(m.group(1), ""), template)


@pytest.mark.parametrize(
    ("helpdesk", "values", "expected"),
    [
        (
            "zendesk",
            {
                "ticket.id": "4711",
                "ticket.requester.custom_fields.telegram_user_id": "777000222",
                "ticket.assignee.name": "Ann Smith",
            },
            ("zendesk-4711", "Ann Smith", "telegram", "777000222"),
        ),
        (
            "freshdesk",
            {"ticket.id": "93", "ticket.contact.cf_telegram_user_id": "777000333"},
            ("freshdesk-93", None, "telegram", "777000333"),
        ),
        (  # customers who wrote by e-mail are surveyed by e-mail
            "zendesk-email",
            {"ticket.id": "4712", "ticket.requester.email": "Customer@Example.com", "ticket.assignee.name": "Ann"},
            ("zendesk-4712", "Ann", "email", "customer@example.com"),
        ),
        (
            "freshdesk-email",
            {"ticket.id": "94", "ticket.contact.email": "someone@example.org"},
            ("freshdesk-94", None, "email", "someone@example.org"),
        ),
    ],
)
async def test_the_readme_bodies_work_as_the_helpdesks_send_them(http, helpdesk, values, expected):
    body = render(readme_body(helpdesk), values)
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    first = await http.post("/api/v1/interactions", content=body, headers=headers)
    retried = await http.post("/api/v1/interactions", content=body, headers=headers)
    assert first.status_code == 202, first.text
    assert retried.status_code == 200 and retried.json()["request_id"] == first.json()["request_id"]
    ((external, agent, touchpoint, platform, user, _),) = await _stored(http)
    assert (external, agent, platform, user) == expected and touchpoint == "email"


async def test_an_it_desk_on_slack_uses_the_same_body(http):
    body = render(
        readme_body("zendesk").replace('"telegram"', '"slack"').replace("telegram_user_id", "slack_user_id"),
        {"ticket.id": "12", "ticket.requester.custom_fields.slack_user_id": "U012AB3CD"},
    )
    reply = await http.post(
        "/api/v1/interactions",
        content=body,
        headers={"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"},
    )
    assert reply.status_code == 202 and reply.json()["status"] == "scheduled"
    assert json.loads(body)["platform"] == "slack"
    ((external, _, _, platform, user, _),) = await _stored(http)
    assert (external, platform, user) == ("zendesk-12", "slack", "U012AB3CD")
