"""Benchmark: the console's Overview page against the digest's figures alone, in the same run.

Fills a fresh database with `sayso demo-data` (SQLite and PostgreSQL), runs ANALYZE, signs a staff
owner in, then times `--repeats` loads of each, alternating:

- the baseline: the digest's figures for the week (`DigestSender.gather`, what the digest sends), and
- the Overview: `GET /console/?week=…` through the real app (session lookup, the same `gather`, the
  digest's `compose`, the SVG chart and the template), over ASGI.

It reports medians and the Overview's p95, and the process's resident memory before and after 100
more loads (it should stay flat: nothing is kept per load).

    .venv/bin/python -m bench.console_overview [--answers 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, percentile, print_table, rss_mib, scale_arguments
from bench.digest_scale import database, demo_data
from bot.config import Config, FileConfig, Settings
from bot.http import create_app
from bot.wiring import Services, build_services
from handlers.core.surveys import BUILTIN
from handlers.core.weeks import shift, week_of
from handlers.staff.accounts import StaffRole


@contextlib.asynccontextmanager
async def signed_in_owner(url: str) -> AsyncIterator[tuple[Services, str]]:
    """Sayso's services on a filled database (ANALYZEd, as a running one would be), and the
    session cookie of an owner signed in to the console."""
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    config = Config(settings=settings, file=FileConfig(), surveys=dict(BUILTIN))
    async with build_services(config) as services:
        async with services.context.sessions() as session, session.begin():
            for table in SQLModel.metadata.sorted_tables:
                await session.execute(text(f"ANALYZE {table.name}"))
        link = await services.staff.invite("bench@example.com", StaffRole.OWNER)
        signed = await services.staff_sessions.open(await services.staff.accept(link.token, "a bench pass phrase"))
        yield services, signed.cookie


async def measure(url: str, repeats: int, loads: int) -> dict[str, float]:
    async with signed_in_owner(url) as (services, cookie):
        zone = services.config.settings.timezone
        week = shift(week_of(services.context.clock(), zone), -1, zone)
        app = create_app(services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            http.cookies.set("sayso_session", cookie, path="/console")

            async def overview() -> None:
                response = await http.get("/console/", params={"week": week})
                assert response.status_code == 200 and 'data-figure="csat"' in response.text

            await services.digests.gather(week)  # rollups built once, as any running Sayso has them
            await overview()
            figures, page = [], []
            for _ in range(repeats):
                began = time.perf_counter()
                await services.digests.gather(week)
                figures.append(time.perf_counter() - began)
                began = time.perf_counter()
                await overview()
                page.append(time.perf_counter() - began)
            before = rss_mib()
            for _ in range(loads):
                await overview()
            after = rss_mib()
        async with services.context.reads() as session:
            rows = (await session.execute(text("SELECT count(*) FROM answers"))).scalar_one()
    return {
        "rows": rows,
        "figures": statistics.median(figures),
        "page": statistics.median(page),
        "p95": percentile(page, 0.95),
        "rss_before": before,
        "rss_after": after,
    }


async def rows(answers: int, backends: list[str], repeats: int, loads: int = 100) -> list[Row]:
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            url = database(backend, Path(folder))
            demo_data(url, answers)
            result = await measure(url, repeats, loads)
            name = "PostgreSQL" if backend == "postgresql" else "SQLite"
            out += [
                Row(
                    f"console Overview, {result['rows']:,} answers, {name}",
                    f"{result['page']:.2f} s (p95 {result['p95']:.2f} s)",
                    f"{result['figures']:.2f} s the digest's figures",
                    result["page"] / result["figures"],
                    "≤ 1.5×",
                ),
                Row(
                    f"console Overview memory over {loads} loads, {name}",
                    f"RSS {result['rss_before']:.0f} → {result['rss_after']:.0f} MB",
                    "",
                    None,
                    "flat",
                ),
            ]
    return out


def main() -> None:
    args = scale_arguments(__doc__, repeats=10)
    print_table(
        "The console's Overview against the digest's figures",
        asyncio.run(rows(args.answers, args.backends, args.repeats)),
    )


if __name__ == "__main__":
    main()
