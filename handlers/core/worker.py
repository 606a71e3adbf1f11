"""A background loop of the one process: passes until stopped, an early pass on demand, a fault
logged and retried on the next pass (a database that is down must not end the loop)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class Worker:
    """Subclasses say what one pass does (`work`) and what it is called in the log (`doing`)."""

    doing = "work"

    def __init__(self, *, idle_seconds: float) -> None:
        self._idle = idle_seconds
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Ask for an early pass."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the pass under way, then leave `run`."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.work()
            except Exception:
                log.exception("%s pass failed; retrying in %.0f s", self.doing, self._idle)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle)
            self._wake.clear()

    async def work(self) -> None:
        raise NotImplementedError
