"""Tables that serve the others: figure rollups, the webhook outbox and cached text embeddings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import StateColumn, utc_column, utcnow


class RollupPeriod(SQLModel, table=True):
    """A closed period (no survey sent in it can still be answered) whose answer counts are kept
    in `rollup_counts`, so a weekly digest does not scan the answers of every earlier week again."""

    __tablename__ = "rollup_periods"
    __table_args__ = (UniqueConstraint("period_start", "period_end", name="uq_rollup_period"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    period_start: datetime = Field(sa_column=utc_column(nullable=False))
    period_end: datetime = Field(sa_column=utc_column(nullable=False))
    built_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class RollupCount(SQLModel, table=True):
    """How many answers of one value one question got among the surveys sent in a rolled-up period:
    enough for every count, mean, variance and share the digest shows, for any thresholds."""

    __tablename__ = "rollup_counts"

    period_id: int = Field(foreign_key="rollup_periods.id", primary_key=True)
    survey: str = Field(max_length=32, primary_key=True)
    question_id: str = Field(max_length=32, primary_key=True)
    value: int = Field(primary_key=True)
    n: int


class RollupEpoch(SQLModel, table=True):
    """One row whose number every write into an old period raises. A rollup is stored only if the
    number is the one read before its counts were, so a late answer committed between the count
    and the store cannot leave a stale rollup behind (the store then keeps nothing)."""

    __tablename__ = "rollup_epoch"

    id: int = Field(default=1, primary_key=True)
    epoch: int = Field(default=0)


class WebhookState(StrEnum):
    PENDING = "pending"  # due at `due_at` (a claimed one is pending again after its lease)
    DELIVERED = "delivered"
    FAILED = "failed"  # refused (4xx) or retried for a day; `sayso webhooks retry --failed` resends


class WebhookEvent(SQLModel, table=True):
    """An event for the webhook receivers, written in the transaction of what it reports (the
    outbox). The body is stored as signed and sent, so every retry sends the same bytes and id."""

    __tablename__ = "webhook_events"

    id: str = Field(primary_key=True, max_length=40, description="the webhook-id header: msg_ + random")
    type: str = Field(max_length=32)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one receiver URL."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_state_due", "state", "due_at"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    event_id: str = Field(foreign_key="webhook_events.id", max_length=40, index=True)
    url: str = Field(max_length=500)
    state: WebhookState = Field(default=WebhookState.PENDING, sa_type=StateColumn(WebhookState), nullable=False)
    attempts: int = Field(default=0)
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
    last_status: int | None = Field(default=None, description="the receiver's last HTTP status")
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column())


class TextEmbedding(SQLModel, table=True):
    """A stored text's embedding, keyed by a hash of the model version and the text, so a report over
    thousands of suggestions embeds only the new ones. No row says whose text it was, or when."""

    __tablename__ = "text_embeddings"

    key: str = Field(primary_key=True, max_length=64, description="sha256 of model version + text")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
