"""Tables of the anonymous suggestion box: texts with no author, themes' responses, invitations and receipts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_column, utcnow


class Suggestion(SQLModel, table=True):
    """An anonymous suggestion: the text and what is derived from it, nothing about its author.

    No user, chat or message id and no time finer than the ISO week. The key is random and, on
    SQLite, the table has no hidden rowid, so row order does not reveal submission order.
    """

    __tablename__ = "suggestions"
    __table_args__ = {"sqlite_with_rowid": False}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=16)
    channel: str = Field(max_length=16, description="platform it came through, not the person")
    iso_week: str = Field(max_length=8, index=True, description="e.g. 2026-W47")
    theme: str | None = Field(default=None, max_length=200)
    sentiment: float | None = Field(default=None)
    sentiment_status: str | None = Field(default=None, max_length=16)


class ThemeResponse(SQLModel, table=True):
    """ "You said, we did": what staff did about a theme, announced in the next suggestion prompt."""

    __tablename__ = "theme_responses"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    theme: str = Field(max_length=200)
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class PromptLedger(SQLModel, table=True):
    """Suggestion prompts sent: one per target (a respondent or a channel) per cadence period."""

    __tablename__ = "prompt_ledger"
    __table_args__ = (UniqueConstraint("target", "period", name="uq_prompt_target_period"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    target: str = Field(max_length=80)
    period: str = Field(max_length=16)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class SuggestionReceipt(SQLModel, table=True):
    """Platform deliveries that carried a suggestion, so a redelivery is not stored twice.

    Kept apart from `processed_events` because those rows have an exact time; this holds a hash
    of the delivery id and the ISO week (for pruning), nothing else.
    """

    __tablename__ = "suggestion_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    key: str = Field(max_length=64, primary_key=True)
    iso_week: str = Field(max_length=8)
