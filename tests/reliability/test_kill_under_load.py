"""`sayso run` on PostgreSQL, SIGKILLed three times while helpdesks report ~35 interactions a second:
every acknowledged interaction is stored once, no customer gets the same question twice, and no
survey is left claimed."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import text

from storage.db import create_engine
from tests.fakes.process import running_sayso
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack

TOKEN = "reliability-token-0123456789"
RATE = 35  # interactions a second, as in the measurement
RUN_SECONDS = 5  # of load between kills
KILLS = 3
UNFINISHED = "SELECT count(*) FROM survey_requests WHERE state IN ('scheduled', 'sending')"


async def _report(http: httpx.AsyncClient, number: int, accepted: set[str], refused: Counter[str]) -> None:
    body = {"interaction_id": f"kill-{number}", "platform": "slack", "user_id": f"U{number:05d}", "touchpoint": "chat"}
    try:
        response = await http.post("/api/v1/interactions", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    except httpx.TransportError as exc:  # the process died under this request: not acknowledged
        refused[type(exc).__name__] += 1
        return
    if response.status_code in (200, 202):
        accepted.add(body["interaction_id"])
    else:
        refused[str(response.status_code)] += 1


async def _load_then_kill(
    url: str, first: int, run: int, accepted: set[str], refused: Counter[str], process: asyncio.subprocess.Process
) -> int:
    """Report interactions at RATE for RUN_SECONDS, then SIGKILL the process mid-flight; return the next number."""
    number, started, tasks = first, time.monotonic(), []
    async with httpx.AsyncClient(base_url=url, timeout=5) as http:
        while (elapsed := time.monotonic() - started) < RUN_SECONDS:
            while number < (run * RUN_SECONDS + elapsed) * RATE:  # keep the pace, not just the gaps
                tasks.append(asyncio.create_task(_report(http, number, accepted, refused)))
                number += 1
            await asyncio.sleep(0.01)
        process.kill()  # SIGKILL: no shutdown; sends and requests are cut where they are
        await process.wait()
        await asyncio.gather(*tasks)
    return number


async def _drained(pg_url: str, within: float) -> tuple[Counter[str], Counter[str]]:
    """Wait until nothing is due or claimed (or `within` s); return stored interaction ids and survey states."""
    engine = create_engine(pg_url)
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                if (await conn.execute(text(UNFINISHED))).scalar_one() == 0:
                    break
            await asyncio.sleep(1)
        async with engine.connect() as conn:
            stored = Counter(row[0] for row in await conn.execute(text("SELECT external_id FROM interactions")))
            states = Counter(row[0] for row in await conn.execute(text("SELECT state FROM survey_requests")))
    finally:
        await engine.dispose()
    return stored, states


@pytest.mark.timeout(300)  # real processes; bounded by the test itself
async def test_three_sigkills_under_load_lose_nothing_and_post_nothing_twice(tmp_path, pg_url, no_quiet_hours):
    fake = await FakeSlack().start()
    slack = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_BASE_URL": fake.base_url}
    env = {"DATABASE_URL": pg_url, "SAYSO_API_TOKEN": TOKEN, "SAYSO_CONFIG": no_quiet_hours, **slack}
    accepted: set[str] = set()
    refused: Counter[str] = Counter()
    number = 0
    try:
        for run in range(KILLS):
            async with running_sayso(env, tmp_path) as sayso:
                number = await _load_then_kill(sayso.url, number, run, accepted, refused, sayso.process)
        async with running_sayso(env, tmp_path):  # the last one lives, and drains what is due
            started = time.monotonic()
            stored, states = await _drained(pg_url, within=100)
            drained_in = time.monotonic() - started
        questions = [
            call.params["channel"]
            for call in fake.sent("chat.postMessage")
            if any(block.get("type") == "actions" for block in call.params.get("blocks", []))
        ]
    finally:
        await fake.stop()
    per_person = Counter(questions)
    duplicated = sum(count - 1 for count in per_person.values() if count > 1)
    lost = len(accepted - set(stored))
    twice = sum(1 for count in stored.values() if count > 1)
    stuck = states.get("sending", 0) + states.get("scheduled", 0)
    print(
        f"\nrequests {number}, acknowledged {len(accepted)}, not acknowledged {dict(refused)}, stored {len(stored)}"
        f", lost {lost}, stored twice {twice}; surveys {dict(states)}; questions posted {len(questions)}, to the"
        f" same person twice {duplicated}; left claimed or due {stuck}, drained {drained_in:.0f} s after restart"
    )
    assert lost == 0 and twice == 0
    assert duplicated == 0
    assert stuck == 0
    assert len(accepted) > KILLS * RUN_SECONDS * RATE * 0.7  # the load was real
