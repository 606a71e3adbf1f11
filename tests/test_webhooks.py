"""Signed event webhooks against a local receiver: what each event carries, signatures checked
with an independent implementation of the Standard Webhooks spec, retries with one id, refusals,
replicas, and that nothing from the suggestion box or the staff poll ever goes out."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.config import Config, Settings
from bot.webhooks import SignedPoster
from bot.wiring import build_services
from handlers.core.outbox import EventType
from handlers.core.surveys import BUILTIN
from handlers.operations.webhooks import MAX_ATTEMPTS, WebhookSender, retry_failed_deliveries
from storage.models import WebhookDelivery, WebhookEvent, WebhookState
from tests.conftest import file_config
from tests.fakes.chat import Person
from tests.fakes.receiver import HANG, Receiver
from tests.fakes.recording import RecordingChannel
from tests.fakes.slack_api import block_actions, dm_event
from tests.fakes.slack_harness import slack_harness

SECRET = "whsec_" + base64.b64encode(b"sayso-test-webhook-key-32-bytes!").decode()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's side, written from the spec (not with Sayso's code): the key is the base64
    after `whsec_`; the signature header lists space-separated `v1,<base64 HMAC-SHA256>` over
    `{id}.{timestamp}.{body}`."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, sig.split(",", 1)[1]) for sig in headers["webhook-signature"].split())


@pytest.fixture
async def receiver():
    fake = await Receiver().start()
    yield fake
    await fake.stop()


def hooked_config(db_url: str, receiver: Receiver, **file) -> Config:
    settings = Settings(
        _env_file=None,
        DATABASE_URL=db_url,
        SAYSO_WEBHOOK_URLS=receiver.url,  # type: ignore[call-arg]
        SAYSO_WEBHOOK_SECRET=SECRET,
    )
    return Config(settings=settings, file=file_config(**file), surveys=dict(BUILTIN))


async def answer_nps(services, score: str, comment: str) -> None:
    """One customer's NPS survey, answered to the end: a survey.completed event in the outbox."""
    channel = RecordingChannel()
    services.channels.add(channel)
    person = Person(services, channel)
    await person.gets_survey("nps")
    await person.press(score)
    await person.types(comment)


async def drain(sender: WebhookSender) -> None:
    while await sender.deliver_due():
        pass


async def test_a_closed_loop_on_slack_reaches_the_receiver_signed(tmp_path, analyzer, receiver):
    env = {"SAYSO_ALERT_SLACK_CHANNELS": "C0ALERT", "SAYSO_WEBHOOK_URLS": receiver.url, "SAYSO_WEBHOOK_SECRET": SECRET}
    async for s in slack_harness(f"sqlite:///{tmp_path / 'slack.db'}", analyzer, **env):
        webhooks = s.services.webhooks
        assert webhooks is not None
        await s.trigger("U100", touchpoint="chat", agent="Ayesha")
        for i, score in enumerate(["1", "1", "2", "1"], start=1):
            await s.press("U100", "D100", score)
            await s.fake.wait_for("chat.update", i, channel="D100")
        await s.event(dm_event("U100", "D100", "Terrible, I was cut off twice", "Ev-1"))
        await s.fake.wait_for("chat.postMessage", 1, channel="C0ALERT")
        await s.press("U900", "C0ALERT", "Claim")
        await s.fake.wait_for("chat.update", 1, channel="C0ALERT")
        await s.press("U900", "C0ALERT", "Resolve")
        await s.fake.wait_for("chat.postMessage", 1, channel="D900")
        await s.event(dm_event("U900", "D900", "Apologised and fixed the line", "Ev-2"))
        await s.fake.wait_for("chat.postMessage", 4, channel="D100")
        ts, _ = s.message("D100")
        yes = next(b for b in s.buttons("D100") if b["text"]["text"].startswith("Yes"))
        action = {"type": "button", "action_id": yes["action_id"], "value": yes["value"], "text": yes["text"]}
        await s.interact(block_actions("U100", "D100", ts, action))
        await drain(webhooks)

    posts = receiver.accepted()
    events = {post.event["type"]: post.event for post in posts}
    assert [post.event["type"] for post in posts] == [
        "alert.opened",
        "survey.completed",
        "alert.claimed",
        "alert.resolved",
        "followup.answered",
    ]
    for post in posts:
        assert verify(SECRET, post.headers, post.body)
        assert post.headers["webhook-id"].startswith("msg_") and post.event["version"] == 1
        data = {k: v for k, v in post.event["data"].items() if k != "interaction_id"}  # the harness put U100 in it
        assert "U100" not in json.dumps(data) and "D100" not in json.dumps(data)  # never the customer's ids
    completed = events["survey.completed"]["data"]
    assert completed["answers"] == {"overall": 1, "speed": 1, "attitude": 2, "solution": 1}
    assert completed["agent"] == "Ayesha" and completed["touchpoint"] == "chat" and completed["platform"] == "slack"
    (comment,) = completed["comments"]
    assert comment["text"] == "Terrible, I was cut off twice" and comment["language"] == "en"
    assert comment["sentiment"] < 0 and comment["sentiment_status"] == "scored"
    assert events["alert.opened"]["data"]["reasons"] == ["csat 1"]
    assert events["alert.resolved"]["data"]["note"] == "Apologised and fixed the line"
    assert events["followup.answered"]["data"]["sorted"] is True
    assert len({post.headers["webhook-id"] for post in posts}) == 5


