"""The real Bolt app and slack-sdk client: signed requests in Slack's payload shapes against
/slack/events, and a local fake of the Web API."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.config import Config, Settings
from bot.platforms import build_adapters
from bot.wiring import build_services
from handlers.core import notes
from handlers.core.surveys import BUILTIN
from handlers.i18n import lang
from storage.models import Answer, RequestState, Respondent, Suggestion
from tests.conftest import file_config
from tests.fakes.chat import count, request_row, stored_answers
from tests.fakes.slack_api import (
    BOT_TOKEN,
    FakeSlack,
    block_actions,
    dm_event,
    form,
    sign,
    slash,
    view_submission,
)
from tests.fakes.slack_harness import Slack, slack_harness


@pytest.fixture
async def slack(tmp_path: Path, analyzer) -> AsyncIterator[Slack]:
    async for harness in slack_harness(f"sqlite:///{tmp_path / 'slack.db'}", analyzer):
        yield harness


async def _full_csat(s: Slack, user: str, language: str, scores: list[str], comment: str) -> int:
    channel = "D" + user.lstrip("U")
    result = await s.trigger(user, language=language)
    assert result.status == "scheduled"
    assert len(s.fake.sent("chat.postMessage", channel)) == 1
    ts = s.message(channel)[0]
    for i, score in enumerate(scores, start=1):
        response = await s.press(user, channel, score)
        assert response.status_code == 200
        await s.fake.wait_for("chat.update", i, channel=channel)
    assert s.message(channel)[0] == ts  # one message, updated in place all along
    response = await s.event(dm_event(user, channel, comment, f"Ev-{user}"))
    assert response.status_code == 200
    thanks = await s.fake.wait_for("chat.postMessage", 2, channel=channel)
    language_of = lang(language)
    assert thanks[-1].params["text"] == language_of.directional(language_of.gettext(notes.THANKS))
    return result.request_id


async def test_full_csat_in_english(db_url, analyzer):
    """On SQLite and PostgreSQL; the other Slack tests use SQLite."""
    async for s in slack_harness(db_url, analyzer):
        request_id = await _full_csat(s, "U100", "en", ["4", "5", "4", "5"], "Quick and kind")
        first = s.fake.sent("chat.postMessage", "D100")[0].params
        first_blocks = first["blocks"]
        assert first_blocks[0]["text"]["text"].startswith("Thank you for talking to us!")
        labels = [e["text"]["text"] for e in first_blocks[-1]["elements"]]
        assert labels == [
            "1 — Very dissatisfied",
            "2 — Dissatisfied",
            "3 — Neutral",
            "4 — Satisfied",
            "5 — Very satisfied",
        ]
        updates = s.fake.sent("chat.update", "D100")
        assert updates[0].params["blocks"][0]["text"]["text"].endswith("✓ 4 — Satisfied")
        assert updates[0].params["blocks"][1] == {"type": "divider"}
        assert "speed of our response" in updates[0].params["blocks"][2]["text"]["text"]
        final = updates[-1].params["blocks"]
        assert len(final) == 1 and final[0]["text"]["text"].endswith("✓ Quick and kind")
        answers = await stored_answers(s.services, request_id)
        assert {q: a.value_int or a.value_text for q, a in answers.items()} == {
            "overall": 4,
            "speed": 5,
            "attitude": 4,
            "solution": 5,
            "went_well": "Quick and kind",
        }
        assert s.fake.sent("conversations.open")[0].params["users"] == "U100"


async def test_full_csat_in_hindi(slack):
    request_id = await _full_csat(slack, "U101", "hi", ["2", "2", "3", "1"], "जवाब बहुत देर से आया")
    hindi = lang("hi")
    first = slack.fake.sent("chat.postMessage", "D101")[0].params
    assert hindi.gettext("Overall, how satisfied are you with the help you received?") in first["text"]
    labels = [e["text"]["text"] for e in first["blocks"][-1]["elements"]]
    assert labels[3] == "4 — संतुष्ट"
    went_wrong = (await stored_answers(slack.services, request_id))["went_wrong"]
    assert (went_wrong.text_language, went_wrong.sentiment_status) == ("hi", "scored")
    assert went_wrong.sentiment < 0  # "the answer came very late"


async def test_retried_event_is_handled_once(slack):
    await slack.trigger("U102", survey="nps")
    await slack.press("U102", "D102", "9")
    await slack.fake.wait_for("chat.update", 1, channel="D102")
    event = dm_event("U102", "D102", "Because it was quick", "Ev-retry")
    assert (await slack.event(event)).status_code == 200
    assert (
        await slack.event(event, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    ).status_code == 200
    await slack.fake.wait_for("chat.postMessage", 2, channel="D102")
    assert await count(slack.services, Answer) == 2
    assert len(slack.fake.sent("chat.postMessage", "D102")) == 2  # the question and one thanks


async def test_double_click_stores_one_row(slack):
    await slack.trigger("U103")
    ts, _ = slack.message("D103")
    four = next(b for b in slack.buttons("D103") if b["text"]["text"].startswith("4"))
    action = {"type": "button", "action_id": four["action_id"], "value": four["value"], "text": four["text"]}
    await slack.interact(block_actions("U103", "D103", ts, action))
    await slack.interact(block_actions("U103", "D103", ts, action))
    (note,) = await slack.fake.wait_for("chat.postEphemeral", 1, channel="D103")
    assert note.params["text"] == notes.REPEATED and note.params["user"] == "U103"
    assert await count(slack.services, Answer) == 1


@pytest.mark.parametrize("forgery", ["wrong secret", "stale timestamp", "no signature"])
async def test_forged_or_stale_requests_get_401_and_change_nothing(slack, forgery):
    await slack.trigger("U104")
    ts, _ = slack.message("D104")
    button = slack.buttons("D104")[0]
    body = form(
        block_actions(
            "U104",
            "D104",
            ts,
            {"type": "button", "action_id": button["action_id"], "value": button["value"], "text": button["text"]},
        )
    )
    headers = {
        "wrong secret": sign(body, secret="not-the-secret"),
        "stale timestamp": sign(body, timestamp=int(time.time()) - 6 * 60),
        "no signature": {},
    }[forgery]
    response = await slack.http.post(
        "/slack/events", content=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}
    )
    assert response.status_code == 401
    assert await count(slack.services, Answer) == 0


async def test_rate_limit_is_retried_after_retry_after(slack):
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    result = await slack.trigger("U105")
    refused, delivered = [c for c in slack.fake.calls if c.method == "chat.postMessage"]
    assert refused.status == 429 and delivered.status == 200 and delivered.at - refused.at >= 1.0
    assert (await request_row(slack.services, result.request_id)).state == RequestState.ACTIVE


async def test_inactive_account_is_marked_unreachable(slack):
    slack.fake.inactive.add("U106")
    result = await slack.trigger("U106")
    request = await request_row(slack.services, result.request_id)
    assert (request.state, request.reason) == (RequestState.UNREACHABLE, "account_inactive")
    again = await slack.trigger("U106")
    assert (again.status, again.reason) == ("unreachable", "account_inactive")
    assert len(slack.fake.sent("conversations.open")) == 0  # refused both times... and never retried
    assert len([c for c in slack.fake.calls if c.method == "conversations.open"]) == 1


async def test_suggest_inline_is_stored_and_answered_ephemerally(slack):
    response = await slack.post(
        slash("U107", "C0GENERAL", "Please open on Saturdays"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    # A plain-text body answers a slash command ephemerally: only the author sees it.
    assert response.text == notes.SUGGESTION_THANKS
    async with slack.services.context.sessions() as session:
        (row,) = (await session.execute(select(Suggestion))).scalars()
    assert (row.text, row.channel) == ("Please open on Saturdays", "slack")


async def test_suggest_alone_opens_a_modal(slack):
    response = await slack.post(slash("U108", "D108", ""), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    (opened,) = await slack.fake.wait_for("views.open", 1)
    assert opened.params["view"]["callback_id"] == "suggest_modal"
    submitted = await slack.interact(view_submission("U108", "suggest_modal", "Longer opening hours"))
    assert submitted.status_code == 200
    assert submitted.json()["response_action"] == "update"
    assert notes.SUGGESTION_THANKS in json.dumps(submitted.json(), ensure_ascii=False)
    assert await count(slack.services, Suggestion) == 1


async def test_free_text_through_the_modal(slack):
    result = await slack.trigger("U109", survey="ces")
    await slack.press("U109", "D109", "6")
    await slack.fake.wait_for("chat.update", 1, channel="D109")
    await slack.press("U109", "D109", "Write my answer")
    (opened,) = await slack.fake.wait_for("views.open", 1)
    assert opened.params["view"]["callback_id"] == "answer_text"
    metadata = opened.params["view"]["private_metadata"]
    await slack.interact(view_submission("U109", "answer_text", "Easy to reach you", metadata=metadata))
    await slack.fake.wait_for("chat.postMessage", 2, channel="D109")
    assert (await stored_answers(slack.services, result.request_id))["why"].value_text == "Easy to reach you"


async def test_app_home_shows_and_changes_language_and_opt_out(slack):
    opened = {
        "type": "event_callback",
        "event_id": "Ev-home",
        "team_id": "T0TEST",
        "api_app_id": "A0TEST",
        "event": {"type": "app_home_opened", "user": "U110", "channel": "D110", "tab": "home"},
    }
    await slack.event(opened)
    (home,) = await slack.fake.wait_for("views.publish", 1)
    select_block = home.params["view"]["blocks"][1]["accessory"]
    assert [o["value"] for o in select_block["options"]] == ["l|en", "l|ur", "l|hi", "l|hu"]
    pick = {"type": "static_select", "action_id": "home_language", "selected_option": {"value": "l|hu"}}
    payload = block_actions("U110", "", "", pick) | {"container": {"type": "view", "view_id": "V1"}}
    await slack.interact(payload)
    published = await slack.fake.wait_for("views.publish", 2)
    assert published[-1].params["view"]["blocks"][0]["text"]["text"] == lang("hu").gettext(notes.HOME_TITLE)
    stop = {"type": "button", "action_id": "home_opt", "value": "stop"}
    await slack.interact(block_actions("U110", "", "", stop) | {"container": {"type": "view", "view_id": "V1"}})
    await slack.fake.wait_for("views.publish", 3)
    async with slack.services.context.sessions() as session:
        respondent = (await session.execute(select(Respondent))).scalar_one()
    assert respondent.opted_out and respondent.chosen_language == "hu"
    assert (await slack.trigger("U110")).status == "opted_out"


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest.socket-mode.yaml"])
def test_manifests_grant_exactly_what_the_bot_uses(name):
    import yaml

    from bot.slack_adapter.app import BOT_EVENTS, BOT_SCOPES, SLASH_COMMANDS

    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "slack" / name).read_text())
    settings = manifest["settings"]
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == list(SLASH_COMMANDS)
    assert settings["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert settings["interactivity"]["is_enabled"] and manifest["features"]["app_home"]["home_tab_enabled"]
    assert settings["socket_mode_enabled"] is (name == "manifest.socket-mode.yaml")
    urls = [
        settings["event_subscriptions"].get("request_url"),
        settings["interactivity"].get("request_url"),
        manifest["features"]["slash_commands"][0].get("url"),
    ]
    assert (
        all(url is None for url in urls)
        if settings["socket_mode_enabled"]
        else all(url.endswith("/slack/events") for url in urls)
    )


async def test_socket_mode_receives_the_same_interactions(tmp_path, analyzer):
    from tests.fakes.slack_api import APP_TOKEN

    fake = await FakeSlack().start()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.db'}",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_BASE_URL": fake.base_url,
    }
    config = Config(settings=Settings(_env_file=None, **env), file=file_config(), surveys=dict(BUILTIN))  # type: ignore[arg-type]
    try:
        async with build_services(config, analyzer=analyzer) as services:
            (adapter,) = build_adapters(services)
            await adapter.start()
            try:
                s = Slack(services, fake, httpx.AsyncClient())
                result = await s.trigger("U120")
                ts, _ = s.message("D120")
                button = next(b for b in s.buttons("D120") if b["text"]["text"].startswith("5"))
                action = {
                    "type": "button",
                    "action_id": button["action_id"],
                    "value": button["value"],
                    "text": button["text"],
                }
                payload = block_actions("U120", "D120", ts, action)
                envelope = {"envelope_id": "env-1", "type": "interactive", "payload": payload}
                await fake.envelopes.put(envelope | {"accepts_response_payload": True})
                await fake.wait_for("chat.update", 1, channel="D120")
                assert {"envelope_id": "env-1"}.items() <= fake.socket_acks[0].items()
                assert (await stored_answers(services, result.request_id))["overall"].value_int == 5
            finally:
                await adapter.stop()
    finally:
        await fake.stop()


def _without(payload: dict, *path: str) -> dict:
    """`payload` with the key at `path` removed (a copy)."""
    copied = json.loads(json.dumps(payload))
    *outer, last = path
    holder = copied
    for key in outer:
        holder = holder[key]
    del holder[last]
    return copied


_PRESS = block_actions("U9", "D9", "1.1", {"type": "button", "action_id": "answer-0", "value": "a|x|0|4"})
_MODAL = view_submission("U9", "answer_text", "fine")
MALFORMED = {
    "no actions": {**_PRESS, "actions": []},
    "an empty action": {**_PRESS, "actions": [{}]},
    "a button without a value": {**_PRESS, "actions": [{"type": "button", "action_id": "answer-0", "value": None}]},
    "a menu without a choice": {**_PRESS, "actions": [{"type": "static_select", "action_id": "home_language"}]},
    "no type": _without(_PRESS, "type"),
    "no user": _without(_PRESS, "user"),
    "a view without an id": _without(_MODAL, "view", "id"),
    "a view with an empty state": {**_MODAL, "view": {**_MODAL["view"], "state": {}}},
    "a view without our input": {**_MODAL, "view": {**_MODAL["view"], "state": {"values": {"b": {}}}}},
    "an event without a type": {"type": "event_callback", "event": {"text": "hi"}, "event_id": "Ev9"},
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_signed_but_malformed_payloads_get_400_and_one_line(slack, caplog, case):
    caplog.set_level(logging.INFO)
    response = await slack.interact(MALFORMED[case])
    assert response.status_code == 400
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert "U9" not in lines[0].getMessage() and "a|x|0|4" not in lines[0].getMessage()
    assert await count(slack.services, Answer) == 0


async def test_a_modal_left_empty_is_an_empty_answer_not_an_error(slack, caplog):
    caplog.set_level(logging.INFO)
    empty = json.loads(json.dumps(_MODAL))
    empty["view"]["state"]["values"]["text"]["value"]["value"] = None  # what Slack sends for an empty input
    response = await slack.interact(empty)
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
