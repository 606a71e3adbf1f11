"""The one shared state: open the database, check that it answers, bring its schema to head."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.core.redaction import masked_url
from storage.db import DatabaseUrlError, async_url, create_engine, create_reader, ping, session_factory, sqlite_file
from storage.migrate import current_revision, head_revision, upgrade

log = logging.getLogger(__name__)

__all__ = [
    "DatabaseUrlError",
    "check_url",
    "describe_database",
    "describe_error",
    "open_database",
    "open_reader",
    "schema_revision",
    "session_factory",
    "sqlite_file",
]


def check_url(url: str) -> None:
    """Raise `DatabaseUrlError` with a readable reason when `url` cannot be used."""
    async_url(url)


class DatabaseUnreachable(Exception):
    """The database did not answer; the message is one line for the operator."""


async def describe_database(url: str) -> str:
    """Reach the database (without creating or changing anything) and say what is there, e.g.
    "answers; schema 0012 (current)". Raises `DatabaseUnreachable` with the reason otherwise."""
    file = sqlite_file(url)
    if file is not None and not file.exists():
        return f"a new SQLite file, created at start ({file})"
    database = create_engine(url)
    try:
        await asyncio.wait_for(ping(database), 5)
        revision = await current_revision(database)
    except (SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
        raise DatabaseUnreachable(describe_error(url, exc)) from None
    finally:
        await database.dispose()
    head = head_revision()
    if revision == head:
        return f"answers; schema {revision} (current)"
    return f"answers; schema {revision or 'empty'}, migrated to {head} at start (or by `sayso db upgrade`)"


def describe_error(url: str, exc: BaseException) -> str:
    """One line for the operator: where, and the driver's first line of why, without the password."""
    where = masked_url(url)
    text = str(getattr(exc, "orig", None) or exc).strip()
    reason = text.splitlines()[0] if text else f"did not answer in time ({type(exc).__name__})"
    return f"DATABASE_URL: cannot use {where}: {reason}"


@asynccontextmanager
async def open_database(url: str, *, migrate: bool) -> AsyncIterator[AsyncEngine]:
    """Connect, check the connection, migrate to head if asked; dispose of the pool on the way out."""
    threads_before = set(threading.enumerate())
    database = create_engine(url)
    try:
        try:
            await ping(database)
        except BaseException:
            await database.dispose()
            # aiosqlite closes a failed connection on its worker thread and then reports back to
            # this loop; were the loop closed first (the CLI exits right after this error), that
            # thread would print "Event loop is closed" tracebacks over the one-line message.
            for worker in set(threading.enumerate()) - threads_before:
                if worker.name.endswith("(_connection_worker_thread)"):  # aiosqlite's, by its target
                    await asyncio.to_thread(worker.join, 2)
            raise
        if migrate:
            before = await current_revision(database)
            await upgrade(database)
            after = await current_revision(database)
            if after != before:
                log.info("database schema migrated", extra={"from_revision": before, "to_revision": after})
        yield database
    finally:
        await database.dispose()


@asynccontextmanager
async def open_reader(database: AsyncEngine) -> AsyncIterator[AsyncEngine | None]:
    """The read pool beside `database`, where one is worth having (see `storage.db.create_reader`)."""
    reader = create_reader(database)
    try:
        yield reader
    finally:
        if reader is not None:
            await reader.dispose()


async def schema_revision(database: AsyncEngine) -> str | None:
    return await current_revision(database)
