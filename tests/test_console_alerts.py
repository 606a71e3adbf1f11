"""Alerts worked from the console go through the chat buttons' code: the staff group's post is
edited, the webhooks' events are written, the customer is asked afterwards; a claim made in chat
shows on the page; two people claiming at once: one wins, the other is told who; viewers 403."""

from __future__ import annotations

import asyncio
import re

import httpx
from sqlalchemy import select

from bot.http import create_app
from handlers.staff.accounts import StaffRole
from storage.models import Alert, AlertState, WebhookEvent
from tests.fakes.telegram_api import FakeTelegram, callback_update, user
from tests.fakes.telegram_harness import TgUser, telegram_harness
from tests.test_console import _form_token, member

STAFF_GROUP = -100300


async def _low_score(h, fake, customer_id: int) -> dict:
    customer = TgUser(h, customer_id)
    await customer.says("/start")
    await h.trigger(customer.id, touchpoint="phone", agent="Ann")
    await fake.wait_for("sendMessage", 2, chat_id=customer.id)
    await customer.answers("1", "2", "3", "2")
    await customer.says("Nobody called me back")
    (posted,) = await fake.wait_for("sendMessage", 1, chat_id=STAFF_GROUP)
    return posted


async def test_claim_and_resolve_from_the_web_edit_the_chat_post_and_fire_the_events(tmp_path, analyzer):
    fake = await FakeTelegram().start()
    try:
        env = {
            "SAYSO_DIGEST_TELEGRAM_CHATS": str(STAFF_GROUP),
            "SAYSO_WEBHOOK_URLS": "http://127.0.0.1:9/hook",
            "SAYSO_WEBHOOK_SECRET": "whsec_" + "A" * 43 + "=",
        }
        async for h in telegram_harness(f"sqlite:///{tmp_path / 'tg.db'}", fake, analyzer, **env):
            await _low_score(h, fake, 601)
            alert_message = next(m for (chat, _), m in fake.messages.items() if chat == STAFF_GROUP)
            app = create_app(h.services)
            transport = httpx.ASGITransport(app=app)
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://sayso") as ann,
                httpx.AsyncClient(transport=transport, base_url="http://sayso") as bea,
                httpx.AsyncClient(transport=transport, base_url="http://sayso") as vic,
            ):
                await h.services.staff.invite("owner@example.com", StaffRole.OWNER)
                csrf_ann = await member(h.services, ann, "ann@example.com", StaffRole.MANAGER)
                csrf_bea = await member(h.services, bea, "bea@example.com", StaffRole.MANAGER)
                csrf_vic = await member(h.services, vic, "vic@example.com", StaffRole.VIEWER)
                page = await ann.get("/console/alerts")
                assert 'data-alert="1"' in page.text and "Nobody called me back" in page.text
                assert "Claim</button>" in page.text
                viewer_page = await vic.get("/console/alerts")
                assert 'data-alert="1"' in viewer_page.text and "Claim</button>" not in viewer_page.text
                refused = await vic.post("/console/alerts/1/claim", data={"csrf": csrf_vic})
                assert refused.status_code == 403
                assert (await ann.post("/console/alerts/1/claim", data={})).status_code == 403  # no form token

                first, second = await asyncio.gather(
                    ann.post("/console/alerts/1/claim", data={"csrf": csrf_ann}),
                    bea.post("/console/alerts/1/claim", data={"csrf": csrf_bea}),
                )
                outcomes = sorted([first.headers["location"], second.headers["location"]])
                assert sorted(re.search(r"done=(\w+)", o).group(1) for o in outcomes) == ["claimed", "done"]
                winner = "ann" if "done=done" in first.headers["location"] else "bea"
                loser = bea if winner == "ann" else ann
                told = await loser.get(next(o for o in outcomes if "done=claimed" in o))
                assert f"Alert #1 was already claimed by {winner}." in told.text
                await fake.wait_for("editMessageText", 1, chat_id=STAFF_GROUP)
                assert alert_message["text"].endswith(f"Claimed by {winner}.")  # the chat sees the web's claim

                winner_client, winner_csrf = (ann, csrf_ann) if winner == "ann" else (bea, csrf_bea)
                empty = await winner_client.post("/console/alerts/1/resolve", data={"csrf": winner_csrf, "note": " "})
                assert empty.status_code == 422
                done = await winner_client.post(
                    "/console/alerts/1/resolve", data={"csrf": winner_csrf, "note": "Called her, refunded the fee"}
                )
                assert done.status_code == 303
                await fake.wait_for("editMessageText", 2, chat_id=STAFF_GROUP)
                assert alert_message["text"].endswith(f"Resolved by {winner}: Called her, refunded the fee")
                asked = await fake.wait_for("sendMessage", 8, chat_id=601)
                assert asked[-1].params["text"] == "Our team has followed up on your feedback. Is it sorted now?"
                resolved = await ann.get("/console/alerts", params={"state": "resolved"})
                assert "Called her, refunded the fee" in resolved.text and "Resolve</button>" not in resolved.text
            async with h.services.context.sessions() as session:
                alert = (await session.execute(select(Alert))).scalar_one()
                types = list((await session.execute(select(WebhookEvent.type))).scalars())
            assert alert.state == AlertState.RESOLVED and alert.claimed_by.startswith("web:")
            assert "@" not in alert_message["text"]  # staff addresses never reach the chat
            assert {"alert.opened", "alert.claimed", "alert.resolved"} <= set(types)
            assert types.count("alert.claimed") == 1
    finally:
        await fake.stop()


