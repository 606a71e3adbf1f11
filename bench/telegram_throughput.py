"""Benchmark: a survey to N private Telegram chats through the real adapter and a local fake Bot API.

Prints the achieved messages per second against Telegram's 30/s limit, the largest rate seen in
any one chat, and lost and duplicated messages. The baseline, measured in the same run, is the
fake's raw capacity (plain HTTP posts, no PTB, no limiter), which shows the fake is not the bottleneck.

    .venv/bin/python bench/telegram_throughput.py [--chats 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Config, FileConfig, Settings
from bot.platforms import build_adapters
from bot.wiring import build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from storage.respondents import ensure_respondent
from tests.fakes.telegram_api import TOKEN, FakeTelegram

LIMIT = 30.0

# Benchmarks run at any hour: no quiet hours.
ANY_HOUR = FileConfig(delivery={"quiet_hours": False})


async def baseline(fake: FakeTelegram, messages: int) -> float:
    async with httpx.AsyncClient(base_url=f"{fake.base_url}{TOKEN}/") as client:
        started = time.perf_counter()
        for i in range(messages):
            await client.post("sendMessage", data={"chat_id": str(900_000 + i), "text": "baseline"})
        return messages / (time.perf_counter() - started)


def per_chat_peak(times: list[float]) -> float:
    """Most of these messages within any one second."""
    times.sort()
    return max((sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times)), default=0)


async def run(chats: int) -> None:
    fake = await FakeTelegram().start()
    raw_rate = await baseline(fake, 300)
    fake.calls.clear()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DATABASE_URL=f"sqlite:///{folder}/bench.db",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=fake.base_url,
        )
        config = Config(settings=settings, file=ANY_HOUR, surveys=dict(BUILTIN))
        async with build_services(config) as services:
            (adapter,) = build_adapters(services)
            await adapter.initialize()
            async with services.context.sessions() as session, session.begin():
                for i in range(chats):
                    await ensure_respondent(
                        session, platform="telegram", user_id=str(10_000 + i), chat_id=str(10_000 + i)
                    )
            for i in range(chats):
                request = TriggerRequest(interaction_id=f"bench-{i}", platform="telegram", user_id=str(10_000 + i))
                await services.trigger(request)
            started = time.perf_counter()
            while await services.survey_sender.send_due():
                pass
            elapsed = time.perf_counter() - started
            await adapter.stop()
    sends = [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]
    per_chat: dict[int, list[float]] = {}
    for call in sends:
        per_chat.setdefault(int(call.params["chat_id"]), []).append(call.at)
    counts = Counter({chat: len(times) for chat, times in per_chat.items()})
    lost = sum(1 for i in range(chats) if 10_000 + i not in counts)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    span = max(c.at for c in sends) - min(c.at for c in sends) if len(sends) > 1 else elapsed
    rate = (len(sends) - 1) / span if span else float(len(sends))
    peak = max(per_chat_peak(times) for times in per_chat.values())
    overall_peak = per_chat_peak([c.at for c in sends])
    await fake.stop()

    table = Table(title=f"Survey to {chats} Telegram chats (fake Bot API on loopback)")
    for column in ("measure", "value", "target", "ratio"):
        table.add_column(column, justify="right" if column != "measure" else "left")
    table.add_row("baseline: fake's raw capacity", f"{raw_rate:,.0f} msg/s", "—", f"{raw_rate / LIMIT:.1f}× limit")
    table.add_row(
        "sayso: messages per second", f"{rate:.1f} msg/s", f"≥ 27 (limit {LIMIT:.0f})", f"{rate / LIMIT:.2f}× limit"
    )
    table.add_row("sayso: time for all", f"{elapsed:.1f} s", f"≈ {chats / LIMIT:.0f} s", "")
    table.add_row("most messages in any 1 s", f"{overall_peak:.0f}", f"≤ {LIMIT:.0f}", "")
    table.add_row("largest rate in one chat", f"{peak:.0f} msg/s", "≤ 1", "")
    table.add_row("lost", str(lost), "0", "")
    table.add_row("duplicated", str(duplicated), "0", "")
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=1000)
    asyncio.run(run(parser.parse_args().chats))


if __name__ == "__main__":
    main()
