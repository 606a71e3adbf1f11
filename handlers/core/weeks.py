"""ISO weeks in the operator's time zone: the period of the digest, the staff poll and the suggestion box."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> str:
    """Validate "2026-W47"; raise ValueError with a readable message otherwise."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO week: {text!r} (write it like 2026-W47)")
    if not 1971 <= int(match[1]) <= 9998:  # the trend looks back a year; datetime ends at 9999
        raise ValueError(f"not a week Sayso can have data for: {text!r}")
    date.fromisocalendar(int(match[1]), int(match[2]), 1)  # rejects week 54 and the like
    return text.strip()


def week_of(moment: datetime, timezone: str) -> str:
    """The ISO week ("2026-W47") that `moment` falls in, on the wall clock of `timezone`."""
    year, week, _ = moment.astimezone(ZoneInfo(timezone)).isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_bounds(week: str, timezone: str) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in `timezone`, as UTC (daylight saving included)."""
    year, number = int(week[:4]), int(week[6:])
    monday = date.fromisocalendar(year, number, 1)
    zone = ZoneInfo(timezone)
    start = datetime.combine(monday, time(), zone)
    end = datetime.combine(monday + timedelta(days=7), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def shift(week: str, weeks: int, timezone: str) -> str:
    """The week `weeks` after (or before, if negative) `week`."""
    start, _ = week_bounds(week, timezone)
    return week_of(start + timedelta(weeks=weeks, hours=12), timezone)


def weeks_up_to(week: str, count: int, timezone: str) -> tuple[str, ...]:
    """`week` and the `count - 1` weeks before it, oldest first."""
    return tuple(shift(week, -back, timezone) for back in reversed(range(count)))


def weeks_ending(moment: datetime, count: int, timezone: str) -> tuple[str, ...]:
    """The ISO week of `moment` and the `count - 1` before it, oldest first."""
    return weeks_up_to(week_of(moment, timezone), count, timezone)
