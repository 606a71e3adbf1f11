"""Settings from the environment and `.env`, plus the operator's TOML file (`SAYSO_CONFIG`).

Everything is validated before anything starts; a bad value becomes one `ConfigError` line
naming the variable or key.
"""

from __future__ import annotations

import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from handlers.core.policy import Policy
from handlers.core.quiet_hours import QuietHours
from handlers.core.surveys import BUILTIN, Survey
from handlers.i18n import SHIPPED
from storage.db import DatabaseUrlError, async_url


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the operator."""


CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """The environment variables of the public contract (see `.env.example`)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=False
    )

    database_url: str = Field("sqlite:///./sayso.db", validation_alias="DATABASE_URL")
    config_path: Path | None = Field(None, validation_alias="SAYSO_CONFIG")
    http_host: str = Field("127.0.0.1", validation_alias="SAYSO_HTTP_HOST")
    http_port: int = Field(8080, ge=0, le=65535, validation_alias="SAYSO_HTTP_PORT")
    api_token: SecretStr | None = Field(None, validation_alias="SAYSO_API_TOKEN")
    timezone: str = Field("UTC", validation_alias="SAYSO_TIMEZONE")
    digest_cron: str = Field("0 9 * * mon", validation_alias="SAYSO_DIGEST_CRON")
    digest_slack_channels: CsvList = Field(default_factory=list, validation_alias="SAYSO_DIGEST_SLACK_CHANNELS")
    digest_telegram_chats: CsvList = Field(default_factory=list, validation_alias="SAYSO_DIGEST_TELEGRAM_CHATS")
    alert_slack_channels: CsvList | None = Field(None, validation_alias="SAYSO_ALERT_SLACK_CHANNELS")
    alert_telegram_chats: CsvList | None = Field(None, validation_alias="SAYSO_ALERT_TELEGRAM_CHATS")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field("https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_BASE_URL")
    log_level: str = Field("INFO", validation_alias="SAYSO_LOG_LEVEL")
    console_bidi: str = Field("auto", validation_alias="SAYSO_CONSOLE_BIDI")

    @field_validator("digest_slack_channels", "digest_telegram_chats", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator(
        "config_path", "api_token", "alert_slack_channels", "alert_telegram_chats", "telegram_bot_token",
        "telegram_webhook_url", "telegram_webhook_secret", "slack_bot_token", "slack_signing_secret",
        "slack_app_token", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        """`VAR=` in a .env file (as in .env.example) means unset, not an empty secret."""
        if not isinstance(value, str):
            return value
        if info.field_name and info.field_name.startswith("alert_"):
            return cls._split(value) or None
        return value.strip() or None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            async_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r} (for example Europe/Budapest)") from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("console_bidi")
    @classmethod
    def _bidi(cls, value: str) -> str:
        if value.lower() not in ("auto", "on", "off"):
            raise ValueError("use auto, on or off")
        return value.lower()

    @field_validator("telegram_api_base_url", "slack_api_base_url", "telegram_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _pairs(self) -> Self:
        if bool(self.slack_bot_token) != bool(self.slack_signing_secret or self.slack_app_token):
            raise ValueError(
                "SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode), "
                "and they need it"
            )
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET, checked on every update")
        return self

    def secrets(self) -> list[SecretStr]:
        """Every secret that is set, for log redaction."""
        return [value for value in self.__dict__.values() if isinstance(value, SecretStr)]

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None


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
    sentiment_at_most: float = Field(-0.5, ge=-1, le=0, description="a comment this negative (English) raises one")
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


def check_cron(value: str) -> str:
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(f"not a crontab expression ({exc}); for example '0 9 * * mon'") from None
    return value


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


class Config(BaseModel):
    """Everything the process runs with, validated."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    settings: Settings
    file: FileConfig
    surveys: dict[str, Survey]


def _first_error(exc: ValidationError, prefix: str = "") -> str:
    """One line: where (variable or dotted key) and what is wrong."""
    error = exc.errors()[0]
    where = (prefix + ".".join(str(part) for part in error["loc"])).rstrip(". ")
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None


def load_file(path: Path | None) -> tuple[FileConfig, dict[str, Survey]]:
    if path is None:
        return FileConfig(), dict(BUILTIN)
    prefix = f"SAYSO_CONFIG ({path}) "
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"SAYSO_CONFIG: file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"SAYSO_CONFIG: cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"SAYSO_CONFIG: {path} is not valid TOML: {exc}") from None
    try:
        file = FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, prefix)) from None
    surveys = dict(BUILTIN)  # the file's [surveys.KEY] tables override or extend the built-ins
    for key, table in file.surveys.items():
        try:
            surveys[key] = Survey.model_validate({"key": key, **table})
        except ValidationError as exc:
            raise ConfigError(_first_error(exc, f"{prefix}surveys.{key}.")) from None
    if file.delivery.default_survey not in surveys:
        raise ConfigError(f"{prefix}delivery.default_survey: unknown survey {file.delivery.default_survey!r}")
    return file, surveys


def load_config(**overrides: Any) -> Config:
    settings = load_settings(**overrides)
    file, surveys = load_file(settings.config_path)
    return Config(settings=settings, file=file, surveys=surveys)