async def test_retries_keep_one_id_and_honour_retry_after(db_url, analyzer, receiver):
    receiver.answer(503, HANG, 429, 200)
    receiver.retry_after = "120"
    async with build_services(hooked_config(db_url, receiver), analyzer=analyzer) as services:
        poster = SignedPoster(SECRET, timeout=httpx.Timeout(0.5))
        sender = WebhookSender(services.context, poster)
        await answer_nps(services, "9", "Quick")
        start = services.context.clock()
        waits = []
        for step in range(4):
            later = start + timedelta(hours=step)
            object.__setattr__(services.context, "clock", lambda later=later: later)
            assert await sender.deliver_due() == 1
            async with services.context.sessions() as session:
                delivery = (await session.execute(select(WebhookDelivery))).scalar_one()
            waits.append(delivery.due_at - later)
        await poster.close()
    assert [r.status for r in receiver.received] == [503, HANG, 429, 200]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert timedelta(seconds=3) < waits[0] < timedelta(seconds=7)  # the first retry within seconds
    assert waits[2] >= timedelta(seconds=120)  # Retry-After
    assert delivery.state == WebhookState.DELIVERED and delivery.attempts == 4


async def test_a_refusal_fails_at_once_and_retry_failed_sends_it_again(db_url, analyzer, receiver):
    receiver.answer(410)
    async with build_services(hooked_config(db_url, receiver), analyzer=analyzer) as services:
        assert services.webhooks is not None
        await answer_nps(services, "3", "Slow")
        await drain(services.webhooks)
        async with services.context.sessions() as session:
            delivery = (await session.execute(select(WebhookDelivery))).scalar_one()
        assert delivery.state == WebhookState.FAILED and delivery.last_error == "refused: HTTP 410"
        assert await retry_failed_deliveries(services.context) == 1
        await drain(services.webhooks)
    first, again = receiver.received
    assert (first.status, again.status) == (410, 200) and first.headers["webhook-id"] == again.headers["webhook-id"]


def test_retries_go_on_for_about_a_day():
    from handlers.operations.webhooks import FIRST_RETRY, LONGEST_WAIT

    schedule = [min(FIRST_RETRY * 2 ** (n - 1), LONGEST_WAIT) for n in range(1, MAX_ATTEMPTS)]
    assert timedelta(hours=22) < sum(schedule, timedelta()) <= timedelta(days=1)


async def test_no_suggestion_or_staff_vote_ever_reaches_a_receiver(db_url, analyzer, receiver):
    config = hooked_config(db_url, receiver)
    async with build_services(config, analyzer=analyzer) as services:
        assert services.webhooks is not None
        channel = RecordingChannel()
        services.channels.add(channel)
        person = Person(services, channel)
        await person.command("suggest", "Please open the branch on Saturdays, signed Ilona")
        await person.types("The refund form loses my bank details")
        await answer_nps(services, "10", "Fine")
        await drain(services.webhooks)
        async with services.context.sessions() as session:
            types = Counter((await session.execute(select(WebhookEvent.type))).scalars())
    assert types == {EventType.SURVEY_COMPLETED: 1}
    bodies = b"".join(r.body for r in receiver.received)
    assert b"Saturdays" not in bodies and b"Ilona" not in bodies and b"refund form" not in bodies


async def test_two_replicas_deliver_each_event_once(db_url, analyzer, receiver):
    config = hooked_config(db_url, receiver)
    async with build_services(config, analyzer=analyzer) as one, build_services(config, analyzer=analyzer) as two:
        assert one.webhooks is not None and two.webhooks is not None
        async with one.context.sessions() as session, session.begin():
            for i in range(60):
                await one.context.outbox.emit(session, EventType.DIGEST_SENT, {"n": i}, now=one.context.clock())
        await asyncio.gather(drain(one.webhooks), drain(two.webhooks), drain(one.webhooks), drain(two.webhooks))
    ids = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert len(ids) == 60 and set(ids.values()) == {1}


async def test_healthz_shows_the_webhook_backlog(db_url, analyzer, receiver):
    from bot.http import create_app

    receiver.answer(500)
    async with build_services(hooked_config(db_url, receiver), analyzer=analyzer) as services:
        assert services.webhooks is not None
        await answer_nps(services, "9", "Good")
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as http:
            before = (await http.get("/healthz")).json()["webhooks"]
            await services.webhooks.deliver_due()  # refused with a 500: pending again, retried later
            after = (await http.get("/healthz")).json()["webhooks"]
    assert before["pending"] == after["pending"] == 1 and after["failed"] == 0
    assert before["oldest_pending_seconds"] >= 0


async def test_each_test_ping_has_an_id_of_its_own(db_url, analyzer, receiver):
    """`sayso webhooks test` twice: a receiver that drops repeated ids (as the README advises) sees both."""
    async with build_services(hooked_config(db_url, receiver), analyzer=analyzer) as services:
        poster = SignedPoster(SECRET)
        sender = WebhookSender(services.context, poster)
        for _ in range(2):
            (answer,) = (await sender.ping()).values()
            assert answer.status == 200
        await poster.close()
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(i.startswith("msg_ping_") for i in ids)
    assert all(verify(SECRET, r.headers, r.body) for r in receiver.received)
