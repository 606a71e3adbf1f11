"""Benchmark: N interactions reported through the HTTP API of a real `sayso run`, surveys sent to Slack.

A `sayso run` subprocess (Slack HTTP mode, pointed at a local fake of the Web API) receives N
`POST /api/v1/interactions` from concurrent clients, plus a repeat of every tenth one (a helpdesk
retrying). Prints accepted requests per second, the time until the last survey reached the fake,
and lost and duplicated surveys (target: 0 and 0). The baseline, measured in the same run, is
`GET /healthz` at the same concurrency: the cost of an HTTP round trip with one database query.

    .venv/bin/python bench/api_delivery.py [--interactions 10000] [--clients 50] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.slack_acks import fire, free_port, start_server
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack

TOKEN = "bench-token-0123456789"
# Benchmarks run at any hour and every interaction is a new customer: no quiet hours, no throttle.
CONFIG = "[delivery]\nquiet_hours = false\nreminder_hours = 0\n[throttle]\nwindow_days = 0\n"


async def run(interactions: int, clients: int, database: str | None) -> None:
    fake = await FakeSlack().start()
    folder = Path(tempfile.mkdtemp())
    (folder / "sayso.toml").write_text(CONFIG)
    port = free_port()
    env = {"DATABASE_URL": database or f"sqlite:///{folder}/bench.db", "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_BASE_URL": fake.base_url, "SAYSO_API_TOKEN": TOKEN,
           "SAYSO_HTTP_PORT": str(port), "SAYSO_LOG_LEVEL": "WARNING",
           "SAYSO_CONFIG": str(folder / "sayso.toml")}  # fmt: skip
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [json.dumps({"interaction_id": f"t-{i}", "platform": "slack", "user_id": f"U{i:06d}",
                          "touchpoint": "phone"}).encode() for i in range(interactions)]  # fmt: skip
    requests = [("/api/v1/interactions", body, headers) for body in bodies]
    retries = requests[::10]
    server = await start_server(env, folder / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        baseline = await fire(url, [("/healthz", None, {})] * min(interactions, 2000), clients)
        started = time.perf_counter()
        await fire(url, requests + retries, clients, accept=(200, 202))
        accepted = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while len(fake.sent("chat.postMessage")) < interactions and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        delivered = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        await server.wait()
        await fake.stop()
    per_chat = Counter(call.params["channel"] for call in fake.sent("chat.postMessage"))
    lost = interactions - len(per_chat)
    duplicated = sum(n - 1 for n in per_chat.values() if n > 1)
    rate, base = (len(requests) + len(retries)) / accepted, len(baseline) / sum(baseline) * clients
    table = Table("measure", "value", title=f"{interactions} interactions through the HTTP API, {clients} clients")
    table.add_row("baseline: GET /healthz per second", f"{base:,.0f}")
    table.add_row("accepted interactions per second (incl. 10% retries)", f"{rate:,.0f}")
    table.add_row("ratio to the baseline", f"{rate / base:.2f}")
    table.add_row("time until the last survey was sent (s)", f"{delivered:.1f}")
    table.add_row("lost surveys", str(lost))
    table.add_row("duplicated surveys", str(duplicated))
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", help="a PostgreSQL URL; default a fresh SQLite file")
    args = parser.parse_args()
    asyncio.run(run(args.interactions, args.clients, args.database))


if __name__ == "__main__":
    main()
