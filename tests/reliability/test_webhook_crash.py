"""SIGKILL of a real `sayso run` while a committed event is on its way to a webhook receiver:
after a restart the event arrives, with the same webhook-id, and nothing is lost."""

from __future__ import annotations

import asyncio
import base64
import time

import pytest

from bot.config import Config, FileConfig, Settings
from bot.wiring import build_services
from handlers.core.outbox import EventType
from handlers.core.surveys import BUILTIN
from storage.outbox import DELIVERY_LEASE
from tests.fakes.process import running_sayso
from tests.fakes.receiver import HANG, Receiver

pytestmark = pytest.mark.timeout(300)
SECRET = "whsec_" + base64.b64encode(b"sayso-crash-test-key-32-bytes!!!").decode()


async def _commit_events(env: dict[str, str], count: int) -> None:
    """Events committed as an answer's transaction commits them (here from another process)."""
    settings = Settings(_env_file=None, **env)  # type: ignore[arg-type]
    config = Config(settings=settings, file=FileConfig(), surveys=dict(BUILTIN))
    async with build_services(config) as services, services.context.sessions() as session, session.begin():
        for i in range(count):
            data = {"week": f"2026-W{i + 1:02d}"}
            await services.context.outbox.emit(session, EventType.DIGEST_SENT, data, now=services.context.clock())


async def test_an_event_in_flight_when_the_process_is_killed_arrives_after_restart(tmp_path):
    receiver = await Receiver().start()
    receiver.answer(HANG, HANG, HANG)  # the first posts never get an answer: they are in flight
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.db'}",
        "SAYSO_WEBHOOK_URLS": receiver.url,
        "SAYSO_WEBHOOK_SECRET": SECRET,
    }
    try:
        async with running_sayso(env, tmp_path) as first:
            await _commit_events(env, 3)
            for _ in range(200):
                if len(receiver.received) >= 3:
                    break
                await asyncio.sleep(0.05)
            assert len(receiver.received) == 3  # all three posted, none answered
            first.process.kill()  # SIGKILL: no shutdown, no outcome recorded
            await first.process.wait()
        killed_at = time.monotonic()
        async with running_sayso(env, tmp_path):
            accepted = await receiver.wait_for(3, timeout=DELIVERY_LEASE.total_seconds() + 30)
        waited = time.monotonic() - killed_at
    finally:
        await receiver.stop()
    ids_before = {r.headers["webhook-id"] for r in receiver.received[:3]}
    ids_after = {r.headers["webhook-id"] for r in accepted}
    print(
        f"\nwebhook crash: 3 events in flight at SIGKILL, delivered {waited:.0f} s later (lease "
        f"{DELIVERY_LEASE.total_seconds():.0f} s), posts {len(receiver.received)}"
    )
    assert ids_after == ids_before and len(accepted) == 3  # the same events, each delivered once
