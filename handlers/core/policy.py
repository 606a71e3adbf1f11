"""The operator's rules: timings, limits and defaults, already validated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from handlers.core.quiet_hours import QuietHours


@dataclass(frozen=True, slots=True)
class Policy:
    default_language: str = "en"
    default_survey: str = "csat"
    delay: timedelta = timedelta(0)
    expiry: timedelta = timedelta(days=3)
    throttle_window: timedelta = timedelta(days=7)
    max_attempts: int = 5
    retry_backoff: timedelta = timedelta(seconds=30)
    timezone: str = "UTC"  # for people whose own zone is not known
    quiet_hours: QuietHours | None = None
    reminder_after: timedelta | None = None
