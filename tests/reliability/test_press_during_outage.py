"""Slack presses while PostgreSQL is black-holed: every press is acknowledged within Slack's 3 s
(the "try again" reply covers pool checkout, connect, the statement and the rollback), and once
the database is back every answer pressed again is stored exactly once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine
from tests.fakes.process import running_sayso
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack, block_actions, form, sign
from tests.fakes.tcp_proxy import FaultyProxy

TOKEN = "outage-press-token-0123456789"
PEOPLE = 50
SLACK_ACK = 3.0


def _press_body(fake: FakeSlack, user: str, channel: str, face: str) -> bytes:
    ts, message = next(
        (key[1], m)
        for key, m in reversed(fake.messages.items())
        if key[0] == channel and any(b["type"] == "actions" for b in m["blocks"])
    )
    buttons = [e for block in message["blocks"] if block["type"] == "actions" for e in block["elements"]]
    button = next(b for b in buttons if b["text"]["text"].startswith(face))
    action = {"type": "button", "action_id": button["action_id"], "value": button["value"], "text": button["text"]}
    return form(block_actions(user, channel, ts, action))


async def _press(http: httpx.AsyncClient, body: bytes) -> tuple[int, float]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    started = time.monotonic()
    try:
        response = await http.post("/slack/events", content=body, headers=headers)
        return response.status_code, time.monotonic() - started
    except httpx.TimeoutException:
        return 0, time.monotonic() - started


async def _answers(pg_url: str) -> list[Any]:
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            query = "SELECT request_id, count(*) FROM answers WHERE question_id = 'overall' GROUP BY request_id"
            return list(await conn.execute(text(query)))
    finally:
        await engine.dispose()


@pytest.mark.timeout(300)  # real processes; bounded by the test itself
async def test_presses_are_acknowledged_in_time_while_the_database_is_black_holed(tmp_path, pg_url, no_quiet_hours):
    url = make_url(pg_url)
    proxy = await FaultyProxy(url.host or "127.0.0.1", url.port or 5432).start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    fake = await FakeSlack().start()
    env = {
        "DATABASE_URL": through_proxy,
        "SAYSO_API_TOKEN": TOKEN,
        "SAYSO_CONFIG": no_quiet_hours,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": fake.base_url,
    }
    people = [(f"U{i:03d}", f"D{i:03d}") for i in range(PEOPLE)]  # the fake opens DM "D…" for user "U…"
    try:
        async with running_sayso(env, tmp_path) as sayso, httpx.AsyncClient(base_url=sayso.url, timeout=20) as http:
            for i, (user, _) in enumerate(people):
                body = {"interaction_id": f"press-{i}", "platform": "slack", "user_id": user}
                response = await http.post(
                    "/api/v1/interactions", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
                )
                assert response.status_code == 202
            deadline = time.monotonic() + 30
            while len({c.params["channel"] for c in fake.sent("chat.postMessage")}) < PEOPLE:
                assert time.monotonic() < deadline, "the surveys were not all posted"
                await asyncio.sleep(0.1)
            bodies = [_press_body(fake, user, channel, "4") for user, channel in people]

            async def in_flight() -> list[tuple[int, float]]:
                presses = []
                for body in bodies:  # 50 presses over half a second: some land before the link dies
                    presses.append(asyncio.create_task(_press(http, body)))
                    await asyncio.sleep(0.01)
                return await asyncio.gather(*presses)

            async def black_hole_soon() -> None:
                await asyncio.sleep(0.15)
                proxy.set("blackhole")

            during, _ = await asyncio.gather(in_flight(), black_hole_soon())
            await asyncio.sleep(2)
            proxy.set("pass")
            started = time.monotonic()
            while (await http.get("/healthz")).status_code != 200:
                assert time.monotonic() - started < 30, "not healthy again after the outage"
                await asyncio.sleep(0.2)
            after = []
            for _ in range(2):  # each person told "try again" presses again; a second press stores nothing twice
                after += await asyncio.gather(*(_press(http, body) for body in bodies))
                await asyncio.sleep(1)
        stored = await _answers(pg_url)
    finally:
        await fake.stop()
        await proxy.stop()
    slowest = max(seconds for _, seconds in during)
    late = sum(1 for _, seconds in during if seconds > SLACK_ACK)
    print(
        f"\n{PEOPLE} presses in flight as the database went dark: codes {sorted({c for c, _ in during})},"
        f" slowest {slowest:.2f} s, over {SLACK_ACK:.0f} s: {late}; after recovery codes"
        f" {sorted({c for c, _ in after})}; answers stored {len(stored)}, twice {sum(1 for _, n in stored if n > 1)}"
    )
    assert late == 0 and {code for code, _ in during} == {200}
    assert {code for code, _ in after} == {200}
    assert len(stored) == PEOPLE and all(n == 1 for _, n in stored)
