"""SQLite through aiosqlite with one thread hand-off per statement instead of three or four.

aiosqlite runs every sqlite3 call in its connection's thread; SQLAlchemy's adapter makes a call of
each DBAPI step (open a cursor, execute, fetch the rows, close the cursor), so a button press of
five statements took 23 hand-offs, each waiting for the event loop's next turn while the one
writer connection sat idle. Here a statement is one call that does all four steps in the thread
and hands back the rows with the cursor's description, rowcount and lastrowid; a transaction's
BEGIN goes in the same call as its first statement; a commit or rollback with nothing open (the
pool's reset after every commit) makes no call at all. Streaming (server-side) cursors are
unchanged.

Used as the `module` of the aiosqlite dialect, so URLs stay `sqlite://…` (see `storage.db`).
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, int, int | None, list[Any]]  # description, rowcount, lastrowid, rows


def _run(connection: aiosqlite.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> _Outcome:
    """In aiosqlite's thread: the transaction's BEGIN if this is its first statement, then the
    whole statement, start to closed cursor."""
    sqlite = connection._conn  # the sqlite3 connection, owned by this thread
    if begin is not None:
        sqlite.execute(begin)
    cursor = sqlite.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class _OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs as one call in aiosqlite's thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor to open: `_run` makes and closes its own in the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: _Outcome = (None, -1, None, [])

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[2]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Every row is fetched at once; there is no batch size to set."""

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._call(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        return await self._call(operation, seq_of_parameters, many=True)

    async def _call(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection = self._adapt_connection
        assert isinstance(connection, _OneCallConnection)
        async with connection._execute_mutex:
            begin = connection.take_begin()
            self._outcome = await self._connection._execute(_run, self._connection, begin, operation, parameters, many)
            self._rows = collections.deque(self._outcome[3])

    async def _async_soft_close(self) -> None:
        """The sqlite3 cursor closed in the thread already."""

    def close(self) -> None:
        self._rows.clear()


class _OneCallConnection(AsyncAdapt_aiosqlite_connection):
    """A transaction's BEGIN waits here and goes with its first statement (one call, not two); a
    transaction that ran no statement commits or rolls back without a call."""

    __slots__ = ("_begin",)
    _cursor_cls = _OneCallCursor  # type: ignore[assignment]  # a subclass; mypy reads the base's as invariant

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._begin: str | None = None

    def begin_with_next(self, statement: str) -> None:
        """Start the transaction with `statement` (a BEGIN) just before the next statement runs."""
        self._begin = statement

    def take_begin(self) -> str | None:
        begin, self._begin = self._begin, None
        return begin

    def commit(self) -> None:
        if self.take_begin() is None:
            super().commit()

    def rollback(self) -> None:
        self._begin = None
        # `in_transaction` reads SQLite's autocommit flag, safe from the loop's thread.
        if self._connection._connection is not None and self._connection.in_transaction:
            super().rollback()


class OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI shim of SQLAlchemy, with connections of `_OneCallConnection`."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> _OneCallConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's own shim: a stuck thread must not block exit
        return _OneCallConnection(self, await_(connection))
