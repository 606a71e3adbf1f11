"""Benchmark: surveys outside chat, against baselines measured in the same run.

- The survey page: time to the full response of `GET /s/{token}` (the first question, rendered from
  the database) against `GET /healthz`, and a whole five-question survey's round trips (each answer
  a POST and the redirected GET), over ASGI; medians of `--repeats`.
- E-mail: `--emails` invitations to a local SMTP server (aiosmtpd) at `[email] per_second`:
  throughput against that pace, messages lost and sent twice, and resident memory before and after.
  (With the relay in this process, one core sends about 75 a second at most: a pace above that
  measures the machine, not the pacing.)

    .venv/bin/python -m bench.outside_chat [--emails 10000] [--per-second 50]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, print_table, rss_mib
from bot.config import Config, FileConfig, Settings
from bot.http import create_app
from bot.wiring import build_services
from handlers.core.surveys import BUILTIN
from handlers.survey.trigger import TriggerRequest
from tests.fakes.smtp_server import SmtpServer

TOKEN = "bench-outside-chat-token-0123"


def _config(url: str, smtp: str, per_second: float) -> Config:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, DATABASE_URL=url, SAYSO_API_TOKEN=TOKEN, SAYSO_SMTP_URL=smtp, SAYSO_EMAIL_FROM="b@example.com"
    )
    file = FileConfig.model_validate({"delivery": {"quiet_hours": False}, "email": {"per_second": per_second}})
    return Config(settings=settings, file=file, surveys=dict(BUILTIN))


async def page(folder: Path, repeats: int) -> list[Row]:
    with SmtpServer() as relay:
        config = _config(f"sqlite:///{folder / 'page.db'}", f"smtp://127.0.0.1:{relay.port}", 100)
        async with build_services(config) as services:
            app = create_app(services)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as http:
                health, first, whole = [], [], []
                for i in range(repeats):
                    body = {"interaction_id": f"bench-{i}", "platform": "web"}
                    url = (await http.post("/api/v1/interactions", json=body, headers=headers)).json()["survey_url"]
                    path = "/s/" + url.rsplit("/", 1)[1]
                    began = time.perf_counter()
                    await http.get("/healthz")
                    health.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    shown = await http.get(path)
                    first.append(time.perf_counter() - began)
                    began = time.perf_counter()
                    while values := re.findall(r'name="data" value="([^"]+)"', shown.text):
                        await http.post(path, data={"data": values[-1]})
                        shown = await http.get(path)
                    whole.append(time.perf_counter() - began)
                    assert "Thank you" in shown.text
    h, f, w = statistics.median(health), statistics.median(first), statistics.median(whole)
    return [
        Row("survey page, first question (SQLite)", f"{f * 1000:.1f} ms", f"{h * 1000:.1f} ms GET /healthz", f / h),
        Row("a whole survey on the page (5 answers, POST + GET each)", f"{w * 1000:.0f} ms", "", None),
    ]


async def emails(folder: Path, count: int, per_second: float) -> list[Row]:
    with SmtpServer() as relay:
        relay.mailbox.keep_messages = False
        config = _config(f"sqlite:///{folder / 'mail.db'}", f"smtp://127.0.0.1:{relay.port}", per_second)
        async with build_services(config) as services:
            for i in range(count):
                await services.trigger(
                    TriggerRequest(interaction_id=f"m-{i}", platform="email", user_id=f"p{i}@example.com")
                )
            before = rss_mib()
            began = time.perf_counter()
            while len(relay.mailbox.received) < count and time.perf_counter() - began < count / per_second * 3 + 30:
                await services.survey_sender.send_due()
                await asyncio.sleep(0.01)
            took = time.perf_counter() - began
            after = rss_mib()
    per_address = Counter(address for mail in relay.mailbox.received for address in mail.recipients)
    lost, twice = count - len(per_address), sum(1 for n in per_address.values() if n > 1)
    rate = len(relay.mailbox.received) / took
    return [
        Row(
            f"{count:,} e-mail invitations to a local relay",
            f"{rate:.0f}/s; lost {lost}, twice {twice}",
            f"{per_second:.0f}/s configured pace",
            rate / per_second,
            "≈ 1× (≤ the pace)",
        ),
        Row("e-mail sending memory", f"RSS {before:.0f} → {after:.0f} MB", "", None, "flat"),
    ]


async def rows(count: int, per_second: float, repeats: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        return await page(Path(folder), repeats) + await emails(Path(folder), count, per_second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--per-second", type=float, default=50)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    print_table("Surveys outside chat", asyncio.run(rows(args.emails, args.per_second, args.repeats)))


if __name__ == "__main__":
    main()
