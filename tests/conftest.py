"""Shared fixtures: a real SQLite file and a real PostgreSQL schema per test, and the services on top."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bot.config import Config, FileConfig, Settings
from bot.wiring import Services, build_services
from handlers.core.surveys import BUILTIN
from handlers.text.sentiment import TextAnalyzer
from tests.fakes.recording import RecordingChannel

PG_URL = os.environ.get("SAYSO_TEST_DATABASE_URL")
IN_CI = bool(os.environ.get("CI"))
_OUR_PREFIXES = ("SAYSO_", "SLACK_", "TELEGRAM_", "DATABASE_URL")


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI is set but SAYSO_TEST_DATABASE_URL is not: PostgreSQL tests must run in CI")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests see only the settings they give; a developer's shell or .env must not leak in."""
    for name in list(os.environ):
        if name.startswith(_OUR_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """A test that sets up logging in-process (`setup_logging`, a CLI run through CliRunner) points
    the root logger at a stream pytest closes after it; later tests then print a "Logging error"
    traceback for every line they log. Each test gets the root logger back as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _no_real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tripwire: any connection that leaves this machine fails the test that made it."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if not (host.startswith("127.") or host in ("::1", "localhost")):
                raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _pg_schema_url(schema: str) -> str:
    assert PG_URL
    url = make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def _pg_admin(sql: str) -> None:
    assert PG_URL
    url = make_url(PG_URL).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sayso.db'}"
        return
    if not PG_URL:
        pytest.skip("SAYSO_TEST_DATABASE_URL is not set (CI always sets it)")
    schema = f"t_{secrets.token_hex(6)}"
    try:
        _pg_admin(f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError as exc:
        pytest.fail(f"SAYSO_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    try:
        yield _pg_schema_url(schema)
    finally:
        _pg_admin(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def analyzer() -> TextAnalyzer:
    """Loaded up front, as `sayso run` does before it reports healthy: a test's first comment must
    not wait seconds for the models inside a reply timeout (it did, on a busy machine)."""
    loaded = TextAnalyzer()
    loaded.warm_up()
    return loaded


def file_config(**file: Any) -> FileConfig:
    """The operator's file as tests use it: no quiet hours unless a test asks for them, so a
    suite run at night in UTC behaves like one by day."""
    delivery = {"quiet_hours": False, **file.pop("delivery", {})}
    return FileConfig.model_validate({"delivery": delivery, **file})


def make_config(database_url: str, **file: Any) -> Config:
    settings = Settings(_env_file=None, **{"DATABASE_URL": database_url})  # type: ignore[call-arg]
    return Config(settings=settings, file=file_config(**file), surveys=dict(BUILTIN))


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def services(db_url: str, analyzer: TextAnalyzer, channel: RecordingChannel) -> AsyncIterator[Services]:
    async with build_services(make_config(db_url), analyzer=analyzer) as built:
        built.channels.add(channel)
        yield built
