"""The `[alerts]` section of the operator's file: the follow-up capability's rules, declared once."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from handlers.core.settings import Section

SETTLE = timedelta(minutes=10)  # how long to wait for the comment before posting an alert


class AlertRules(Section):
    """`[alerts]`: which answers raise an alert, when an unclaimed one is raised again, what the customer hears."""

    enabled: bool = True
    csat_at_most: int = Field(2, ge=1, le=4, description="an overall CSAT at or below this raises an alert")
    nps_at_most: int = Field(6, ge=0, le=9, description="detractors: 0–6")
    sentiment_at_most: float = Field(-0.5, ge=-1, le=0, description="a comment this negative raises one")
    reraise_after_hours: float = Field(4, gt=0, le=24 * 14, description="raised again once if unclaimed")
    tell_customer: bool = Field(True, description="tell the customer someone will get back to them")

    @property
    def reraise_after(self) -> timedelta:
        return timedelta(hours=self.reraise_after_hours)
