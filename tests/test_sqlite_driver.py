"""The SQLite driver shim: each statement is one call in aiosqlite's thread, and what SQLAlchemy
reads back (rows, rowcount, lastrowid, errors, streamed results) is what sqlite3 itself gives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path}/driver.db")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def thread_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions queued on aiosqlite's connection threads."""
    calls: list[str] = []
    queue = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await queue(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_transaction_of_three_statements_takes_four_calls(engine, thread_calls):
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a') RETURNING id"))
        assert inserted.scalar_one() == 1
        updated = await conn.execute(text("UPDATE t SET name = 'b' WHERE id = 1"))
        assert updated.rowcount == 1
        assert (await conn.execute(text("SELECT name FROM t"))).all() == [("b",)]
    # BEGIN IMMEDIATE with the first statement, two more, COMMIT; no ping at checkout, no
    # rollback at checkin
    assert len(thread_calls) == 4


async def test_a_transaction_that_ran_nothing_makes_no_call(engine, thread_calls):
    async with engine.begin():
        pass
    async with engine.connect() as conn:
        await conn.begin()
        await conn.rollback()
    assert thread_calls == []


async def test_the_transaction_really_begins_with_its_first_statement(engine):
    """The BEGIN went with the first statement: SQLite has a transaction open from then on."""
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('first')"))
        raw = await conn.get_raw_connection()
        assert raw.driver_connection.in_transaction


async def test_cursor_results_are_sqlite3s(engine):
    async with engine.begin() as conn:
        result = await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "x"}, {"n": "y"}])
        assert result.rowcount == 2
        result = await conn.execute(text("INSERT INTO t (name) VALUES ('z')"))
        assert result.lastrowid == 3
        assert (await conn.execute(text("DELETE FROM t WHERE name IN ('x', 'y')"))).rowcount == 2


async def test_errors_roll_back_and_keep_their_class(engine):
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('b')"))
            await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT name FROM t"))).scalars().all() == ["a"]


async def test_streamed_results_still_stream(engine):
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": f"n{i}"} for i in range(250)])
    async with engine.connect() as conn:
        stream = await conn.stream(text("SELECT name FROM t ORDER BY id"))
        names = [name async for (name,) in stream]
    assert names[:2] == ["n0", "n1"] and len(names) == 250
