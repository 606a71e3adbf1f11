"""What every benchmark shares: a `sayso run` subprocess with its CPU and memory, load from
clients built before timing starts, a fake Slack in a process of its own, and one row format
so `make bench` can print every result in one table."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from tests.fakes.process import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = os.environ.get("SAYSO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TICKS = os.sysconf("SC_CLK_TCK")

Request = tuple[str, bytes | None, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Row:
    """One figure: what Sayso measured, the baseline measured in the same run, and the goal."""

    figure: str
    measured: str
    baseline: str = "—"
    ratio: float | None = None
    goal: str = ""


def print_table(title: str, rows: Sequence[Row]) -> None:
    table = Table("figure", "measured", "baseline (same run)", "ratio", "goal", title=title)
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        table.add_row(row.figure, row.measured, row.baseline, ratio, row.goal)
    Console(width=160).print(table)


@dataclass(frozen=True, slots=True)
class Scale:
    """What the benches over a large history take from their command line."""

    answers: int
    backends: list[str]
    repeats: int


def scale_arguments(doc: str, *, repeats: int) -> Scale:
    """`--answers`, `--backends` and `--repeats`, as every bench over a large history reads them."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=repeats)
    args = parser.parse_args()
    return Scale(args.answers, args.backends.split(","), args.repeats)


def fresh_postgres(schema: str) -> str:
    """A URL of an empty schema of its own on the benchmark PostgreSQL (dropped and made anew), so
    one run's rows never meet another's."""
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{PG}?options=-csearch_path%3D{schema}"


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


@dataclass
class Process:
    """A server subprocess; CPU time and resident memory read from /proc, not from Python's heap."""

    popen: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime

    def rss_mib(self) -> float:
        return rss_mib(self.popen.pid)


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@asynccontextmanager
async def serving(
    command: list[str], env: dict[str, str], port: int, log: Path, ready: str = "/healthz"
) -> AsyncIterator[Process]:
    """Run `command` (a server on `port`) until the block ends; yields once `ready` answers 200."""
    with log.open("wb") as out:
        popen = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out, cwd=ROOT)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as probe:
            for _ in range(1200):
                if popen.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited:\n{log.read_text()[-3000:]}")
                try:
                    if (await probe.get(ready)).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")
        yield Process(popen)
    finally:
        popen.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(popen.wait, 30)
        except subprocess.TimeoutExpired:
            popen.kill()


def sayso(env: dict[str, str], port: int, log: Path) -> AsyncIterator[Process]:
    """A real `sayso run` on `port`."""
    return serving([str(BIN / "sayso"), "run"], {**env, "SAYSO_HTTP_PORT": str(port)}, port, log)


@asynccontextmanager
async def fake_slack(folder: Path) -> AsyncIterator[FakeSlackProcess]:
    """The fake Slack Web API in its own process, so its work does not share the load generator's loop."""
    port = free_port()
    command = [sys.executable, "-m", "tests.fakes.slack_api", str(port)]
    async with serving(command, {}, port, folder / "fake_slack.log", ready="/_count/auth.test"):
        yield FakeSlackProcess(f"http://127.0.0.1:{port}")


@dataclass
class FakeSlackProcess:
    url: str

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    async def count(self, method: str, *, distinct_channels: bool = False) -> int:
        async with httpx.AsyncClient() as client:
            reply = await client.get(f"{self.url}/_count/{method}", params={"distinct": int(distinct_channels)})
            return int(reply.json()["count"])

    async def wait_for(self, method: str, count: int, timeout: float) -> float:
        """Seconds until the fake has had `count` calls of `method` (or the timeout)."""
        started = time.perf_counter()
        while await self.count(method) < count and time.perf_counter() - started < timeout:
            await asyncio.sleep(0.1)
        return time.perf_counter() - started


@dataclass
class Load:
    """Concurrent clients, connected before timing starts; `fire` returns each request's latency
    and the wall-clock time of the whole batch. A `503` (Sayso's "the database did not answer in
    time; try again") is retried as a helpdesk would, and counted in `retried`."""

    url: str
    clients: int
    retried: int = 0

    async def fire(self, requests: Sequence[Request], *, accept: tuple[int, ...] = (200,)) -> tuple[list[float], float]:
        pool = [httpx.AsyncClient(base_url=self.url, timeout=30) for _ in range(self.clients)]
        try:
            await asyncio.gather(*(client.get("/healthz") for client in pool))  # connections open
            queue = list(reversed(requests))
            latencies: list[float] = []

            async def worker(client: httpx.AsyncClient) -> None:
                while queue:
                    path, body, headers = queue.pop()
                    began = time.perf_counter()
                    reply = await (client.post(path, content=body, headers=headers) if body else client.get(path))
                    latencies.append(time.perf_counter() - began)
                    if reply.status_code == 503:
                        self.retried += 1
                        queue.append((path, body, headers))
                        continue
                    if reply.status_code not in accept:
                        raise RuntimeError(f"{path} answered {reply.status_code}: {reply.text[:200]}")

            started = time.perf_counter()
            await asyncio.gather(*(worker(client) for client in pool))
            return latencies, time.perf_counter() - started
        finally:
            await asyncio.gather(*(client.aclose() for client in pool))
