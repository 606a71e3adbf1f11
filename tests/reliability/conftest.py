"""Fault and load tests (`pytest -m reliability`, run by `.ci/run`): real processes, real faults,
bounded in requests and seconds, each printing its figures before asserting its pass line."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL, _pg_admin, _pg_schema_url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/reliability/" in str(item.fspath):
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of the test's own (these tests are about PostgreSQL in production)."""
    if not PG_URL:
        pytest.skip("SAYSO_TEST_DATABASE_URL is not set (CI always sets it)")
    schema = f"r_{secrets.token_hex(6)}"
    _pg_admin(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        _pg_admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def no_quiet_hours(tmp_path: Path) -> str:
    """A SAYSO_CONFIG file without quiet hours, so a test run at night in UTC sends at once."""
    path = tmp_path / "sayso.toml"
    path.write_text("[delivery]\nquiet_hours = false\n")
    return str(path)