async def test_a_claim_made_in_chat_shows_on_the_page(tmp_path, analyzer):
    fake = await FakeTelegram().start()
    try:
        env = {"SAYSO_DIGEST_TELEGRAM_CHATS": str(STAFF_GROUP)}
        async for h in telegram_harness(f"sqlite:///{tmp_path / 'tg.db'}", fake, analyzer, **env):
            posted = await _low_score(h, fake, 602)
            alert_message = next(m for (chat, _), m in fake.messages.items() if chat == STAFF_GROUP)
            claim = posted.params["reply_markup"]["inline_keyboard"][0][0]
            fake.push(callback_update(user(9001), alert_message, claim["callback_data"]))
            await fake.wait_for("answerCallbackQuery", 1)
            app = create_app(h.services)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as web:
                csrf = await member(h.services, web, "owner@example.com", StaffRole.OWNER)
                assert 'data-alert="1"' not in (await web.get("/console/alerts")).text  # no longer open
                claimed = await web.get("/console/alerts", params={"state": "claimed"})
                assert 'data-alert="1"' in claimed.text and "Claimed by User9001." in claimed.text
                again = await web.post("/console/alerts/1/claim", data={"csrf": csrf})
                told = await web.get(again.headers["location"])
                assert "Alert #1 was already claimed by User9001." in told.text
                assert _form_token(told)
    finally:
        await fake.stop()


async def test_an_agent_sees_and_acts_on_only_their_own_interactions_alerts(tmp_path, services):
    from datetime import timedelta

    from sqlmodel import select as sql_select

    from handlers.core.weeks import week_bounds, week_of
    from storage.alerts import raise_alert
    from storage.history import PastResponse, add_history
    from storage.models import SurveyRequest

    start, _ = week_bounds(week_of(services.context.clock(), "UTC"), "UTC")
    async with services.context.sessions() as session, session.begin():
        await add_history(
            session,
            [PastResponse("telegram", "c1", "csat", start + timedelta(hours=1), {"overall": 1}, agent="Bilal")],
        )
        (request_id,) = (await session.execute(sql_select(SurveyRequest.id))).scalars().all()
        await raise_alert(session, request_id=request_id, reason="csat 1", now=start + timedelta(hours=2))
    app = create_app(services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sayso") as web:
        await services.staff.invite("owner@example.com", StaffRole.OWNER)
        csrf = await member(services, web, "ann@example.com", StaffRole.AGENT, agent="Ann")
        assert 'data-alert="1"' not in (await web.get("/console/alerts")).text
        assert (await web.post("/console/alerts/1/claim", data={"csrf": csrf})).status_code == 403
        told = await web.get("/console/alerts", params={"done": "claimed", "alert": "1"})
        assert 'role="status"' not in told.text  # nothing about a colleague's alert, not even its state


async def test_a_long_note_in_a_script_without_spaces_is_not_refused_for_its_encoded_size(services):
    """2,000 Chinese characters (the box's maxlength) are 18,000 bytes once a browser
    percent-encodes them (9 bytes each): the body limit must let a whole note through."""
    from datetime import timedelta

    from sqlmodel import select as sql_select

    from handlers.core.weeks import week_bounds, week_of
    from storage.alerts import raise_alert
    from storage.history import PastResponse, add_history
    from storage.models import SurveyRequest

    start, _ = week_bounds(week_of(services.context.clock(), "UTC"), "UTC")
    async with services.context.sessions() as session, session.begin():
        await add_history(session, [PastResponse("telegram", "c1", "csat", start + timedelta(hours=1), {"overall": 1})])
        (request_id,) = (await session.execute(sql_select(SurveyRequest.id))).scalars().all()
        await raise_alert(session, request_id=request_id, reason="csat 1", now=start + timedelta(hours=2))
    note = ("已经给客户打电话并退还了费用" * 200)[:2000]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://sayso"
    ) as web:
        csrf = await member(services, web, "owner@example.com", StaffRole.OWNER)
        assert (await web.post("/console/alerts/1/claim", data={"csrf": csrf})).status_code == 303
        resolved = await web.post("/console/alerts/1/resolve", data={"csrf": csrf, "note": note})
        assert resolved.status_code == 303, resolved.status_code
    async with services.context.reads() as session:
        (alert,) = (await session.execute(select(Alert))).scalars().all()
    assert alert.state == AlertState.RESOLVED and alert.note == note
