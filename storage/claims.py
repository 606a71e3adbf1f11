"""Claiming due surveys between replicas: short leases, the intent to post, and recovery after a crash.

A claim is a lease: `sending` with `claimed_at`. Just before the platform call the sender commits
`posting_at` (the intent), by compare-and-set on its own claim, so a row another replica took over
is never posted twice. After a crash, a claim that never reached its intent is simply claimed
again; one whose post may have happened is not posted blindly a second time: it becomes an open
survey marked "delivery unconfirmed", which the person can answer and the reminder re-asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, String, bindparam, case, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import RequestState, SurveyRequest
from storage.types import UTCDateTime

UNCONFIRMED = "delivery unconfirmed: the sender stopped during the post; not resent"
# How long a claim holds without its sender committing the intent to post; after that another
# sender (or this one after a restart) takes it. Short, so a crash strands nothing for long.
CLAIM_LEASE = timedelta(minutes=1)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta = CLAIM_LEASE
) -> list[SurveyRequest]:
    """Claim due requests for sending; on PostgreSQL replicas skip each other's rows.

    A request left in `sending` longer than `lease` before its sender even started the post (the
    sender died) is claimed again.
    """
    stmt = (
        select(SurveyRequest)
        .where(
            or_(
                (col(SurveyRequest.state) == RequestState.SCHEDULED) & (col(SurveyRequest.due_at) <= now),
                (col(SurveyRequest.state) == RequestState.SENDING)
                & (col(SurveyRequest.claimed_at) < now - lease)
                & col(SurveyRequest.posting_at).is_(None),
            )
        )
        .order_by(col(SurveyRequest.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(stmt)).scalars())
    for row in rows:
        row.state = RequestState.SENDING
        row.claimed_at = now
        row.attempts += 1
        row.updated_at = now
    return rows


async def mark_posting(session: AsyncSession, *, claims: Sequence[Claim], now: datetime) -> set[int]:
    """Record the intent to post for each claim still ours (renewing it); return the ids whose
    claim held (a missing one was taken over). One UPDATE per claim time: a batch claimed together
    is one statement."""
    ours: set[int] = set()
    by_time: dict[datetime, list[int]] = {}
    for claim in claims:
        by_time.setdefault(claim.claimed_at, []).append(claim.request_id)
    for claimed_at, ids in by_time.items():
        result = await session.execute(
            update(SurveyRequest)
            .where(
                col(SurveyRequest.id).in_(ids),
                col(SurveyRequest.state) == RequestState.SENDING,
                col(SurveyRequest.claimed_at) == claimed_at,
            )
            .values(posting_at=now, claimed_at=now, updated_at=now)
            .returning(col(SurveyRequest.id))
        )
        ours.update(result.scalars())
    return ours


@dataclass(frozen=True, slots=True)
class Claim:
    request_id: int
    claimed_at: datetime


async def settle_unconfirmed(
    session: AsyncSession, *, now: datetime, lease: timedelta, expiry: timedelta, reminder_after: timedelta | None
) -> int:
    """Posts a dead sender may have made: open them as unconfirmed instead of posting again."""
    values: dict[str, Any] = {
        "state": RequestState.ACTIVE,
        "last_error": UNCONFIRMED,
        "sent_at": func.coalesce(SurveyRequest.sent_at, SurveyRequest.posting_at),
        "expires_at": now + expiry,
        "updated_at": now,
    }
    if reminder_after:  # the reminder re-asks the question if the post never arrived
        values["due_at"] = now + reminder_after
    result = await session.execute(
        update(SurveyRequest)
        .where(
            col(SurveyRequest.state) == RequestState.SENDING,
            col(SurveyRequest.posting_at).is_not(None),
            col(SurveyRequest.claimed_at) < now - lease,
        )
        .values(**values)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


@dataclass(frozen=True, slots=True)
class Sent:
    """A post that went out (or may have): its message, or the reason it is unconfirmed."""

    request_id: int
    question_id: str
    message_ref: str | None
    error: str | None


async def record_sent(
    session: AsyncSession, *, sent: Sequence[Sent], now: datetime, expires_at: datetime, reminder_at: datetime | None
) -> None:
    """One UPDATE, executed for every post in `sent`. A request the person already answered while
    the post was on its way keeps the state, question and message the answer gave it."""
    await session.execute(
        _RECORD_SENT,
        [
            {
                "b_id": post.request_id,
                "b_question": post.question_id,
                "b_message": post.message_ref,
                "b_error": post.error,
                "b_now": now,
                "b_expires": expires_at,
                "b_reminder": reminder_at,
            }
            for post in sent
        ],
    )


def _kept_unless_sending(column: Any, value: Any) -> Any:
    """While the request is still being sent, the column's value if it has one, else `value`; once
    an answer has moved the request on, the column's value."""
    return case((_STILL_SENDING, func.coalesce(column, value)), else_=column)


_REQUESTS = SurveyRequest.__table__  # type: ignore[attr-defined]
_STILL_SENDING = _REQUESTS.c.state == RequestState.SENDING
# Bound names differ from the columns' (SQLAlchemy reserves those in an UPDATE's values).
_RECORD_SENT = (
    update(_REQUESTS)
    .where(_REQUESTS.c.id == bindparam("b_id"))
    .values(
        state=case((_STILL_SENDING, RequestState.ACTIVE), else_=_REQUESTS.c.state),
        current_question=_kept_unless_sending(_REQUESTS.c.current_question, bindparam("b_question")),
        message_ref=_kept_unless_sending(_REQUESTS.c.message_ref, bindparam("b_message", type_=String)),
        sent_at=func.coalesce(_REQUESTS.c.sent_at, bindparam("b_now", type_=UTCDateTime())),
        posting_at=None,
        expires_at=bindparam("b_expires", type_=UTCDateTime()),
        last_error=bindparam("b_error", type_=String),
        updated_at=bindparam("b_now", type_=UTCDateTime()),
        # while active, due_at is when the reminder is due
        due_at=func.coalesce(bindparam("b_reminder", type_=UTCDateTime()), _REQUESTS.c.due_at),
    )
)
