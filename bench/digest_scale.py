"""Benchmark: the full weekly digest computation on a large history, on SQLite and PostgreSQL.

Fills a fresh database with `sayso demo-data`, runs ANALYZE (the planner's statistics, as any
database that has been running a while has them; without it the baseline is slowed more than the
digest and the ratio flatters), and times, in the same run, medians of `--repeats`:

- the full digest computation (`DigestSender.gather`: funnel, scores, changes, breakdowns,
  drivers, comment tone, 12-week trend, suggestion themes), the first time (rollups of closed
  weeks built) and after (rollups read), and
- the baseline: one hand-written SQL aggregation over the same rows (every numeric answer of the
  12 weeks the digest reads, grouped by survey and question: count, sum, sum of squares, top/bottom).

It also reports the digest's peak Python memory (tracemalloc, in a separate pass so tracing does
not slow the timings) and the process's resident memory: neither should grow with the rows.

    .venv/bin/python bench/digest_scale.py [--answers 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BIN, Row, fresh_postgres, print_table, rss_mib, scale_arguments
from bot.config import Config, FileConfig, Settings
from bot.wiring import build_services
from handlers.core.surveys import BUILTIN
from handlers.core.weeks import shift, week_bounds, week_of

SCHEMA = "sayso_bench"
BASELINE = """
SELECT sr.survey, a.question_id, count(a.value_int), sum(a.value_int), sum(a.value_int * a.value_int),
       sum(CASE WHEN a.value_int >= 4 THEN 1 ELSE 0 END), sum(CASE WHEN a.value_int <= 2 THEN 1 ELSE 0 END)
FROM answers a JOIN survey_requests sr ON sr.id = a.request_id
WHERE sr.sent_at >= :start AND sr.sent_at < :end AND a.value_int IS NOT NULL
GROUP BY sr.survey, a.question_id
"""


def database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}"
    return fresh_postgres(SCHEMA)


def demo_data(url: str, answers: int) -> float:
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url, "SAYSO_LOG_LEVEL": "WARNING"}
    command = [str(BIN / "sayso"), "demo-data", "--answers", str(answers), "--seed", "1"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


async def measure(url: str, repeats: int) -> dict[str, float]:
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    config = Config(settings=settings, file=FileConfig(), surveys=dict(BUILTIN))
    async with build_services(config) as services:
        async with services.context.sessions() as session, session.begin():
            for table in SQLModel.metadata.sorted_tables:  # this schema's tables, not the whole server's
                await session.execute(text(f"ANALYZE {table.name}"))
        zone = settings.timezone
        week = shift(week_of(services.context.clock(), zone), -1, zone)
        start, end = week_bounds(shift(week, -11, zone), zone)[0], week_bounds(week, zone)[1]
        async with services.context.reads() as session:
            rows = (await session.execute(text("SELECT count(*) FROM answers"))).scalar_one()
        began = time.perf_counter()
        await services.digests.gather(week)
        first = time.perf_counter() - began
        digest, baseline = [], []
        for _ in range(repeats):
            began = time.perf_counter()
            await services.digests.gather(week)
            digest.append(time.perf_counter() - began)
            began = time.perf_counter()
            async with services.context.reads() as session:
                (await session.execute(text(BASELINE), {"start": start, "end": end})).all()
            baseline.append(time.perf_counter() - began)
        tracemalloc.start()
        await services.digests.gather(week)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "rows": rows,
        "first": first,
        "digest": statistics.median(digest),
        "baseline": statistics.median(baseline),
        "peak_mib": peak / 2**20,
        "rss": rss_mib(),
    }


async def rows(answers: int, backends: list[str], repeats: int) -> list[Row]:
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            url = database(backend, Path(folder))
            filled = demo_data(url, answers)
            result = await measure(url, repeats)
            name = "PostgreSQL" if backend == "postgresql" else "SQLite"
            ratio = result["digest"] / result["baseline"]
            out += [
                Row(
                    f"digest, {result['rows']:,} answers, {name} (filled in {filled:.0f} s)",
                    f"{result['digest']:.2f} s",
                    f"{result['baseline']:.2f} s one GROUP BY",
                    ratio,
                    "≤ 1.5×",
                ),
                Row(f"digest the first time (rollups built), {name}", f"{result['first']:.2f} s", "", None),
                Row(
                    f"digest memory, {name}",
                    f"peak heap {result['peak_mib']:.1f} MiB, RSS {result['rss']:.0f} MB",
                    "",
                    None,
                    "flat in rows",
                ),
            ]
    return out


def main() -> None:
    args = scale_arguments(__doc__, repeats=3)
    results = asyncio.run(rows(args.answers, args.backends, args.repeats))
    print_table("Weekly digest on a large history", results)


if __name__ == "__main__":
    main()
