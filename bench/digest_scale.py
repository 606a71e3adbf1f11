"""Benchmark: the full weekly digest computation on a large history, on SQLite and PostgreSQL.

Fills a fresh database with `sayso demo-data` (first a tenth of the answers, then the rest), and
at both sizes times, in the same run:

- the full digest computation (`DigestSender.gather`: funnel, scores, changes, breakdowns,
  drivers, comment tone, 12-week trend, suggestion themes), and
- the baseline: one hand-written SQL aggregation over the same rows (every numeric answer of the
  12 weeks the digest reads, grouped by survey and question: count, sum, sum of squares, top/bottom).

It also reports the digest's peak Python memory (tracemalloc, in a separate run so tracing does not
slow the timings): it should not grow with the number of rows, because every figure is an SQL aggregate.

    .venv/bin/python bench/digest_scale.py [--answers 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Config, FileConfig, Settings  # noqa: E402
from bot.wiring import build_services  # noqa: E402
from handlers.core.surveys import BUILTIN  # noqa: E402
from handlers.core.weeks import shift, week_bounds, week_of  # noqa: E402

PG = os.environ.get("SAYSO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
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
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    return f"{PG}?options=-csearch_path%3D{SCHEMA}"


def demo_data(url: str, answers: int, seed: int) -> float:
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url, "SAYSO_LOG_LEVEL": "WARNING"}
    command = [str(ROOT / ".venv/bin/sayso"), "demo-data", "--answers", str(answers), "--seed", str(seed)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


async def measure(url: str, repeats: int) -> dict[str, float]:
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    config = Config(settings=settings, file=FileConfig(), surveys=dict(BUILTIN))
    async with build_services(config) as services:
        zone = settings.timezone
        week = shift(week_of(services.context.clock(), zone), -1, zone)
        start, end = week_bounds(shift(week, -11, zone), zone)[0], week_bounds(week, zone)[1]
        async with services.context.sessions() as session:
            rows = (await session.execute(text("SELECT count(*) FROM answers"))).scalar_one()
        digest, baseline = [], []
        for _ in range(repeats):
            began = time.perf_counter()
            await services.digests.gather(week)
            digest.append(time.perf_counter() - began)
            began = time.perf_counter()
            async with services.context.sessions() as session:
                (await session.execute(text(BASELINE), {"start": start, "end": end})).all()
            baseline.append(time.perf_counter() - began)
        tracemalloc.start()
        await services.digests.gather(week)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"rows": rows, "digest": statistics.median(digest), "baseline": statistics.median(baseline),
            "peak_mib": peak / 2**20}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    table = Table("backend", "answers", "fill (s)", "digest (s)", "one SQL query (s)", "ratio", "peak memory (MiB)",
                  title="Weekly digest on a large history")  # fmt: skip
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            url = database(backend, Path(folder))
            first = args.answers // 10
            for seed, batch in ((1, first), (2, args.answers - first)):
                filled = demo_data(url, batch, seed)
                result = asyncio.run(measure(url, args.repeats))
                ratio = result["digest"] / result["baseline"]
                table.add_row(backend, f"{result['rows']:,}", f"{filled:.0f}", f"{result['digest']:.2f}",
                              f"{result['baseline']:.2f}", f"{ratio:.2f}×", f"{result['peak_mib']:.1f}")  # fmt: skip
                console.print(f"{backend}, {result['rows']:,} answers: digest {result['digest']:.2f} s")
    console.print(table)
    console.print("Target: digest at most 2× the single query; peak memory the same at both sizes.")


if __name__ == "__main__":
    main()
