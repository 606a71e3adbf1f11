"""SIGKILL of a real `sayso run` while it is sending survey e-mails at its pace: after a restart every
invitation is accounted for, and no address gets the same invitation twice (the intent to post is
committed before the hand-over, as for chat)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import text

from storage.db import create_engine
from tests.fakes.process import running_sayso
from tests.fakes.smtp_server import SmtpServer

pytestmark = pytest.mark.timeout(300)
TOKEN = "email-crash-token-0123456789"
PEOPLE = 120
# (`sayso run` without a chat platform also starts a survey in its terminal: not counted here)
EMAIL_STATES = (
    "SELECT sr.state FROM survey_requests sr JOIN respondents r ON r.id = sr.respondent_id WHERE r.platform = 'email'"
)


async def _states(url: str) -> Counter[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(EMAIL_STATES))
            return Counter(row[0] for row in rows)
    finally:
        await engine.dispose()


async def test_a_kill_while_sending_e_mails_sends_none_twice(tmp_path, pg_url):
    config = tmp_path / "sayso.toml"
    config.write_text("[delivery]\nquiet_hours = false\n[email]\nper_second = 10\n")
    with SmtpServer() as relay:
        env = {
            "DATABASE_URL": pg_url,
            "SAYSO_API_TOKEN": TOKEN,
            "SAYSO_CONFIG": str(config),
            "SAYSO_SMTP_URL": f"smtp://127.0.0.1:{relay.port}",
            "SAYSO_EMAIL_FROM": "Support <support@example.com>",
        }
        async with running_sayso(env, tmp_path) as sayso, httpx.AsyncClient(base_url=sayso.url, timeout=20) as http:
            for i in range(PEOPLE):
                body = {"interaction_id": f"mail-{i}", "platform": "email", "user_id": f"person{i}@example.com"}
                response = await http.post(
                    "/api/v1/interactions", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
                )
                assert response.status_code == 202
            while len(relay.mailbox.received) < PEOPLE // 3:  # a third out, the rest under way
                await asyncio.sleep(0.05)
            sayso.process.kill()
            await sayso.process.wait()
        before_restart = len(relay.mailbox.received)
        async with running_sayso(env, tmp_path):
            started = time.monotonic()
            while (states := await _states(pg_url)).get("scheduled", 0) + states.get("sending", 0):
                assert time.monotonic() - started < 90, states
                await asyncio.sleep(0.5)
    per_address = Counter(address for mail in relay.mailbox.received for address in mail.recipients)
    twice = sorted(address for address, n in per_address.items() if n > 1)
    print(
        f"\n{PEOPLE} e-mail surveys; {before_restart} handed over before SIGKILL, {len(per_address)} addresses"
        f" reached in all; sent twice: {len(twice)}; survey states {dict(states)}"
    )
    assert twice == []
    assert states == {"active": PEOPLE}  # each sent once, or (one cut off mid-hand-over) opened, not resent
    assert len(per_address) >= PEOPLE - 3  # only a hand-over cut off by the kill may stay unconfirmed
