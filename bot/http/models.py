"""What the HTTP API accepts and answers, as the OpenAPI document shows it: bodies, and every error's shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from email_validator import EmailNotValidError, validate_email
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.core.characters import unstorable
from handlers.core.platforms import Platform
from handlers.core.settings import check_zone
from handlers.survey.trigger import RequestState


class InteractionIn(BaseModel):
    """A finished customer interaction; `interaction_id` makes the call idempotent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    interaction_id: str = Field(min_length=1, max_length=128, examples=["ticket-4711"])
    platform: Platform
    user_id: str | None = Field(
        None,
        min_length=1,
        max_length=254,
        examples=["U012AB3CD", "123456789", "customer@example.com"],
        description="Slack user id, Telegram user id (a number or a string) or, for e-mail, the address;"
        " none for the web (whoever opens the link answers)",
    )
    survey: str | None = Field(None, min_length=1, max_length=32, examples=["csat"])
    touchpoint: str | None = Field(None, max_length=32, pattern=r"^[a-z][a-z0-9_]*$", examples=["phone"])
    agent: str | None = Field(None, max_length=128, examples=["Ann"])
    language: str | None = Field(None, max_length=16, examples=["ur"])
    occurred_at: AwareDatetime | None = Field(
        None, examples=["2026-11-20T14:30:00Z"], description="when the interaction ended (within the last 30 days)"
    )
    delay_seconds: int | None = Field(None, ge=0, le=30 * 86400, examples=[0])
    timezone: str | None = Field(
        None, max_length=64, examples=["Asia/Karachi"], description="the customer's IANA time zone, for quiet hours"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        if isinstance(value, str) and unstorable(value):
            raise ValueError("contains a NUL byte or a lone surrogate, which cannot be stored")
        return value

    @field_validator("touchpoint", "agent", "language", "timezone", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # A helpdesk's template renders a placeholder with nothing behind it ("{{ticket.assignee.name}}"
        # on an unassigned ticket) as "": that means "not given", not an empty agent.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("user_id", mode="before")
    @classmethod
    def _numeric_id(cls, value: object) -> object:
        # Telegram user ids are integers; helpdesks send them as JSON numbers as often as strings.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _who(self) -> Self:
        if self.platform == Platform.WEB:
            if self.user_id is not None:
                raise ValueError("user_id: leave it out for the web (the survey link is the customer's)")
        elif self.user_id is None:
            raise ValueError(f"user_id: required for {self.platform}")
        elif self.platform == Platform.EMAIL:
            try:
                self.user_id = validate_email(self.user_id, check_deliverability=False).normalized.lower()
            except EmailNotValidError as exc:
                raise ValueError(f"user_id: not an e-mail address ({exc})") from None
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)


class HookIgnored(BaseModel):
    """A helpdesk webhook acknowledged and left alone."""

    ignored: str = Field(examples=["status 'open' is not resolved"])


class InteractionOut(BaseModel):
    request_id: int
    status: RequestState = Field(
        description="a new report: scheduled, throttled, opted_out or unreachable; a repeated one: where its"
        " survey is now (also sending, active, completed, expired, cancelled or failed)"
    )
    reason: str | None = None
    start_link: str | None = None
    survey_url: str | None = Field(
        None, description="web and e-mail (and a Telegram user who never started the bot): the survey's page"
    )
    due_at: datetime | None = None
    differs: list[str] | None = Field(
        None, description="on a repeated interaction_id: fields that differ from the first report, which is kept"
    )


class Problem(BaseModel):
    """Every error but a validation error: one readable sentence."""

    detail: str


class FieldProblem(BaseModel):
    field: str = Field(examples=["platform"])
    message: str = Field(examples=["Input should be 'slack', 'telegram', 'console', 'web' or 'email'"])


class ValidationProblem(BaseModel):
    """A 422: all problems in one sentence, and each by field."""

    detail: str = Field(examples=["platform: Input should be 'slack', 'telegram', 'console', 'web' or 'email'"])
    errors: list[FieldProblem]


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# The answers every /api/v1 route can give besides its own.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _problem("Missing or wrong bearer token"),
    413: _problem("Body larger than 64 KiB"),
    422: {"model": ValidationProblem, "description": "A field is missing or wrong"},
    503: _problem("The API is disabled (no SAYSO_API_TOKEN), or the database is unavailable"),
}
