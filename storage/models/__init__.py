"""SQLModel tables, by what they hold. Identifiers of people live only in `respondents`; everything else
points at it. Importing this package registers every table on `SQLModel.metadata` (Alembic reads it)."""

from storage.models.people import (
    ANSWERABLE,
    Answer,
    Interaction,
    ProcessedEvent,
    RequestState,
    Respondent,
    SentimentStatus,
    SurveyLink,
    SurveyRequest,
)
from storage.models.staff import Alert, AlertPost, AlertState, BroadcastPost, PostState, StaffEstimate, StaffVote
from storage.models.staff_accounts import SignInFailure, StaffInvitation, StaffMember, StaffRole, StaffSession
from storage.models.suggestion_box import PromptLedger, Suggestion, SuggestionReceipt, ThemeResponse
from storage.models.upkeep import (
    RollupCount,
    RollupEpoch,
    RollupPeriod,
    TextEmbedding,
    WebhookDelivery,
    WebhookEvent,
    WebhookState,
)

__all__ = [
    "ANSWERABLE",
    "Alert",
    "AlertPost",
    "AlertState",
    "Answer",
    "BroadcastPost",
    "Interaction",
    "PostState",
    "ProcessedEvent",
    "PromptLedger",
    "RequestState",
    "Respondent",
    "RollupCount",
    "RollupEpoch",
    "RollupPeriod",
    "SentimentStatus",
    "SignInFailure",
    "StaffEstimate",
    "StaffInvitation",
    "StaffMember",
    "StaffRole",
    "StaffSession",
    "StaffVote",
    "Suggestion",
    "SuggestionReceipt",
    "SurveyLink",
    "SurveyRequest",
    "TextEmbedding",
    "ThemeResponse",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookState",
]
