"""Quiet hours in the respondent's own time zone: no survey or reminder arrives at night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time  # e.g. 21:00
    end: time  # e.g. 08:00; before `start` means the quiet spans midnight

    def _quiet(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, zone: str) -> datetime | None:
        """None if `moment` is fine; otherwise the end of this quiet spell, in UTC.

        Computed on the local wall clock, so the morning stays 08:00 across a daylight-saving
        change (and a wall time skipped by the change resolves to the first valid instant).
        """
        tz = ZoneInfo(zone)
        local = moment.astimezone(tz)
        if not self._quiet(local.time()):
            return None
        day = local.date() if local.time() < self.end else local.date() + timedelta(days=1)
        wake = datetime.combine(day, self.end, tz)
        # A wall time in a spring-forward gap does not exist; normalise it through UTC.
        return wake.astimezone(UTC).astimezone(tz).astimezone(UTC)
