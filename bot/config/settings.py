"""The environment variables of the public contract (and `.env`), validated as one `Settings`."""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.email_channel.smtp import check_smtp_url
from bot.webhooks import signing_key
from handlers.core.redaction import masked_url
from handlers.core.settings import check_cron, check_zone
from handlers.operations.database import DatabaseUrlError, check_url


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the operator."""


# Comma-separated lists. NoDecode: pydantic-settings would otherwise read a lone "-1001234567890"
# as JSON (a number) and refuse it as "not a list".
CsvList = Annotated[list[str], NoDecode]
OptionalCsvList = Annotated[list[str] | None, NoDecode]
MIN_API_TOKEN = 16
_TELEGRAM_CHAT = re.compile(r"^-?\d{1,20}$")


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
    alert_slack_channels: OptionalCsvList = Field(None, validation_alias="SAYSO_ALERT_SLACK_CHANNELS")
    alert_telegram_chats: OptionalCsvList = Field(None, validation_alias="SAYSO_ALERT_TELEGRAM_CHATS")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field("https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL")
    telegram_webhook_url: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_BASE_URL")
    webhook_urls: CsvList = Field(default_factory=list, validation_alias="SAYSO_WEBHOOK_URLS")
    webhook_secret: SecretStr | None = Field(None, validation_alias="SAYSO_WEBHOOK_SECRET")
    metrics_token: SecretStr | None = Field(None, validation_alias="SAYSO_METRICS_TOKEN")
    hook_secret: SecretStr | None = Field(None, validation_alias="SAYSO_HOOK_SECRET")
    log_level: str = Field("INFO", validation_alias="SAYSO_LOG_LEVEL")
    console_bidi: str = Field("auto", validation_alias="SAYSO_CONSOLE_BIDI")
    public_url_setting: str | None = Field(None, validation_alias="SAYSO_PUBLIC_URL")
    smtp_url: SecretStr | None = Field(None, validation_alias="SAYSO_SMTP_URL")
    email_from: str | None = Field(None, validation_alias="SAYSO_EMAIL_FROM")

    @field_validator("digest_slack_channels", "digest_telegram_chats", "webhook_urls", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator(
        "config_path",
        "api_token",
        "alert_slack_channels",
        "alert_telegram_chats",
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "webhook_secret",
        "metrics_token",
        "hook_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        """`VAR=` in a .env file (as in .env.example) means unset, not an empty secret."""
        if not isinstance(value, str):
            return value
        if info.field_name and info.field_name.startswith("alert_"):
            return cls._split(value) or None
        return value.strip() or None

    @field_validator("digest_telegram_chats", "alert_telegram_chats")
    @classmethod
    def _telegram_chats(cls, value: list[str] | None) -> list[str] | None:
        for chat in value or ():
            if not _TELEGRAM_CHAT.match(chat):
                raise ValueError(
                    f"{chat!r} is not a Telegram chat id: use the numeric id, such as -1001234567890 for a group"
                )
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("Telegram delivers webhooks only to https:// URLs")
        return value

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _smtp_url(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None
        check_smtp_url(value.strip())  # a ValueError naming what is wrong, never the password
        return value.strip()

    @field_validator("email_from", mode="before")
    @classmethod
    def _email_from(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None
        name, address = parseaddr(value.strip())
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(f"not a sender such as 'Acme Support <support@acme.example>' ({exc})") from None
        return formataddr((name, address)) if name else address

    @model_validator(mode="after")
    def _email_pair(self) -> Self:
        if (self.smtp_url is None) != (self.email_from is None):
            raise ValueError("SAYSO_SMTP_URL and SAYSO_EMAIL_FROM go together (set both, or neither)")
        return self

    @property
    def email_enabled(self) -> bool:
        return self.smtp_url is not None

    @field_validator("public_url_setting", mode="before")
    @classmethod
    def _public_url(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return None
        url = value.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("use the base URL people's browsers open, such as https://feedback.example.com")
        return url

    @property
    def public_url(self) -> str:
        """The base URL of links in invitations, survey pages and e-mails (no trailing slash)."""
        return self.public_url_setting or f"http://{self.http_host}:{self.http_port}"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            check_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_zone(value, example="Europe/Budapest")

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

    @field_validator("webhook_urls")
    @classmethod
    def _webhook_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("http://", "https://")) or len(url) > 500:
                raise ValueError(
                    f"{masked_url(url)!r}: each URL must start with http:// or https:// (≤ 500 characters)"
                )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            signing_key(value.get_secret_value())  # raises ValueError saying what is wrong, never the value
        return value

    @field_validator("telegram_api_base_url", "slack_api_base_url")
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
        if self.webhook_urls and not self.webhook_secret:
            raise ValueError(
                "SAYSO_WEBHOOK_URLS needs SAYSO_WEBHOOK_SECRET (whsec_ + base64 key; for example: python -c "
                "'import base64, secrets; print(\"whsec_\" + base64.b64encode(secrets.token_bytes(32)).decode())')"
            )
        return self

    def warnings(self) -> list[str]:
        """Values that work but should not be used as they are; logged at start and shown by `config check`."""
        found = []
        if self.api_token is not None and len(self.api_token.get_secret_value()) < MIN_API_TOKEN:
            found.append(
                f"SAYSO_API_TOKEN is shorter than {MIN_API_TOKEN} characters; use a long random one "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return found

    def secrets(self) -> list[SecretStr]:
        """Every secret that is set, for log redaction."""
        return [value for value in self.__dict__.values() if isinstance(value, SecretStr)]

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_bot_token is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None
