"""Benchmark: a survey to N private Telegram chats through the real adapter and a local fake Bot API.

Prints the achieved messages per second against Telegram's 30/s limit, the most messages any one
chat got within a second when several are due for it at once, and lost and duplicated messages.
The baseline, measured in the same run, is the fake's raw capacity (plain HTTP posts, no PTB, no
limiter), which shows the fake is not the bottleneck.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, print_table
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


async def measure(chats: int, per_chat: int = 5, busy_chats: int = 10) -> list[Row]:
    """A survey to `chats` chats, then `per_chat` messages at once to each of `busy_chats` chats
    (the next question, the thanks, the sorry note of a busy conversation), through the adapter."""
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
            await services.survey_sender.drain()
            elapsed = time.perf_counter() - started
            surveys = [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]
            fake.calls.clear()
            channel = services.channels.get("telegram")
            assert channel is not None
            await asyncio.gather(
                *(
                    channel.send_text(str(10_000 + chat), f"message {k}")
                    for chat in range(busy_chats)
                    for k in range(per_chat)
                )
            )
            busy = [c for c in fake.calls if c.method == "sendMessage" and c.status == 200]
            await adapter.stop()
    await fake.stop()
    times: dict[int, list[float]] = {}
    for call in surveys:
        times.setdefault(int(call.params["chat_id"]), []).append(call.at)
    counts = Counter({chat: len(at) for chat, at in times.items()})
    lost = sum(1 for i in range(chats) if 10_000 + i not in counts)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    span = max(c.at for c in surveys) - min(c.at for c in surveys) if len(surveys) > 1 else elapsed
    rate = (len(surveys) - 1) / span if span else float(len(surveys))
    busy_times: dict[int, list[float]] = {}
    for call in busy:
        busy_times.setdefault(int(call.params["chat_id"]), []).append(call.at)
    chat_peak = max((per_chat_peak(at) for at in busy_times.values()), default=0)
    return [
        Row(
            f"Telegram survey sends, {chats} chats",
            f"{rate:.1f}/s in {elapsed:.0f} s",
            f"{raw_rate:,.0f}/s the fake's raw capacity",
            rate / LIMIT,
            f"≈ {LIMIT:.0f}/s (Telegram's limit)",
        ),
        Row("most sends in any 1 s", f"{per_chat_peak([c.at for c in surveys]):.0f}", "", None, f"≤ {LIMIT:.0f}"),
        Row(
            f"most in one chat in 1 s ({per_chat} at once to {busy_chats} chats)",
            f"{chat_peak:.0f}",
            "",
            None,
            "≤ 1 (Telegram's advice)",
        ),
        Row("Telegram surveys lost / duplicated", f"{lost} / {duplicated}", "", None, "0 / 0"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=1000)
    print_table("Telegram delivery (fake Bot API on loopback)", asyncio.run(measure(parser.parse_args().chats)))


if __name__ == "__main__":
    main()
