"""`sayso` as a real subprocess, for start-up and crash behaviour: run it, wait for /healthz, stop it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SAYSO = shutil.which("sayso", path=str(Path(sys.executable).parent)) or "sayso"
_OURS = ("SAYSO_", "SLACK_", "TELEGRAM_", "DATABASE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """The machine's environment without any Sayso setting, plus `env`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(_OURS)}, **env}


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


async def run_to_end(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60) -> Finished:
    """Run `sayso ARGS` while this loop keeps serving the fakes; return how it ended."""
    process = await asyncio.create_subprocess_exec(
        SAYSO,
        *args,
        env=clean_env(env),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(f"sayso {' '.join(args)} did not end in {timeout} s:\n{err.decode()}") from None
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


@dataclass
class Running:
    process: asyncio.subprocess.Process
    url: str
    log: Path


@asynccontextmanager
async def running_sayso(env: dict[str, str], cwd: Path, *, ready_within: float = 60) -> AsyncIterator[Running]:
    """`sayso run` until /healthz answers; SIGTERM (then SIGKILL) on the way out."""
    port = free_port()
    log = cwd / f"sayso-{port}.log"
    full = {"SAYSO_HTTP_PORT": str(port), **env}
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            SAYSO, "run", env=clean_env(full), cwd=cwd, stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink
        )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=2) as probe:
            for _ in range(int(ready_within / 0.1)):
                if process.returncode is not None:
                    raise AssertionError(f"sayso run exited {process.returncode}:\n{log.read_text()}")
                try:
                    await probe.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"sayso run did not answer /healthz:\n{log.read_text()}")
        yield Running(process, url, log)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
