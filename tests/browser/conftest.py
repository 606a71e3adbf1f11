"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against a real
`sayso run`, one browser for the whole test session. Without Chromium they are skipped, saying how
to install it; under CI they are required."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.conftest import IN_CI
from tests.fakes.process import SAYSO, clean_env, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL = (
    "browser tests need Chromium: apt-get install -y chromium (Debian's package; Playwright's own download cannot work)"
)
API_TOKEN = "browser-test-api-token-0123"
PASSWORD = "a long enough pass phrase"
# Chromium reaches out to Google at start unless told not to; this machine's network is closed.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"
TAKE_SCREENSHOTS = bool(os.environ.get("SAYSO_SCREENSHOTS"))  # read before the tests clear SAYSO_* settings


def pytest_report_header(config: pytest.Config) -> str | None:
    return None if CHROMIUM else INSTALL


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    """One Chromium for the whole test session, on the session's event loop (the async API, so the
    other tests' loops are left alone)."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail(f"CI is set but Chromium is missing: {INSTALL}")
        pytest.skip(INSTALL)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET_FLAGS)
        yield launched
        await launched.close()


def _sayso(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run([SAYSO, *args], env=clean_env(env), cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class Console:
    """A running `sayso run` with a few weeks of history and staff accounts invited through the CLI."""

    url: str
    folder: Path
    env: dict[str, str]
    links: dict[str, str] = field(default_factory=dict)

    def invite(self, email: str, role: str, *extra: str) -> str:
        printed = _sayso("staff", "invite", email, "--role", role, *extra, env=self.env, cwd=self.folder)
        found = re.search(r"(http://\S+/console/invite/\S+)", printed)
        assert found, printed
        return found.group(1)

    def summary(self, week: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        return httpx.get(f"{self.url}/api/v1/summary", params={"week": week}, headers=headers, timeout=30).json()


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    if CHROMIUM is None:
        pytest.skip(INSTALL)
    folder = tmp_path_factory.mktemp("console")
    port = free_port()
    env = {"SAYSO_HTTP_PORT": str(port), "SAYSO_API_TOKEN": API_TOKEN, "DATABASE_URL": f"sqlite:///{folder}/sayso.db"}
    _sayso("demo-data", "--answers", "3000", "--weeks", "6", "--seed", "5", env=env, cwd=folder)
    log = (folder / "sayso.log").open("wb")
    process = subprocess.Popen(
        [SAYSO, "run"], env=clean_env(env), cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert process.poll() is None, (folder / "sayso.log").read_text()
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Console(url, folder, env)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Any, console: Console) -> AsyncIterator[Any]:
    """A fresh browser context (no cookies) whose every request is recorded, to check none leaves the origin."""
    context = await browser.new_context(base_url=console.url, locale="en-US")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    tab = await context.new_page()
    yield tab
    await context.close()
    others = [url for url in requested if not url.startswith((console.url, "data:", "about:"))]
    assert not others, f"requests left the server's origin: {others}"


async def screenshot(page: Any, name: str) -> None:
    """Kept for the README when SAYSO_SCREENSHOTS is set (the docs' images are taken by these tests)."""
    if TAKE_SCREENSHOTS:
        await page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
