"""Benchmark: N interactions reported through the HTTP API of a real `sayso run`, surveys sent to Slack.

A `sayso run` subprocess (Slack HTTP mode, pointed at a fake Slack Web API in a process of its
own) receives N `POST /api/v1/interactions` from concurrent clients, plus a repeat of every tenth
one (a helpdesk retrying). Prints accepted requests per second against the same server's
`GET /healthz` rate (both from wall-clock time), how many surveys were delivered while the
intake was still under way and the delivery rate then and after, the time until the last survey
reached the fake, and lost and duplicated surveys (target: 0 and 0).

    .venv/bin/python bench/api_delivery.py [--interactions 10000] [--clients 50] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Load, Row, fake_slack, free_port, print_table, sayso
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET

TOKEN = "bench-token-0123456789"
# Benchmarks run at any hour and every interaction is a new customer: no quiet hours, no throttle.
CONFIG = "[delivery]\nquiet_hours = false\nreminder_hours = 0\n[throttle]\nwindow_days = 0\n"


async def measure(interactions: int, clients: int, database: str | None) -> list[Row]:
    folder = Path(tempfile.mkdtemp())
    (folder / "sayso.toml").write_text(CONFIG)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [
        json.dumps(
            {"interaction_id": f"t-{i}", "platform": "slack", "user_id": f"U{i:06d}", "touchpoint": "phone"}
        ).encode()
        for i in range(interactions)
    ]
    requests = [("/api/v1/interactions", body, headers) for body in bodies]
    requests += requests[::10]  # the helpdesk's retries
    async with fake_slack(folder) as fake:
        env = {
            "DATABASE_URL": database or f"sqlite:///{folder}/bench.db",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_BASE_URL": fake.base_url,
            "SAYSO_API_TOKEN": TOKEN,
            "SAYSO_LOG_LEVEL": "WARNING",
            "SAYSO_CONFIG": str(folder / "sayso.toml"),
        }
        port = free_port()
        async with sayso(env, port, folder / "server.log"):
            load = Load(f"http://127.0.0.1:{port}", clients)
            _, health_wall = await load.fire([("/healthz", None, {})] * min(interactions, 2000))
            health_rate = min(interactions, 2000) / health_wall
            started = time.perf_counter()
            _, intake = await load.fire(requests, accept=(200, 202))
            during = await fake.count("chat.postMessage")
            await fake.wait_for("chat.postMessage", interactions, timeout=900)
            total = time.perf_counter() - started
            sent = await fake.count("chat.postMessage")
            distinct = await fake.count("chat.postMessage", distinct_channels=True)
    rate = len(requests) / intake
    backend = "PostgreSQL" if database else "SQLite"
    after = (sent - during) / max(total - intake, 1e-9)
    return [
        Row(
            f"API accepted/s, {clients} clients, {backend}",
            f"{rate:,.0f}/s",
            f"{health_rate:,.0f}/s GET /healthz",
            rate / health_rate,
            "≥ 0.9×",
        ),
        Row(
            "surveys delivered during intake",
            f"{during:,} in {intake:.0f} s ({during / intake:,.0f}/s)",
            f"{after:,.0f}/s after intake" if sent > during else "none left after intake",
            (during / intake) / after if sent > during and after else None,
            "platform pace",
        ),
        Row(f"{interactions:,} surveys delivered", f"in {total:.0f} s"),
        Row(
            "API calls answered 503 (database busy) and retried",
            f"{load.retried:,} of {len(requests):,}",
            "",
            None,
            "0",
        ),
        Row("surveys lost / duplicated", f"{interactions - distinct} / {sent - distinct}", "", None, "0 / 0"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", help="a PostgreSQL URL; default a fresh SQLite file")
    args = parser.parse_args()
    print_table(
        "Interactions through the HTTP API", asyncio.run(measure(args.interactions, args.clients, args.database))
    )


if __name__ == "__main__":
    main()
