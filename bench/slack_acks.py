"""Benchmark: Slack button presses at a real `sayso run`, from concurrent clients.

Prints the ack latency (p50/p99) of POST /slack/events, signed block_actions, the presses over
Slack's 3-second limit, throughput, the server's CPU time per press and its resident memory, and
the answers lost or duplicated (a tenth of the presses are double clicks, sent concurrently with
the first click). The baseline, measured in the same run with the same signed bodies and the
same clients, is a bare Bolt AsyncApp on the same uvicorn doing one aiosqlite INSERT per press
(bench/bare_bolt.py); Sayso's own `GET /healthz` is shown beside it. The fake Slack Web API runs
in a process of its own.

    .venv/bin/python bench/slack_acks.py [--presses 1000] [--clients 50] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BIN,
    Load,
    Process,
    Request,
    Row,
    fake_slack,
    free_port,
    ms,
    percentile,
    print_table,
    sayso,
    serving,
)
from bot.config import Config, FileConfig, Settings
from bot.platforms import build_adapters
from bot.wiring import build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from storage.models import Answer
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack, block_actions, form, sign

# Benchmarks run at any hour: no quiet hours.
ANY_HOUR = FileConfig(delivery={"quiet_hours": False})
SLACK_LIMIT = 3.0


async def prepare(env: dict[str, str], users: list[str]) -> list[Request]:
    """Send every user a survey through an in-process fake; return one signed press of "4" per survey."""
    fake = await FakeSlack().start()
    settings = Settings(_env_file=None, **env, SLACK_API_BASE_URL=fake.base_url)  # type: ignore[arg-type]
    config = Config(settings=settings, file=ANY_HOUR, surveys=dict(BUILTIN))
    async with build_services(config) as services:
        (adapter,) = build_adapters(services)
        for user in users:
            await services.trigger(TriggerRequest(interaction_id=f"bench-{user}", platform="slack", user_id=user))
        while await services.survey_sender.send_due():
            pass
        await adapter.stop()
    await fake.stop()
    requests: list[Request] = []
    for user in users:
        channel = "D" + user.lstrip("U")
        ts, message = next((key[1], m) for key, m in fake.messages.items() if key[0] == channel)
        button = next(
            b
            for block in message["blocks"]
            if block["type"] == "actions"
            for b in block["elements"]
            if b["text"]["text"].startswith("4")
        )
        action = {"type": "button", "action_id": button["action_id"], "value": button["value"], "text": button["text"]}
        body = form(block_actions(user, channel, ts, action))
        requests.append(("/slack/events", body, {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}))
    return requests


def with_double_clicks(requests: list[Request]) -> list[Request]:
    """Every tenth press followed at once by the same press again (signed anew), so two clients
    send both at the same moment."""
    out: list[Request] = []
    for i, (path, body, headers) in enumerate(requests):
        out.append((path, body, headers))
        if i % 10 == 0 and body is not None:
            out.append((path, body, {**headers, **sign(body)}))
    return out


async def count_answers(db_url: str) -> tuple[int, int]:
    """(answers stored, distinct requests answered)."""
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    config = Config(settings=settings, file=ANY_HOUR, surveys=dict(BUILTIN))
    async with build_services(config) as services, services.context.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(Answer))).scalar_one()
        distinct = (await session.execute(select(func.count(func.distinct(Answer.request_id))))).scalar_one()
    return stored, distinct


async def timed(load: Load, server: Process, requests: list[Request]) -> tuple[list[float], float, float]:
    """Latencies, wall time and server CPU seconds of one batch."""
    cpu = server.cpu_seconds()
    latencies, wall = await load.fire(requests)
    return latencies, wall, server.cpu_seconds() - cpu


async def measure(presses: int, clients: int, database: str | None) -> list[Row]:
    folder = Path(tempfile.mkdtemp())
    db_url = database or f"sqlite:///{folder}/bench.db"
    users = [f"U{i:05d}" for i in range(presses)]
    env = {
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SAYSO_LOG_LEVEL": "WARNING",
    }
    sent = with_double_clicks(await prepare(env, users))
    async with fake_slack(folder) as fake:
        port = free_port()
        bare_command = [str(BIN / "python"), "-m", "bench.bare_bolt", str(port), str(folder / "bare.db"), fake.base_url]
        async with serving(bare_command, {}, port, folder / "bare.log") as bare:
            bare_acks, bare_wall, bare_cpu = await timed(Load(f"http://127.0.0.1:{port}", clients), bare, sent)
        port = free_port()
        async with sayso({**env, "SLACK_API_BASE_URL": fake.base_url}, port, folder / "server.log") as server:
            load = Load(f"http://127.0.0.1:{port}", clients)
            health, health_wall = await load.fire([("/healthz", None, {})] * presses)
            acks, wall, cpu = await timed(load, server, sent)
            await fake.wait_for("chat.update", presses, timeout=120)
            updated = await fake.count("chat.update", distinct_channels=True)
            rss = server.rss_mib()
    stored, distinct = await count_answers(db_url)
    n, backend = len(sent), "PostgreSQL" if database else "SQLite"
    p50, p99 = statistics.median(acks), percentile(acks, 0.99)
    b50, b99 = statistics.median(bare_acks), percentile(bare_acks, 0.99)
    return [
        Row(f"Slack ack p50, {clients} clients, {backend}", ms(p50), ms(b50) + " bare Bolt", p50 / b50),
        Row(
            f"Slack ack p99, {clients} clients, {backend}", ms(p99), ms(b99) + " bare Bolt", p99 / b99, "≤ 2× and < 1 s"
        ),
        Row(
            "presses over Slack's 3 s",
            str(sum(a > SLACK_LIMIT for a in acks)),
            str(sum(a > SLACK_LIMIT for a in bare_acks)),
            None,
            "0",
        ),
        Row("press throughput", f"{n / wall:,.0f}/s", f"{n / bare_wall:,.0f}/s bare Bolt", bare_wall / wall),
        Row("server CPU per press", ms(cpu / n), ms(bare_cpu / n) + " bare Bolt", cpu / bare_cpu, "≤ 3×"),
        Row("Sayso GET /healthz p99, rate", f"{ms(percentile(health, 0.99))}, {presses / health_wall:,.0f}/s"),
        Row("answers lost / duplicated", f"{presses - distinct} / {stored - distinct}", "", None, "0 / 0"),
        Row("messages updated in place", f"{updated} of {presses}", "", None, "all"),
        Row("sayso run resident memory (text models loaded)", f"{rss:,.0f} MB", "", None, "≤ 350 MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presses", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--database", help="a postgresql:// URL of an empty database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print_table("Slack button presses", asyncio.run(measure(args.presses, args.clients, args.database)))


if __name__ == "__main__":
    main()
