"""Events for the team's own tools (signed webhooks), written to the outbox in the transaction of
what they report, so a crash between the commit and the post loses none.

Never for the suggestion box or the staff poll: the timing of an event alone could tell who
wrote a suggestion or cast a vote, so neither capability has a way to emit one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.outbox import enqueue

PAYLOAD_VERSION = 1


class EventType(StrEnum):
    SURVEY_COMPLETED = "survey.completed"
    ALERT_OPENED = "alert.opened"
    ALERT_CLAIMED = "alert.claimed"
    ALERT_RESOLVED = "alert.resolved"
    FOLLOWUP_ANSWERED = "followup.answered"
    DIGEST_SENT = "digest.sent"


def event_body(event_type: str, data: Mapping[str, Any], at: datetime) -> str:
    """The JSON body receivers get: `{"type", "version", "timestamp", "data"}`."""
    payload = {"type": event_type, "version": PAYLOAD_VERSION, "timestamp": at.isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


@dataclass(frozen=True, slots=True)
class Outbox:
    """Where events go; with no URL configured, emitting does nothing (and costs nothing)."""

    urls: Sequence[str] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.urls)

    async def emit(
        self, session: AsyncSession, event_type: EventType, data: Mapping[str, Any], *, now: datetime
    ) -> str | None:
        """Queue the event in `session`'s transaction; returns its webhook-id, or None when disabled."""
        if not self.urls:
            return None
        return await enqueue(
            session, event_type=event_type, body=event_body(event_type, data, now), urls=self.urls, now=now
        )
