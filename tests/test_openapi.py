"""The OpenAPI document tells the truth: schemathesis sends what it describes to a running `sayso run`
and checks every answer against it (status codes, bodies, no 5xx), with a bounded number of examples."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.fakes.process import SAYSO, clean_env, free_port

TOKEN = "schemathesis-token-0123456789"


@pytest.fixture(scope="module")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("openapi")
    port = free_port()
    env = clean_env(
        {
            "SAYSO_HTTP_PORT": str(port),
            "SAYSO_API_TOKEN": TOKEN,
            "SAYSO_HOOK_SECRET": TOKEN,
            "DATABASE_URL": f"sqlite:///{folder}/s.db",
        }
    )
    with (folder / "sayso.log").open("wb") as log:
        process = subprocess.Popen([SAYSO, "run"], env=env, cwd=folder, stdin=subprocess.PIPE, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)


def test_every_answer_matches_the_document(api_url):
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def conforms(case: schemathesis.Case) -> None:
            # Schema-valid bodies may still be refused for what no schema can say (a survey that is
            # not configured, a time zone that does not exist): a 422 there is right, not a lie.
            case.call_and_validate(
                headers={"Authorization": f"Bearer {TOKEN}", "X-Sayso-Hook-Secret": TOKEN},
                excluded_checks=[positive_data_acceptance],
            )

        conforms()
        checked.append(operation.label)
    assert {
        "POST /api/v1/interactions",
        "POST /api/v1/hooks/chatwoot",
        "GET /api/v1/summary",
        "GET /healthz",
        "GET /metrics",
    } <= set(checked)
