"""Tables of people and their surveys: respondents (where identities live), interactions, requests, answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.types import StateColumn, utc_column, utcnow


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
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class Interaction(SQLModel, table=True):
    """A finished customer interaction reported by a helpdesk, CRM or phone system."""

    __tablename__ = "interactions"

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    external_id: str = Field(max_length=128, unique=True)
    respondent_id: int = Field(foreign_key="respondents.id", index=True)
    touchpoint: str | None = Field(default=None, max_length=32)
    agent: str | None = Field(default=None, max_length=128)
    language: str | None = Field(default=None, max_length=16)
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


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
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column())
    posting_at: datetime | None = Field(default=None, sa_column=utc_column(), description="intent to post committed")
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    completed_at: datetime | None = Field(default=None, sa_column=utc_column())
    expires_at: datetime | None = Field(default=None, sa_column=utc_column())
    reminded_at: datetime | None = Field(default=None, sa_column=utc_column())
    # A terminal try-out (`sayso run` without a platform, `sayso demo`): stored and answered like
    # any survey, never counted in the figures.
    demo: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


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
    sentiment_method: str | None = Field(default=None, max_length=16, description="e5-head, textblob")
    answered_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))


class ProcessedEvent(SQLModel, table=True):
    """Platform deliveries already handled, so a redelivered update changes nothing."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_processed_event"),)

    id: int = Field(default=None, primary_key=True)  # None until the INSERT; every stored row has one
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    processed_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, index=True, stamp=True))


class SurveyLink(SQLModel, table=True):
    """A link to a survey's web page: 256 random bits, kept only as their SHA-256. A request may have
    several (a repeated report of the interaction mints a fresh one); each leads to the same survey."""

    __tablename__ = "survey_links"

    token_hash: str = Field(primary_key=True, max_length=64)
    request_id: int = Field(foreign_key="survey_requests.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False, stamp=True))
