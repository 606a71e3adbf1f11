"""Small writes from concurrent tasks gathered into one transaction ("group commit").

SQLite has one writer, and each write transaction costs a turn of it however little it holds; on
PostgreSQL each costs round trips. Sixteen sends in flight, each recording its intent to post and
then its outcome in a transaction of its own, made 32 transactions per 16 surveys, each queued
behind whatever else was writing (an API intake, say). Gathered, they make a few. No write waits
for a timer: a transaction starts at the event loop's next turn with every write waiting, and
those that arrive while it runs go together into the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """`await group(item)` returns what `write` gave for that item. `write` gets every item waiting
    at once and returns one result per item, in order; when it raises, every item of that call
    gets the exception (as a transaction of its own would have failed)."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[Sequence[R]]]) -> None:
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._writer is None or self._writer.done():
            # A task of its own: a caller cancelled while waiting must not stop the others' write.
            self._writer = asyncio.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                results = await self._write([item for item, _ in batch])
            except asyncio.CancelledError:  # shutting down: nobody waits for ever
                for _, done in [*batch, *self._waiting]:
                    done.cancel()
                raise
            except Exception as error:  # handed to every caller of the batch
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)
