"""Tables of what staff see and do: the broadcast ledger, the perception poll and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import StateColumn, utc_column, utcnow


class PostState(StrEnum):
    """A staff post's place in the broadcast ledger."""

    SENDING = "sending"  # claimed by a process; another may take it over after the lease
    SENT = "sent"
    FAILED = "failed"  # retried on the next run


class BroadcastPost(SQLModel, table=True):
    """The broadcast ledger: one row per post key (a digest's week, a poll, an alert) and staff
    destination, so each is posted exactly once, whichever replica or restart gets there first."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("period", "destination", name="uq_digest_period_destination"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    period: str = Field(max_length=16, description="the post's key: 2026-W47, 'poll 2026-W47', 'alert 17'")
    destination: str = Field(max_length=80, description="platform:chat, e.g. slack:C0123 or telegram:-100200")
    state: PostState = Field(default=PostState.SENDING, sa_type=StateColumn(PostState), nullable=False)
    attempts: int = Field(default=1)
    last_error: str | None = Field(default=None, max_length=500)
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())


class StaffVote(SQLModel, table=True):
    """That someone answered a week's staff poll, as a hash, so each person counts once.

    The estimate itself goes to `staff_estimates` with nothing linking the two rows.
    """

    __tablename__ = "staff_votes"
    __table_args__ = {"sqlite_with_rowid": False}

    period: str = Field(max_length=8, primary_key=True, description="ISO week the poll asks about")
    voter: str = Field(max_length=64, primary_key=True)


class StaffEstimate(SQLModel, table=True):
    """One staff guess of a week's CSAT (percent), anonymous among staff: no voter, no time."""

    __tablename__ = "staff_estimates"
    __table_args__ = {"sqlite_with_rowid": False}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    period: str = Field(max_length=8, index=True)
    estimate: int


class AlertState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class Alert(SQLModel, table=True):
    """A low score to follow up: posted to staff, claimed, resolved with a note, checked with the customer.

    One per survey request. `claimed_by`/`resolved_by` name staff members, never the customer.
    """

    __tablename__ = "alerts"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    request_id: int = Field(foreign_key="survey_requests.id", unique=True)
    reasons: str = Field(max_length=200, description="e.g. 'csat 1, negative comment'")
    state: AlertState = Field(default=AlertState.OPEN, sa_type=StateColumn(AlertState), nullable=False, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))
    posted_at: datetime | None = Field(default=None, sa_column=utc_column())
    raised_again_at: datetime | None = Field(default=None, sa_column=utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column())
    claimed_by: str | None = Field(default=None, max_length=80)
    claimer_name: str | None = Field(default=None, max_length=80, description="shown to staff: 'Claimed by …'")
    resolving_by: str | None = Field(default=None, max_length=80, description="who was asked for the note")
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column())
    resolved_by: str | None = Field(default=None, max_length=80)
    resolver_name: str | None = Field(default=None, max_length=80, description="shown to staff: 'Resolved by …'")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    check_sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    sorted: bool | None = Field(default=None, description="the customer's answer to 'Is it sorted now?'")
    checked_at: datetime | None = Field(default=None, sa_column=utc_column())


class AlertPost(SQLModel, table=True):
    """Where an alert was posted, so claiming or resolving it edits that message for everyone."""

    __tablename__ = "alert_posts"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    alert_id: int = Field(foreign_key="alerts.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
