"""Benchmark: 1,000 Slack button presses at a real `sayso run`, from 50 concurrent clients.

Prints the ack latency (p50/p99) of POST /slack/events, signed block_actions, against Slack's
3-second limit, and the answers lost or duplicated (100 of the presses are double clicks). The
baseline, measured in the same run and the same way, is GET /healthz on the same server: the
ratio shows what Sayso adds to a request.

    .venv/bin/python bench/slack_acks.py [--presses 1000] [--clients 50] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Config, FileConfig, Settings
from bot.platforms import build_adapters
from bot.wiring import build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from storage.models import Answer
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack, block_actions, form, sign

SAYSO = str(Path(sys.executable).with_name("sayso"))

# Benchmarks run at any hour: no quiet hours.
ANY_HOUR = FileConfig(delivery={"quiet_hours": False})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def prepare(env: dict[str, str], users: list[str]) -> None:
    """Send every user a survey through the fake; return one press of "4" per survey."""
    settings = Settings(_env_file=None, **env)  # type: ignore[arg-type]
    config = Config(settings=settings, file=ANY_HOUR, surveys=dict(BUILTIN))
    async with build_services(config) as services:
        (adapter,) = build_adapters(services)
        for user in users:
            await services.trigger(TriggerRequest(interaction_id=f"bench-{user}", platform="slack", user_id=user))
        while await services.survey_sender.send_due():
            pass
        await adapter.stop()


async def start_server(env: dict[str, str], log_file: Path) -> asyncio.subprocess.Process:
    """`sayso run` in a subprocess, logging to `log_file`; returns once /healthz answers."""
    with log_file.open("wb") as server_log:
        server = await asyncio.create_subprocess_exec(
            SAYSO, "run", env={**os.environ, **env}, stdout=server_log, stderr=server_log
        )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{env['SAYSO_HTTP_PORT']}") as probe:
        for _ in range(400):
            try:
                if (await probe.get("/healthz")).status_code == 200:
                    return server
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    server.kill()
    raise RuntimeError(f"sayso run did not start:\n{log_file.read_text()}")


async def fire(
    url: str,
    requests: list[tuple[str, bytes | None, dict[str, str]]],
    clients: int,
    *,
    accept: tuple[int, ...] = (200,),
) -> list[float]:
    queue: asyncio.Queue[tuple[str, bytes | None, dict[str, str]]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    latencies: list[float] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while not queue.empty():
                path, body, headers = queue.get_nowait()
                started = time.perf_counter()
                response = await (client.post(path, content=body, headers=headers) if body else client.get(path))
                latencies.append(time.perf_counter() - started)
                if response.status_code not in accept:
                    raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:200]}")

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


async def run(presses: int, clients: int, database: str | None) -> None:
    fake = await FakeSlack().start()
    folder = tempfile.mkdtemp()
    db_url = database or f"sqlite:///{folder}/bench.db"
    port = free_port()
    env = {"DATABASE_URL": db_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_BASE_URL": fake.base_url, "SAYSO_HTTP_PORT": str(port), "SAYSO_LOG_LEVEL": "WARNING"}  # fmt: skip
    users = [f"U{i:05d}" for i in range(presses)]
    await prepare(env, users)
    requests = []
    for user in users:
        channel = "D" + user.lstrip("U")
        ts, message = next((key[1], m) for key, m in fake.messages.items() if key[0] == channel)
        button = next(b for block in message["blocks"] if block["type"] == "actions" for b in block["elements"]
                      if b["text"]["text"].startswith("4"))  # fmt: skip
        action = {"type": "button", "action_id": button["action_id"], "value": button["value"], "text": button["text"]}
        body = form(block_actions(user, channel, ts, action))
        requests.append(("/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}))
    doubles = requests[: presses // 10]  # a double click: the same button pressed again
    doubles = [(p, b, {**h, **sign(b)}) for p, b, h in doubles]  # type: ignore[arg-type]

    log_file = Path(folder) / "server.log"
    server = await start_server(env, log_file)
    url = f"http://127.0.0.1:{port}"
    try:
        baseline = await fire(url, [("/healthz", None, {})] * len(requests), clients)
        started = time.perf_counter()
        acks = await fire(url, requests + doubles, clients)
        elapsed = time.perf_counter() - started
        deadline = time.monotonic() + 60
        while len(fake.sent("chat.update")) < presses and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        await server.wait()
        await fake.stop()

    settings = Settings(_env_file=None, **{"DATABASE_URL": db_url})  # type: ignore[arg-type]
    config = Config(settings=settings, file=ANY_HOUR, surveys=dict(BUILTIN))
    async with build_services(config) as services, services.context.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(Answer))).scalar_one()
        distinct = (await session.execute(select(func.count(func.distinct(Answer.request_id))))).scalar_one()
    lost = presses - distinct
    duplicated = stored - distinct

    table = Table(title=f"{presses} Slack presses (+{len(doubles)} double clicks) from {clients} clients, "
                        f"{'PostgreSQL' if database else 'SQLite'}")  # fmt: skip
    for column in ("measure", "p50", "p99", "target", "ratio p99"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    p50, p99 = statistics.median(acks), percentile(acks, 0.99)
    b50, b99 = statistics.median(baseline), percentile(baseline, 0.99)
    table.add_row("baseline: GET /healthz", f"{b50 * 1000:.0f} ms", f"{b99 * 1000:.0f} ms", "—", "1.0×")
    table.add_row("sayso: block_actions ack", f"{p50 * 1000:.0f} ms", f"{p99 * 1000:.0f} ms", "p99 ≪ 3000 ms",
                  f"{p99 / b99:.1f}×")  # fmt: skip
    table.add_row("throughput", f"{len(acks) / elapsed:.0f} req/s", "", "", "")
    table.add_row("answers lost", str(lost), "", "0", "")
    table.add_row("answers duplicated", str(duplicated), "", "0", "")
    table.add_row("messages updated in place", str(len(fake.sent("chat.update"))), "", str(presses), "")
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", help="a postgresql:// URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    asyncio.run(run(args.presses, args.clients, args.database))


if __name__ == "__main__":
    main()
