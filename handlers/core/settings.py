"""What every capability's settings share: the TOML section base, the anonymity rules and cron checks.

Each capability owns the section of the operator's file it reads (its model, defaults and validation,
once); `bot.config` only composes the sections and reads the environment.
"""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """A table of the operator's TOML file: unknown keys are refused, values never change after start."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Anonymity(Section):
    """`[anonymity]`: the small-group rule every figure and theme follows, and how long free text stays linked."""

    min_group_size: int = Field(5, ge=2, le=1000)
    show_verbatims: bool = True
    text_retention_days: int = Field(365, ge=0, le=3650, description="free text unlinked from people after; 0: never")


def check_cron(value: str) -> str:
    """`value` unchanged if APScheduler reads it as a crontab line, else a `ValueError` saying how to write one."""
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a crontab expression ({exc}); for example '0 9 * * mon'") from None
    return value


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def check_zone(value: str, *, example: str = "Asia/Karachi") -> str:
    """`value` unchanged if it names an IANA time zone, else a `ValueError` naming the closest ones."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, _zones(), n=1, cutoff=0.8)
        hint = f"did you mean {close[0]}?" if close else f"for example {example}"
        raise ValueError(f"unknown IANA time zone {value!r} ({hint})") from None
    return value
