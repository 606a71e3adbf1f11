"""The `[email]` section of the operator's file: how fast invitations are handed to the relay."""

from __future__ import annotations

from pydantic import Field

from handlers.core.settings import Section


class EmailRules(Section):
    """`[email]`: a relay (or its provider) limits how many messages it takes per second."""

    per_second: float = Field(5, gt=0, le=500, description="invitations handed to the relay per second, at most")
