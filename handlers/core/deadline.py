"""How long an inbound event may wait for the database, and the work that does not count against it.

Slack wants its ack within 3 s, and a hung database must not hold a person there. The deadline
bounds the whole event, except CPU work in a worker thread (reading a comment's language and tone,
which loads models the first time): a slow model is not a hung database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

_current: ContextVar[asyncio.Timeout | None] = ContextVar("event_deadline", default=None)


class Deadline:
    """A running deadline as another task sees it: how long is left (None while paused by `outside`)."""

    def __init__(self, timeout: asyncio.Timeout) -> None:
        self._timeout = timeout

    def left(self) -> float | None:
        when = self._timeout.when()
        return None if when is None else when - asyncio.get_running_loop().time()

    def expired_for(self, seconds: float) -> bool:
        """Whether the deadline passed at least `seconds` ago (so the work is only cleaning up)."""
        left = self.left()
        return left is not None and left <= -seconds


@asynccontextmanager
async def within(seconds: float) -> AsyncIterator[Deadline]:
    """Raise TimeoutError if the block takes longer than `seconds`, not counting `outside` parts."""
    async with asyncio.timeout(seconds) as timeout:
        token = _current.set(timeout)
        try:
            yield Deadline(timeout)
        finally:
            _current.reset(token)


@asynccontextmanager
async def outside() -> AsyncIterator[None]:
    """Pause the current deadline for the block; the time left is kept for after it."""
    deadline = _current.get()
    when = deadline.when() if deadline is not None else None
    if deadline is None or when is None:
        yield
        return
    loop = asyncio.get_running_loop()
    left = when - loop.time()
    deadline.reschedule(None)
    try:
        yield
    finally:
        deadline.reschedule(loop.time() + max(left, 0.0))
