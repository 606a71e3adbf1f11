"""SQLModel tables. Identifiers of people live only in `respondents`; everything else points at it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import StateColumn, UTCDateTime, utcnow


def _utc(*, nullable: bool = True, index: bool = False, stamp: bool = False) -> Column[datetime]:
    """A UTC timestamp column; `stamp` fills it with the current time on INSERT, also for Core inserts."""
    return Column(UTCDateTime(), nullable=nullable, index=index, default=utcnow if stamp else None)


class RequestState(StrEnum):
    """Lifecycle of one survey request.

    scheduled -> sending -> active -> completed | expired; a request can also end as
    throttled, opted_out, unreachable (never sent), cancelled (opt-out while queued) or failed.
    """

    SCHEDULED = "scheduled"
    SENDING = "sending"
    ACTIVE = "active"
    COMPLETED = "completed"
    EXPIRED = "expired"
    THROTTLED = "throttled"
    OPTED_OUT = "opted_out"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"
    FAILED = "failed"


class SentimentStatus(StrEnum):
    SCORED = "scored"
    NOT_SCORED = "not_scored"


# A survey a person can answer, by button or by typing: one rule for both. `sending` counts, since
# the first question may be on screen before the sender has recorded it.
ANSWERABLE = frozenset({RequestState.ACTIVE, RequestState.SENDING})


class Respondent(SQLModel, table=True):
    """A person who can be surveyed on one platform."""

    __tablename__ = "respondents"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_respondent_platform_user"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=64)
    chat_id: str | None = Field(default=None, max_length=64, description="private chat with the bot")
    chosen_language: str | None = Field(default=None, max_length=16, description="picked by the person")
    platform_language: str | None = Field(default=None, max_length=16, description="the client's language code")
    opted_out: bool = Field(default=False)
    unreachable_reason: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64, description="IANA zone, for quiet hours")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class Interaction(SQLModel, table=True):
    """A finished customer interaction reported by a helpdesk, CRM or phone system."""

    __tablename__ = "interactions"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    external_id: str = Field(max_length=128, unique=True)
    respondent_id: int = Field(foreign_key="respondents.id", index=True)
    touchpoint: str | None = Field(default=None, max_length=32)
    agent: str | None = Field(default=None, max_length=128)
    language: str | None = Field(default=None, max_length=16)
    occurred_at: datetime = Field(sa_column=_utc(nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class SurveyRequest(SQLModel, table=True):
    """One survey sent (or to be sent) for one interaction; its state drives the conversation."""

    __tablename__ = "survey_requests"
    __table_args__ = (
        Index("ix_survey_requests_state_due", "state", "due_at"),
        Index("ix_survey_requests_sent_at", "sent_at"),  # every figure selects a period of sent surveys
    )

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    interaction_id: int = Field(foreign_key="interactions.id", unique=True)
    respondent_id: int = Field(foreign_key="respondents.id", index=True)
    survey: str = Field(max_length=32)
    language: str = Field(max_length=16)
    token: str = Field(max_length=16, unique=True, description="opaque id used in buttons and start links")
    state: RequestState = Field(default=RequestState.SCHEDULED, sa_type=StateColumn(RequestState), nullable=False)
    reason: str | None = Field(default=None, max_length=200)
    current_question: str | None = Field(default=None, max_length=32)
    message_ref: str | None = Field(default=None, max_length=128, description="platform id of the open question")
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    due_at: datetime = Field(sa_column=_utc(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=_utc())
    posting_at: datetime | None = Field(default=None, sa_column=_utc(), description="intent to post committed")
    sent_at: datetime | None = Field(default=None, sa_column=_utc())
    completed_at: datetime | None = Field(default=None, sa_column=_utc())
    expires_at: datetime | None = Field(default=None, sa_column=_utc())
    reminded_at: datetime | None = Field(default=None, sa_column=_utc())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class Answer(SQLModel, table=True):
    """The answer to one question of one request; a later press before completion replaces it."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("request_id", "question_id", name="uq_answer_request_question"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    request_id: int = Field(foreign_key="survey_requests.id", index=True)
    question_id: str = Field(max_length=32)
    value_int: int | None = Field(default=None)
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text_language: str | None = Field(default=None, max_length=16)
    sentiment: float | None = Field(default=None)
    sentiment_status: str | None = Field(default=None, max_length=16)
    sentiment_method: str | None = Field(default=None, max_length=16, description="e5-anchors, textblob")
    answered_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class ProcessedEvent(SQLModel, table=True):
    """Platform deliveries already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_processed_event"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    processed_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, index=True, stamp=True))


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class PromptLedger(SQLModel, table=True):
    """Suggestion prompts sent: one per target (a respondent or a channel) per cadence period."""

    __tablename__ = "prompt_ledger"
    __table_args__ = (UniqueConstraint("target", "period", name="uq_prompt_target_period"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    target: str = Field(max_length=80)
    period: str = Field(max_length=16)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class SuggestionReceipt(SQLModel, table=True):
    """Platform deliveries that carried a suggestion, so a redelivery is not stored twice.

    Kept apart from `processed_events` because those rows have an exact time; this holds a hash
    of the delivery id and the ISO week (for pruning), nothing else.
    """

    __tablename__ = "suggestion_receipts"
    __table_args__ = {"sqlite_with_rowid": False}

    key: str = Field(max_length=64, primary_key=True)
    iso_week: str = Field(max_length=8)


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
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc())


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))
    posted_at: datetime | None = Field(default=None, sa_column=_utc())
    raised_again_at: datetime | None = Field(default=None, sa_column=_utc())
    claimed_at: datetime | None = Field(default=None, sa_column=_utc())
    claimed_by: str | None = Field(default=None, max_length=80)
    claimer_name: str | None = Field(default=None, max_length=80, description="shown to staff: 'Claimed by …'")
    resolving_by: str | None = Field(default=None, max_length=80, description="who was asked for the note")
    resolved_at: datetime | None = Field(default=None, sa_column=_utc())
    resolved_by: str | None = Field(default=None, max_length=80)
    resolver_name: str | None = Field(default=None, max_length=80, description="shown to staff: 'Resolved by …'")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    check_sent_at: datetime | None = Field(default=None, sa_column=_utc())
    sorted: bool | None = Field(default=None, description="the customer's answer to 'Is it sorted now?'")
    checked_at: datetime | None = Field(default=None, sa_column=_utc())


class AlertPost(SQLModel, table=True):
    """Where an alert was posted, so claiming or resolving it edits that message for everyone."""

    __tablename__ = "alert_posts"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "message_id"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    alert_id: int = Field(foreign_key="alerts.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)


class RollupPeriod(SQLModel, table=True):
    """A closed period (no survey sent in it can still be answered) whose answer counts are kept
    in `rollup_counts`, so a weekly digest does not scan the answers of every earlier week again."""

    __tablename__ = "rollup_periods"
    __table_args__ = (UniqueConstraint("period_start", "period_end", name="uq_rollup_period"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    period_start: datetime = Field(sa_column=_utc(nullable=False))
    period_end: datetime = Field(sa_column=_utc(nullable=False))
    built_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class RollupCount(SQLModel, table=True):
    """How many answers of one value one question got among the surveys sent in a rolled-up period:
    enough for every count, mean, variance and share the digest shows, for any thresholds."""

    __tablename__ = "rollup_counts"

    period_id: int = Field(foreign_key="rollup_periods.id", primary_key=True)
    survey: str = Field(max_length=32, primary_key=True)
    question_id: str = Field(max_length=32, primary_key=True)
    value: int = Field(primary_key=True)
    n: int


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False, stamp=True))


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one receiver URL."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_state_due", "state", "due_at"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    event_id: str = Field(foreign_key="webhook_events.id", max_length=40, index=True)
    url: str = Field(max_length=500)
    state: WebhookState = Field(default=WebhookState.PENDING, sa_type=StateColumn(WebhookState), nullable=False)
    attempts: int = Field(default=0)
    due_at: datetime = Field(sa_column=_utc(nullable=False))
    last_status: int | None = Field(default=None, description="the receiver's last HTTP status")
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = Field(default=None, sa_column=_utc())


class TextEmbedding(SQLModel, table=True):
    """A stored text's embedding, keyed by a hash of the model version and the text, so a report over
    thousands of suggestions embeds only the new ones. No row says whose text it was, or when."""

    __tablename__ = "text_embeddings"

    key: str = Field(primary_key=True, max_length=64, description="sha256 of model version + text")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
