"""The operator's TOML file (`SAYSO_CONFIG`): delivery, throttling, anonymity, alerts, the suggestion box,
the digest, targets and custom surveys."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot.config.settings import check_cron
from handlers.core.policy import Policy
from handlers.core.quiet_hours import QuietHours
from handlers.i18n import SHIPPED


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeliveryConfig(_Section):
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


class ThrottleConfig(_Section):
    window_days: float = Field(7, ge=0, le=365)


class AnonymityConfig(_Section):
    min_group_size: int = Field(5, ge=2, le=1000)
    show_verbatims: bool = True
    text_retention_days: int = Field(365, ge=0, le=3650, description="free text unlinked from people after; 0: never")


class AlertsConfig(_Section):
    enabled: bool = True
    csat_at_most: int = Field(2, ge=1, le=4, description="an overall CSAT at or below this raises an alert")
    nps_at_most: int = Field(6, ge=0, le=9, description="detractors: 0–6")
    sentiment_at_most: float = Field(-0.5, ge=-1, le=0, description="a comment this negative raises one")
    reraise_after_hours: float = Field(4, gt=0, le=24 * 14, description="raised again once if unclaimed")
    tell_customer: bool = Field(True, description="tell the customer someone will get back to them")


class SuggestionsConfig(_Section):
    max_chars: int = Field(1000, ge=50, le=4000)
    max_per_day: int = Field(3, ge=1, le=100, description="per person, counted in memory only")
    prompt_every_days: int = Field(0, ge=0, le=365, description="0: never invite")
    prompt_hour: int = Field(11, ge=0, le=23, description="local hour (SAYSO_TIMEZONE) of the invitations")
    prompt_platforms: list[Literal["telegram", "slack", "console"]] = ["telegram"]
    prompt_slack_channels: list[str] = Field(default_factory=list)
    repeat_min: int = Field(2, ge=2, le=100, description="suggestions that make a theme a repeated complaint")
    theme_weeks: int = Field(12, ge=1, le=104)


class DigestConfig(_Section):
    languages: dict[str, str] = Field(default_factory=dict, description="destination chat id → language code")
    poll_cron: str | None = Field("0 14 * * fri", description="when the staff perception poll goes out; none: off")
    complaint_weeks: int = Field(4, ge=1, le=52, description="weeks of suggestions the digest's complaints cover")

    @field_validator("poll_cron")
    @classmethod
    def _poll_cron(cls, value: str | None) -> str | None:
        return check_cron(value) if value else None

    @field_validator("languages")
    @classmethod
    def _shipped(cls, value: dict[str, str]) -> dict[str, str]:
        for chat, code in value.items():
            if code not in SHIPPED:
                raise ValueError(f"{chat}: language must be one of {', '.join(SHIPPED)}, not {code!r}")
        return value


class TargetsConfig(_Section):
    csat: float | None = Field(0.85, ge=0, le=1, description="share of 4–5 answers")
    nps: float | None = Field(30, ge=-100, le=100)
    ces: float | None = Field(None, ge=1, le=7)


class FileConfig(_Section):
    """The operator's TOML file."""

    default_language: str = "en"
    delivery: DeliveryConfig = DeliveryConfig()
    throttle: ThrottleConfig = ThrottleConfig()
    anonymity: AnonymityConfig = AnonymityConfig()
    suggestions: SuggestionsConfig = SuggestionsConfig()
    alerts: AlertsConfig = AlertsConfig()
    digest: DigestConfig = DigestConfig()
    targets: TargetsConfig = TargetsConfig()
    surveys: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SHIPPED:
            raise ValueError(f"must be one of {', '.join(SHIPPED)}")
        return value

    def policy(self, timezone: str = "UTC") -> Policy:
        d = self.delivery
        return Policy(
            default_language=self.default_language,
            default_survey=self.delivery.default_survey,
            delay=timedelta(seconds=self.delivery.delay_seconds),
            expiry=timedelta(hours=self.delivery.expiry_hours),
            throttle_window=timedelta(days=self.throttle.window_days),
            max_attempts=self.delivery.max_attempts,
            retry_backoff=timedelta(seconds=self.delivery.retry_backoff_seconds),
            timezone=timezone,
            quiet_hours=QuietHours(d.quiet_start, d.quiet_end)
            if d.quiet_hours and d.quiet_start and d.quiet_end
            else None,
            reminder_after=timedelta(hours=d.reminder_hours) if d.reminder_hours else None,
        )
