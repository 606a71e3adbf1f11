"""The real PTB client against a local fake Bot API: surveys, commands, faults, webhook mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from bot.http import create_app
from handlers.core import notes
from handlers.i18n import lang
from storage.models import Answer, RequestState, Respondent
from tests.fakes.chat import count, request_row, stored_answers
from tests.fakes.telegram_api import TOKEN, FakeTelegram, message_update, user
from tests.fakes.telegram_harness import RLM, Harness, TgUser, telegram_harness

SECRET = "webhook-secret-1"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram().start()
    yield server
    await server.stop()


@pytest.fixture
def adapter_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tg.db'}"


@pytest.fixture
async def h(adapter_db, fake, analyzer) -> AsyncIterator[Harness]:
    async for harness in telegram_harness(adapter_db, fake, analyzer):
        yield harness


async def _full_csat(h: Harness, person: TgUser, language: str, scores: list[str], comment: str) -> int:
    await person.says("/start")
    result = await h.trigger(person.id, language=language)
    assert result.status == "scheduled"
    await h.fake.wait_for("sendMessage", 2, chat_id=person.id)
    for score in scores:
        asked = len(h.fake.sent(chat_id=person.id))
        answer = await person.press(score)
        assert "text" not in answer  # a plain acknowledgement, no complaint
        await h.fake.wait_for("sendMessage", asked + 1, chat_id=person.id)
    replies = await person.says(comment)
    language_of = lang(language)
    assert replies == [language_of.directional(language_of.gettext(notes.THANKS))]
    return result.request_id


async def test_full_csat_in_english(db_url, fake, analyzer):
    """On SQLite and PostgreSQL; the other adapter tests use SQLite only."""
    async for h in telegram_harness(db_url, fake, analyzer):
        person = TgUser(h, 501)
        request_id = await _full_csat(h, person, "en", ["4", "5", "4", "5"], "Quick and kind")
        first = h.fake.sent(chat_id=501)[1].params
        assert first["text"].startswith("Thank you for talking to us!")
        assert [[b["text"] for b in row] for row in first["reply_markup"]["inline_keyboard"]] == [
            ["1 — Very dissatisfied"],
            ["2 — Dissatisfied"],
            ["3 — Neutral"],
            ["4 — Satisfied"],
            ["5 — Very satisfied"],
        ]
        assert all(
            len(b["callback_data"].encode()) <= 64 for row in first["reply_markup"]["inline_keyboard"] for b in row
        )
        edits = [c.params["text"] for c in h.fake.sent("editMessageText", 501)]
        assert edits[0].endswith("✓ 4 — Satisfied") and len(edits) == 5
        answers = await stored_answers(h.services, request_id)
        assert {q: a.value_int or a.value_text for q, a in answers.items()} == {
            "overall": 4,
            "speed": 5,
            "attitude": 4,
            "solution": 5,
            "went_well": "Quick and kind",
        }
        assert (await request_row(h.services, request_id)).state == RequestState.COMPLETED


async def test_full_csat_in_urdu(h):
    person = TgUser(h, 502, language_code="ur")
    request_id = await _full_csat(h, person, "ur", ["2", "3", "2", "1"], "جواب بہت دیر سے آیا")
    urdu = lang("ur")
    first = h.fake.sent(chat_id=502)[1].params
    assert first["text"].startswith(RLM) and urdu.gettext(notes.THANKS) not in first["text"]
    assert first["reply_markup"]["inline_keyboard"][3][0]["text"] == RLM + "4 — مطمئن"
    assert urdu.gettext("We are sorry to hear that. What went wrong?") in h.fake.sent(chat_id=502)[-2].params["text"]
    went_wrong = (await stored_answers(h.services, request_id))["went_wrong"]
    assert (went_wrong.text_language, went_wrong.sentiment_status) == ("ur", "scored")
    assert went_wrong.sentiment < 0  # "the answer came very late"


async def test_start_registers_the_private_chat_and_commands_are_localized(h):
    person = TgUser(h, 503, language_code="hu")
    assert await person.says("/start") == [lang("hu").gettext(notes.WELCOME)]
    async with h.services.context.sessions() as session:
        respondent = (await session.execute(select(Respondent))).scalar_one()
    assert (respondent.chat_id, respondent.platform_language) == ("503", "hu")
    menus = {c.params.get("language_code"): c.params["commands"] for c in h.fake.sent("setMyCommands")}
    assert set(menus) == {None, "ur", "hi", "hu"}
    assert [c["command"] for c in menus["hu"]] == ["start", "suggest", "language", "stop", "help"]
    assert menus["hu"][3]["description"] == lang("hu").gettext("Stop receiving surveys")


async def test_nps_keyboard_fits_a_phone(h):
    person = TgUser(h, 504)
    await person.says("/start")
    await h.trigger(504, survey="nps")
    await h.fake.wait_for("sendMessage", 2, chat_id=504)
    rows = [[b["text"] for b in row] for row in person.buttons()]
    assert rows == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]
    assert "0 = Not at all likely · 10 = Extremely likely" in person.last_question()["text"]


async def test_duplicate_update_changes_nothing(h):
    person = TgUser(h, 505)
    await person.says("/start")
    result = await h.trigger(505)
    await h.fake.wait_for("sendMessage", 2, chat_id=505)
    await person.press("4", redeliver=True)
    await h.fake.wait_for("sendMessage", 3, chat_id=505)
    await asyncio.sleep(0.3)
    assert len(h.fake.sent(chat_id=505)) == 3  # welcome, question 1, question 2: nothing twice
    assert len(h.fake.sent("editMessageText", 505)) == 1
    assert list(await stored_answers(h.services, result.request_id)) == ["overall"]


async def test_forged_and_stale_presses(h):
    person = TgUser(h, 506)
    await person.says("/start")
    await h.trigger(506)
    await h.fake.wait_for("sendMessage", 2, chat_id=506)
    first = person.last_question()
    assert (await person.press_data("a|forgedtoken1|0|5"))["text"] == notes.INVALID_BUTTON
    assert (await person.press_data("nonsense"))["text"] == notes.INVALID_BUTTON
    await person.press("3", first)
    assert (await person.press("3", first))["text"] == notes.REPEATED
    assert await count(h.services, Answer) == 1


async def test_group_commands_point_to_the_private_chat(h):
    person = TgUser(h, 507)
    assert await person.says("/start", chat_id=-100200) == [notes.PRIVATE_ONLY]
    h.fake.push(message_update(person.json, "just chatting", chat_id=-100200))
    h.fake.push(message_update(person.json, "/help@some_other_bot", chat_id=-100200))
    await asyncio.sleep(0.3)
    assert len(h.fake.sent(chat_id=-100200)) == 1


async def test_user_who_never_started_gets_a_start_link_that_opens_the_survey(h):
    result = await h.trigger(508)
    assert result.status == "unreachable" and result.reason == "not_started"
    assert result.start_link.startswith("https://t.me/sayso_test_bot?start=")
    person = TgUser(h, 508)
    payload = result.start_link.rsplit("=", 1)[1]
    h.fake.push(message_update(person.json, f"/start {payload}"))
    await asyncio.sleep(0.3)
    await h.services.survey_sender.send_due()
    question = (await h.fake.wait_for("sendMessage", 1, chat_id=508))[0]
    assert question.params["text"].startswith("Thank you for talking to us!")


async def test_blocked_user_is_marked_unreachable_and_not_retried(h):
    person = TgUser(h, 509)
    await person.says("/start")
    h.fake.blocked.add(509)
    result = await h.trigger(509)
    request = await request_row(h.services, result.request_id)
    assert request.state == RequestState.UNREACHABLE and "blocked" in request.reason
    again = await h.trigger(509)
    assert again.status == "unreachable" and "blocked" in again.reason
    attempts = [c for c in h.fake.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 509]
    assert len(attempts) == 2  # the welcome, and one refused survey


async def test_429_is_retried_after_retry_after(h):
    person = TgUser(h, 510)
    await person.says("/start")
    h.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    result = await h.trigger(510)
    refused, delivered = [c for c in h.fake.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 510][1:]
    assert refused.status == 429 and delivered.status == 200
    assert delivered.at - refused.at >= 1.0
    assert (await request_row(h.services, result.request_id)).state == RequestState.ACTIVE


async def test_bad_gateway_is_retried_and_sent_once(h):
    person = TgUser(h, 511)
    await person.says("/start")
    h.fake.fail_next("sendMessage", 502, "Bad Gateway")
    result = await h.trigger(511)
    assert len(h.fake.sent(chat_id=511)) == 2  # welcome + the survey, once
    assert (await request_row(h.services, result.request_id)).state == RequestState.ACTIVE


async def test_lost_response_is_not_resent(h):
    person = TgUser(h, 512)
    await person.says("/start")
    h.fake.fail_next("sendMessage", 0, "", drop=True)
    result = await h.trigger(512)
    await h.services.survey_sender.send_due()
    request = await request_row(h.services, result.request_id)
    assert request.state == RequestState.ACTIVE and request.last_error.startswith("delivery unconfirmed")
    assert len([c for c in h.fake.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 512]) == 2


@pytest.fixture
async def webhook(adapter_db, fake, analyzer) -> AsyncIterator[tuple[Harness, httpx.AsyncClient]]:
    env = {"TELEGRAM_WEBHOOK_URL": "https://sayso.example.com/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": SECRET}
    async for harness in telegram_harness(adapter_db, fake, analyzer, **env):
        app = create_app(harness.services, [harness.adapter.router()])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as client:
            yield harness, client


async def test_webhook_mode(webhook):
    h, client = webhook
    (registration,) = h.fake.sent("setWebhook")
    assert registration.params["url"] == "https://sayso.example.com/telegram/webhook"
    assert registration.params["secret_token"] == SECRET
    assert not h.fake.sent("getUpdates")
    update = message_update(user(601), "/start") | {"update_id": 77}
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        assert (await client.post("/telegram/webhook", json=update, headers=headers)).status_code == 403
    assert h.fake.sent(chat_id=601) == []
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await client.post("/telegram/webhook", json=update, headers=good)).status_code == 200
    assert (await client.post("/telegram/webhook", json=update, headers=good)).status_code == 200  # redelivery
    assert [c.params["text"] for c in h.fake.sent(chat_id=601)] == [notes.WELCOME]
    assert (await client.post("/telegram/webhook", content=b"[]", headers=good)).status_code == 400


async def test_polling_mode_has_no_webhook_route(h):
    app = create_app(h.services, [h.adapter.router()])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as client:
        response = await client.post("/telegram/webhook", json={}, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
    assert response.status_code == 404


async def test_rate_limit_beyond_the_limiters_retries_is_left_to_the_dispatcher(h):
    person = TgUser(h, 513)
    await person.says("/start")
    for _ in range(4):  # the limiter retries three times, then the survey sender reschedules
        h.fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    result = await h.trigger(513)
    request = await request_row(h.services, result.request_id)
    assert request.state == RequestState.SCHEDULED and request.last_error == "rate limited"
    assert (request.due_at - request.claimed_at).total_seconds() >= 1


async def test_the_bot_token_never_reaches_the_logs(adapter_db, fake, analyzer, caplog):
    caplog.set_level(logging.DEBUG)
    async for h in telegram_harness(adapter_db, fake, analyzer):
        person = TgUser(h, 514)
        await person.says("/start")
    assert "HTTP Request: POST" in caplog.text
    assert TOKEN not in caplog.text and "/bot<secret>/sendMessage" in caplog.text
