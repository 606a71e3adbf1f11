"""Async engine construction: maps plain database URLs to async drivers and tunes SQLite for one writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.sqlite_driver import OneCallDBAPI

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


class DatabaseUrlError(ValueError):
    """The configured database URL cannot be used."""


def async_url(url: str) -> str:
    """Return `url` with its async driver (`sqlite://` -> aiosqlite, `postgresql://` -> psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(f"unsupported database {backend!r}; use sqlite:///… or postgresql://…")
    _, plus, driver = parsed.drivername.partition("+")
    if plus and driver not in ("aiosqlite", "psycopg", "psycopg_async"):
        raise DatabaseUrlError(f"driver {driver!r} is not installed; write the URL without it ({backend}://…)")
    if (file := sqlite_file(url)) is not None and not file.parent.is_dir():
        raise DatabaseUrlError(
            f"cannot use {url}: the folder {file.parent} does not exist; create it, or point DATABASE_URL elsewhere"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


# A database that stops answering must not hang requests: Slack wants an ack within 3 s. libpq's
# connect_timeout bounds a new connection, tcp_user_timeout a silent peer on an open one (a black
# hole: sent data never acknowledged), statement_timeout a query the server itself is stuck on,
# and pool_timeout the wait for a free pooled connection.
PG_TIMEOUTS = {"connect_timeout": 2, "tcp_user_timeout": 2000}
STATEMENT_TIMEOUT = "5s"
POOL_TIMEOUT = 2.0


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite enable WAL, foreign keys and write-intent transactions;
    on PostgreSQL bound every wait (see `PG_TIMEOUTS`)."""
    target = async_url(url)
    parsed = make_url(target)
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {**PG_TIMEOUTS, **kwargs.get("connect_args", {})}
        kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    elif parsed.database not in (None, "", ":memory:"):
        # One connection: SQLite has one writer anyway, and transactions queued here, in order,
        # wait far less than connections polling the lock in SQLite's sleeping busy handler.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
    options = {"pool_pre_ping": True, **(_SQLITE_ENGINE if parsed.get_backend_name() == "sqlite" else {}), **kwargs}
    # hide_parameters: SQL errors in logs must never carry answers or suggestion texts.
    engine = create_async_engine(target, hide_parameters=True, **options)
    if is_sqlite(engine):
        _tune_sqlite(engine)
    else:
        _bound_statements(engine)
    return engine


# A local file has no connection to lose, so no ping before each checkout (a thread hand-off each);
# statements take one hand-off each (`storage.sqlite_driver`).
_SQLITE_ENGINE: dict[str, Any] = {"pool_pre_ping": False, "module": OneCallDBAPI()}


def _bound_statements(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
        cursor.close()
        dbapi_connection.commit()


def _tune_sqlite(engine: AsyncEngine, *, begin: str = "IMMEDIATE") -> None:
    # pysqlite's own transaction handling starts transactions lazily and upgrades read locks
    # to write locks mid-transaction, which fails at once with "database is locked" under
    # concurrency instead of waiting. Taking the write lock at BEGIN makes writers queue
    # behind busy_timeout, the single-writer model SQLite is built for.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", begin)
        connection.connection.dbapi_connection.begin_with_next(f"BEGIN {mode}")


def create_reader(engine: AsyncEngine) -> AsyncEngine | None:
    """A pool for reads beside a file SQLite database's one writer connection: in WAL mode readers
    never wait for the writer, so a digest or a health check does not queue behind button presses,
    nor they behind it. None elsewhere: PostgreSQL's pool serves both, and an in-memory SQLite
    database exists only on its one connection."""
    if not is_sqlite(engine) or engine.url.database in (None, "", ":memory:"):
        return None
    reader = create_async_engine(engine.url, pool_size=4, max_overflow=0, hide_parameters=True, **_SQLITE_ENGINE)
    _tune_sqlite(reader, begin="DEFERRED")

    @event.listens_for(reader.sync_engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")

    return reader


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# A read that must not queue behind SQLite's writers (BEGIN IMMEDIATE is for writes).
READ_ONLY = {"sqlite_begin": "DEFERRED"}


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database cannot be reached."""
    async with engine.connect() as conn:
        await conn.execution_options(**READ_ONLY)
        await conn.execute(text("SELECT 1"))
