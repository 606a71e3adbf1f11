"""What `/healthz` reports: whether the database answers and how long due surveys have waited."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.core.context import Context
from storage.db import READ_ONLY, ping
from storage.survey_requests import queue_status


@dataclass(frozen=True, slots=True)
class Queue:
    scheduled: int
    due: int
    oldest_due: datetime | None
    oldest_due_seconds: float


class PlatformStatus(StrEnum):
    CONFIGURED = "configured"  # set up, not started (yet)
    OK = "ok"
    DEGRADED = "degraded"  # did not answer at start; retried in the background
    FAILED = "failed"  # refused the token: nothing more is tried


@dataclass(frozen=True, slots=True)
class PlatformHealth:
    """A chat platform's state as `/healthz` shows it: `ok`, or the status and why."""

    status: PlatformStatus
    detail: str | None = None

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}" if self.detail else str(self.status)

    @property
    def healthy(self) -> bool:
        return self.status is PlatformStatus.OK


# A hung database gets a 503 within this, so a load balancer moves on.
HEALTH_TIMEOUT = 1.0


async def database_answers(database: AsyncEngine) -> None:
    """Raise the driver's error when the database does not answer, TimeoutError when it is too slow."""
    await asyncio.wait_for(ping(database), HEALTH_TIMEOUT)


async def survey_queue(context: Context) -> Queue:
    now = context.clock()
    async with context.reads() as session:
        await session.connection(execution_options=READ_ONLY)  # a health check must not wait for writers
        status = await queue_status(session, now=now)
    oldest = status.oldest_due
    waited = (now - oldest).total_seconds() if oldest else 0.0
    return Queue(status.scheduled, status.due, oldest, round(waited, 1))
