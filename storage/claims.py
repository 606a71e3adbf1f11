"""Claiming due surveys between replicas: short leases, the intent to post, and recovery after a crash.

A claim is a lease: `sending` with `claimed_at`. Just before the platform call the sender commits
`posting_at` (the intent), by compare-and-set on its own claim, so a row another replica took over
is never posted twice. After a crash, a claim that never reached its intent is simply claimed
again; one whose post may have happened is not posted blindly a second time: it becomes an open
survey marked "delivery unconfirmed", which the person can answer and the reminder re-asks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import RequestState, SurveyRequest

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


async def mark_posting(session: AsyncSession, *, request_id: int, claimed_at: datetime, now: datetime) -> bool:
    """Record the intent to post, if the claim is still ours (renewing it); False if it was taken over."""
    result = await session.execute(
        update(SurveyRequest)
        .where(
            col(SurveyRequest.id) == request_id,
            col(SurveyRequest.state) == RequestState.SENDING,
            col(SurveyRequest.claimed_at) == claimed_at,
        )
        .values(posting_at=now, claimed_at=now, updated_at=now)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


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


async def record_sent(
    session: AsyncSession,
    *,
    request_id: int,
    question_id: str,
    message_ref: str | None,
    error: str | None,
    now: datetime,
    expires_at: datetime,
    reminder_at: datetime | None,
) -> None:
    """The post went out (or may have): one UPDATE. A request the person already answered while
    the post was on its way keeps the state and question the answer gave it."""
    still_sending = col(SurveyRequest.state) == RequestState.SENDING
    values: dict[str, Any] = {
        "state": case((still_sending, RequestState.ACTIVE), else_=col(SurveyRequest.state)),
        "current_question": case(
            (still_sending, func.coalesce(col(SurveyRequest.current_question), question_id)),
            else_=col(SurveyRequest.current_question),
        ),
        "sent_at": func.coalesce(col(SurveyRequest.sent_at), now),
        "posting_at": None,
        "expires_at": expires_at,
        "last_error": error,
        "updated_at": now,
    }
    if message_ref is not None:
        values["message_ref"] = case(
            (still_sending, func.coalesce(col(SurveyRequest.message_ref), message_ref)),
            else_=col(SurveyRequest.message_ref),
        )
    if reminder_at is not None:  # while active, due_at is when the reminder is due
        values["due_at"] = reminder_at
    await session.execute(update(SurveyRequest).where(col(SurveyRequest.id) == request_id).values(**values))
