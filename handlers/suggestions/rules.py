"""The `[suggestions]` section of the operator's file, and the rules a theme report follows."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field, field_validator

from handlers.core.platforms import CHATS, Platform
from handlers.core.settings import Anonymity, Section


class SuggestionRules(Section):
    """`[suggestions]`: the box's limits, its invitations and what makes a theme a repeated complaint."""

    max_chars: int = Field(1000, ge=50, le=4000)
    max_per_day: int = Field(3, ge=1, le=100, description="per person, counted in memory only")
    prompt_every_days: int = Field(0, ge=0, le=365, description="0: never invite")
    prompt_hour: int = Field(11, ge=0, le=23, description="local hour (SAYSO_TIMEZONE) of the invitations")
    prompt_platforms: list[Platform] = Field(default_factory=lambda: [Platform.TELEGRAM])

    @field_validator("prompt_platforms")
    @classmethod
    def _chats_only(cls, value: list[Platform]) -> list[Platform]:
        """The box is chat-only: an e-mail or a page visit would tie a suggestion to a person."""
        if outside := [str(platform) for platform in value if platform not in CHATS]:
            raise ValueError(f"the suggestion box invites in chats only, not {', '.join(outside)}")
        return value

    prompt_slack_channels: list[str] = Field(default_factory=list)
    repeat_min: int = Field(2, ge=2, le=100, description="suggestions that make a theme a repeated complaint")
    theme_weeks: int = Field(12, ge=1, le=104)


@dataclass(frozen=True, slots=True)
class ThemeRules:
    """What a theme report may show: the anonymity rules, and the box's count for a repeated complaint."""

    anonymity: Anonymity = field(default_factory=Anonymity)
    suggestions: SuggestionRules = field(default_factory=SuggestionRules)

    @property
    def min_group_size(self) -> int:
        return self.anonymity.min_group_size

    @property
    def show_verbatims(self) -> bool:
        return self.anonymity.show_verbatims

    @property
    def repeat_min(self) -> int:
        return self.suggestions.repeat_min
