"""The `[digest]` and `[targets]` sections of the operator's file, and the rules a week's figures follow."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field, field_validator

from handlers.core.settings import Anonymity, Section, check_cron
from handlers.i18n import SHIPPED
from handlers.suggestions.rules import ThemeRules


class DigestRules(Section):
    """`[digest]`: each destination's language, the staff poll's schedule and the complaints' span."""

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


class Targets(Section):
    """`[targets]`: the week's goals; none leaves a measure without one."""

    csat: float | None = Field(0.85, ge=0, le=1, description="share of 4–5 answers")
    nps: float | None = Field(30, ge=-100, le=100)
    ces: float | None = Field(None, ge=1, le=7)


@dataclass(frozen=True, slots=True)
class WeeklyRules:
    """What a week's figures may show (the small-group rule) and what they are measured against."""

    anonymity: Anonymity = field(default_factory=Anonymity)
    targets: Targets = field(default_factory=Targets)

    @property
    def min_group_size(self) -> int:
        return self.anonymity.min_group_size


@dataclass(frozen=True, slots=True)
class ComplaintRules:
    """Which suggestion-box themes the digest lists: repeated ones over the last `weeks` weeks."""

    rules: ThemeRules = field(default_factory=ThemeRules)
    weeks: int = DigestRules.model_fields["complaint_weeks"].default
