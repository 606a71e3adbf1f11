"""Benchmark: N `survey.completed` events through a real `sayso run` to a local receiver that
fails a fifth of the posts (HTTP 500, so they are retried with backoff).

Prints the delivery rate while first attempts go out (the time until as many events were accepted
as the receiver lets through at the first try), the time until 99% and all were accepted (the
tail is the retry backoff of the few events that failed five times in a row), and lost events and
duplicated webhook-ids among the accepted posts (target: 0 and 0). The baseline, measured in the same run,
is the receiver's own capacity: plain signed posts from one client, no outbox.

    .venv/bin/python bench/webhooks.py [--events 10000] [--failure-rate 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, free_port, print_table, sayso
from bot.config import Config, FileConfig, Settings
from bot.wiring import build_services
from handlers.core.outbox import EventType
from handlers.core.surveys import BUILTIN

SECRET = "whsec_" + base64.b64encode(b"sayso-bench-webhook-key-32bytes!").decode()
DATA = {
    "interaction_id": "ticket-4711",
    "survey": "csat",
    "language": "ur",
    "platform": "telegram",
    "answers": {"overall": 4, "speed": 5, "attitude": 4, "solution": 4},
    "comments": [{"question": "went_well", "text": "بہت اچھی سروس", "language": "ur"}],
}


class FlakyReceiver:
    """Answers 500 to a share of the posts, 200 to the rest; counts accepted ids."""

    def __init__(self, failure_rate: float) -> None:
        self.failure_rate = failure_rate
        self.accepted: Counter[str] = Counter()
        self.posts = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}/hook"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        self.posts += 1
        if random.random() < self.failure_rate:
            return web.Response(status=500)
        self.accepted[request.headers["webhook-id"]] += 1
        return web.Response(status=200)


async def capacity(url: str, posts: int) -> float:
    async with httpx.AsyncClient() as client:
        started = time.perf_counter()
        for i in range(posts):
            await client.post(url, content=b"{}", headers={"webhook-id": f"baseline-{i}"})
        return posts / (time.perf_counter() - started)


async def measure(events: int, failure_rate: float) -> list[Row]:
    random.seed(1)
    receiver = FlakyReceiver(0.0)
    await receiver.start()
    raw = await capacity(receiver.url, 500)
    receiver.accepted.clear()
    receiver.failure_rate = failure_rate
    folder = Path(tempfile.mkdtemp())
    env = {
        "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "SAYSO_WEBHOOK_URLS": receiver.url,
        "SAYSO_WEBHOOK_SECRET": SECRET,
        "SAYSO_LOG_LEVEL": "ERROR",
    }
    settings = Settings(_env_file=None, **env)  # type: ignore[arg-type]
    config = Config(settings=settings, file=FileConfig(), surveys=dict(BUILTIN))
    async with build_services(config) as services, services.context.sessions() as session, session.begin():
        for _ in range(events):
            await services.context.outbox.emit(session, EventType.SURVEY_COMPLETED, DATA, now=services.context.clock())
    marks = {"first": int(events * (1 - failure_rate)), "99%": int(events * 0.99), "all": events}
    reached: dict[str, float] = {}
    try:
        async with sayso(env, free_port(), folder / "server.log"):
            started = time.perf_counter()  # once the server is up: start-up is not delivery
            while len(reached) < len(marks) and time.perf_counter() - started < 900:
                reached.update(
                    {
                        name: time.perf_counter() - started
                        for name, count in marks.items()
                        if name not in reached and len(receiver.accepted) >= count
                    }
                )
                await asyncio.sleep(0.05)
    finally:
        await receiver.stop()
    delivered = len(receiver.accepted)
    duplicated = sum(n - 1 for n in receiver.accepted.values())
    first = marks["first"] / reached.get("first", float("inf"))
    return [
        Row(
            f"webhook deliveries/s, {failure_rate:.0%} of posts failing",
            f"{first:,.0f}/s",
            f"{raw:,.0f}/s the receiver's capacity",
            first / raw,
        ),
        Row(
            f"{events:,} events: 99% / all accepted ({receiver.posts:,} posts)",
            f"{reached.get('99%', float('nan')):.0f} s / {reached.get('all', float('nan')):.0f} s",
            "",
            None,
            "first retry within seconds",
        ),
        Row("webhook events lost / ids duplicated", f"{events - delivered} / {duplicated}", "", None, "0 / 0"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--failure-rate", type=float, default=0.2)
    args = parser.parse_args()
    print_table("Signed event webhooks", asyncio.run(measure(args.events, args.failure_rate)))


if __name__ == "__main__":
    main()
