"""The one shared state: open the database, check that it answers, bring its schema to head."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.core.redaction import masked_url
from storage.db import DatabaseUrlError, async_url, create_engine, create_reader, ping, session_factory
from storage.migrate import current_revision, upgrade

log = logging.getLogger(__name__)

__all__ = [
    "DatabaseUrlError",
    "check_url",
    "describe_error",
    "open_database",
    "open_reader",
    "schema_revision",
    "session_factory",
]


def check_url(url: str) -> None:
    """Raise `DatabaseUrlError` with a readable reason when `url` cannot be used."""
    async_url(url)


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
