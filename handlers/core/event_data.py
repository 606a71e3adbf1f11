"""What each webhook event says (the `data` of the body), documented with an example in the README.

Surveys and alerts are identified by the helpdesk's own interaction id, never by the customer's
platform id or chat; staff who claim or resolve appear as they appear in the staff channel.
"""

from __future__ import annotations

from typing import Any

from storage.alerts import AlertView
from storage.answers import Response


def survey_completed(response: Response) -> dict[str, Any]:
    comments = [a for a in response.answers if a.value_text]
    return {
        "interaction_id": response.interaction_id,
        "survey": response.survey,
        "language": response.language,
        "platform": response.platform,
        "touchpoint": response.touchpoint,
        "agent": response.agent,
        "completed_at": response.completed_at,
        "answers": {a.question_id: a.value_int for a in response.answers if a.value_int is not None},
        "comments": [
            {
                "question": a.question_id,
                "text": a.value_text,
                "language": a.text_language,
                "sentiment": a.sentiment,
                "sentiment_status": a.sentiment_status,
            }
            for a in comments
        ],
    }


def alert(view: AlertView) -> dict[str, Any]:
    alert = view.alert
    return {
        "alert_id": alert.id,
        "state": alert.state,
        "reasons": alert.reasons.split(", "),
        "interaction_id": view.interaction_id,
        "survey": view.survey,
        "touchpoint": view.touchpoint,
        "agent": view.agent,
        "answers": view.numbers,
        "opened_at": alert.created_at,
        "claimed_at": alert.claimed_at,
        "claimed_by": alert.claimer_name,
        "resolved_at": alert.resolved_at,
        "resolved_by": alert.resolver_name,
        "note": alert.note,
    }


def followup_answered(view: AlertView) -> dict[str, Any]:
    return {
        "alert_id": view.alert.id,
        "interaction_id": view.interaction_id,
        "sorted": view.alert.sorted,
        "answered_at": view.alert.checked_at,
    }
