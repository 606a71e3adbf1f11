"""The `[delivery]` and `[throttle]` sections (when and how often surveys go out) and the policy built from them.

They live in `core` rather than in `survey` because the digest (expiry) and the context (default
language) read the policy too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Self

from pydantic import Field, model_validator

from handlers.core.quiet_hours import QuietHours
from handlers.core.settings import Section


class Delivery(Section):
    """`[delivery]`: the survey's default, its timing, retries, quiet hours, reminders and sending pace."""

    default_survey: str = "csat"
    delay_seconds: int = Field(0, ge=0, le=30 * 86400)
    expiry_hours: float = Field(72, gt=0, le=24 * 90)
    max_attempts: int = Field(5, ge=1, le=50)
    retry_backoff_seconds: float = Field(30, gt=0, le=86400)
    quiet_hours: bool = Field(True, description="no surveys or reminders at night in the respondent's zone")
    quiet_start: time | None = Field(time(21, 0), description="local time (the respondent's zone) quiet hours begin")
    quiet_end: time | None = Field(time(8, 0), description="local time surveys may go out again")
    reminder_hours: float = Field(24, ge=0, le=24 * 30, description="one reminder after this long; 0: none")
    batch: int = Field(50, ge=1, le=1000, description="surveys one sender claims at a time")
    parallel: int = Field(16, ge=1, le=256, description="sends in flight at once per process")

    @model_validator(mode="after")
    def _quiet_pair(self) -> Self:
        if (self.quiet_start is None) != (self.quiet_end is None) or (
            self.quiet_start is not None and self.quiet_start == self.quiet_end
        ):
            raise ValueError("quiet_start and quiet_end go together and must differ (or both be left out)")
        if self.reminder_hours and self.reminder_hours >= self.expiry_hours:
            raise ValueError("reminder_hours must be shorter than expiry_hours")
        return self


class Throttle(Section):
    """`[throttle]`: one survey per person per window."""

    window_days: float = Field(7, ge=0, le=365)


@dataclass(frozen=True, slots=True)
class Policy:
    """The operator's rules in the form the engine reads them: durations, the zone, the quiet hours."""

    default_language: str
    default_survey: str
    delay: timedelta
    expiry: timedelta
    throttle_window: timedelta
    max_attempts: int
    retry_backoff: timedelta
    timezone: str  # for people whose own zone is not known
    quiet_hours: QuietHours | None
    reminder_after: timedelta | None

    @classmethod
    def of(
        cls,
        delivery: Delivery | None = None,
        throttle: Throttle | None = None,
        *,
        default_language: str = "en",
        timezone: str = "UTC",
    ) -> Self:
        d, t = delivery or Delivery(), throttle or Throttle()
        quiet = d.quiet_hours and d.quiet_start and d.quiet_end
        return cls(
            default_language=default_language,
            default_survey=d.default_survey,
            delay=timedelta(seconds=d.delay_seconds),
            expiry=timedelta(hours=d.expiry_hours),
            throttle_window=timedelta(days=t.window_days),
            max_attempts=d.max_attempts,
            retry_backoff=timedelta(seconds=d.retry_backoff_seconds),
            timezone=timezone,
            quiet_hours=QuietHours(d.quiet_start, d.quiet_end) if quiet and d.quiet_start and d.quiet_end else None,
            reminder_after=timedelta(hours=d.reminder_hours) if d.reminder_hours else None,
        )
