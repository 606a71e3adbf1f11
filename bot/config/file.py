"""The operator's TOML file (`SAYSO_CONFIG`): each table is the section model of the capability that
reads it; this module only composes them (plus the default language and custom surveys)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from bot.email_channel.rules import EmailRules
from handlers.core.policy import Delivery, Policy, Throttle
from handlers.core.settings import Anonymity, Section
from handlers.digest.rules import DigestRules, Targets
from handlers.followup.rules import AlertRules
from handlers.i18n import SHIPPED
from handlers.suggestions.rules import SuggestionRules


class FileConfig(Section):
    """The operator's TOML file."""

    default_language: str = "en"
    delivery: Delivery = Delivery()
    throttle: Throttle = Throttle()
    anonymity: Anonymity = Anonymity()
    suggestions: SuggestionRules = SuggestionRules()
    alerts: AlertRules = AlertRules()
    digest: DigestRules = DigestRules()
    targets: Targets = Targets()
    email: EmailRules = EmailRules()
    surveys: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SHIPPED:
            raise ValueError(f"must be one of {', '.join(SHIPPED)}")
        return value

    def policy(self, timezone: str = "UTC") -> Policy:
        return Policy.of(self.delivery, self.throttle, default_language=self.default_language, timezone=timezone)
