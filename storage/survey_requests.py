"""Survey requests and the interactions behind them: recording, finding, cancelling, expiring and the queue."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import ANSWERABLE, Interaction, RequestState, Respondent, SurveyRequest
from storage.types import utcnow
from storage.upsert import insert_ignore

# Requests that reached the person, or are on their way: they count against the throttle window.
DELIVERED_OR_QUEUED = (
    RequestState.SCHEDULED,
    RequestState.SENDING,
    RequestState.ACTIVE,
    RequestState.COMPLETED,
    RequestState.EXPIRED,
)


@dataclass(frozen=True, slots=True)
class NewInteraction:
    external_id: str
    respondent_id: int
    touchpoint: str | None
    agent: str | None
    language: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class NewRequest:
    survey: str
    language: str
    state: RequestState
    due_at: datetime
    expires_at: datetime | None
    reason: str | None = None
    demo: bool = False


async def record_interaction(
    session: AsyncSession, *, interaction: NewInteraction, request: NewRequest
) -> tuple[SurveyRequest, bool]:
    """Store the interaction and its request once per external id; return (request, created).

    The unique external id decides between concurrent callers: the loser of the race gets
    the winner's request back and must send nothing.
    """
    interaction_id = await insert_ignore(
        session,
        Interaction,
        {
            "external_id": interaction.external_id,
            "respondent_id": interaction.respondent_id,
            "touchpoint": interaction.touchpoint,
            "agent": interaction.agent,
            "language": interaction.language,
            "occurred_at": interaction.occurred_at,
        },
        conflict=("external_id",),
    )
    if interaction_id is None:
        existing = await request_for_interaction(session, external_id=interaction.external_id)
        assert existing is not None, "an interaction row always comes with its request"
        return existing, False
    row = SurveyRequest(
        interaction_id=interaction_id,
        respondent_id=interaction.respondent_id,
        survey=request.survey,
        language=request.language,
        token=secrets.token_urlsafe(9),
        state=request.state,
        reason=request.reason,
        due_at=request.due_at,
        expires_at=request.expires_at,
        demo=request.demo,
    )
    session.add(row)
    await session.flush()
    return row, True


async def request_for_interaction(session: AsyncSession, *, external_id: str) -> SurveyRequest | None:
    result = await session.execute(
        select(SurveyRequest)
        .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
        .where(Interaction.external_id == external_id)
    )
    return result.scalar_one_or_none()


async def interaction_by_external_id(session: AsyncSession, *, external_id: str) -> Interaction | None:
    result = await session.execute(select(Interaction).where(Interaction.external_id == external_id))
    return result.scalar_one_or_none()


async def request_by_token(session: AsyncSession, *, token: str, for_update: bool = False) -> SurveyRequest | None:
    stmt = select(SurveyRequest).where(SurveyRequest.token == token)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def request_by_id(session: AsyncSession, *, request_id: int, for_update: bool = False) -> SurveyRequest | None:
    stmt = select(SurveyRequest).where(SurveyRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def open_request_for(session: AsyncSession, *, respondent_id: int) -> SurveyRequest | None:
    """The respondent's survey in progress (the newest, should there be several)."""
    result = await session.execute(
        select(SurveyRequest)
        .where(SurveyRequest.respondent_id == respondent_id, col(SurveyRequest.state).in_(ANSWERABLE))
        .order_by(col(SurveyRequest.id).desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def recent_request_count(session: AsyncSession, *, respondent_id: int, since: datetime) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(SurveyRequest)
        .where(
            SurveyRequest.respondent_id == respondent_id,
            col(SurveyRequest.state).in_(DELIVERED_OR_QUEUED),
            col(SurveyRequest.created_at) >= since,
        )
    )
    return int(result.scalar_one())


async def cancel_unfinished(session: AsyncSession, *, respondent_id: int, reason: str) -> int:
    """Cancel a respondent's queued and open surveys (they opted out)."""
    result = await session.execute(
        update(SurveyRequest)
        .where(
            col(SurveyRequest.respondent_id) == respondent_id,
            col(SurveyRequest.state).in_((RequestState.SCHEDULED, RequestState.ACTIVE)),
        )
        .values(state=RequestState.CANCELLED, reason=reason, updated_at=utcnow())
    )
    return cast(CursorResult[Any], result).rowcount or 0


async def cancel_unfinished_of_others(
    session: AsyncSession, *, platform: str, user_prefix: str, keep_user: str, reason: str
) -> int:
    """Cancel the queued and open surveys of every respondent on `platform` whose id starts with
    `user_prefix`, except `keep_user` (terminal sessions that ended without finishing)."""
    others = select(Respondent.id).where(
        Respondent.platform == platform,
        col(Respondent.platform_user_id).startswith(user_prefix, autoescape=True),
        Respondent.platform_user_id != keep_user,
    )
    result = await session.execute(
        update(SurveyRequest)
        .where(
            col(SurveyRequest.respondent_id).in_(others),
            col(SurveyRequest.state).in_((RequestState.SCHEDULED, RequestState.SENDING, RequestState.ACTIVE)),
        )
        .values(state=RequestState.CANCELLED, reason=reason, updated_at=utcnow())
    )
    return cast(CursorResult[Any], result).rowcount or 0


async def expire_overdue(session: AsyncSession, *, now: datetime) -> int:
    """Close open surveys past their expiry; a later press is told the survey has closed."""
    result = await session.execute(
        update(SurveyRequest)
        .where(col(SurveyRequest.state) == RequestState.ACTIVE, col(SurveyRequest.expires_at) <= now)
        .values(state=RequestState.EXPIRED, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def claim_reminders(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Open surveys whose reminder is due (`due_at`, set when sent) and not yet sent; one replica each."""
    stmt = (
        select(SurveyRequest)
        .where(
            col(SurveyRequest.state) == RequestState.ACTIVE,
            col(SurveyRequest.reminded_at).is_(None),
            col(SurveyRequest.due_at) <= now,
            col(SurveyRequest.sent_at) < col(SurveyRequest.due_at),
        )
        .order_by(col(SurveyRequest.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list((await session.execute(stmt)).scalars())
    for row in rows:
        row.reminded_at = row.updated_at = now
    return [row.id for row in rows]


async def unclaim_reminder(session: AsyncSession, *, request_id: int, due_at: datetime) -> None:
    """Quiet hours at the respondent's: the reminder waits for the morning."""
    await session.execute(
        update(SurveyRequest).where(col(SurveyRequest.id) == request_id).values(reminded_at=None, due_at=due_at)
    )


@dataclass(frozen=True, slots=True)
class QueueStatus:
    scheduled: int  # waiting, due or not
    due: int  # due now and not yet sent
    oldest_due: datetime | None


async def queue_status(session: AsyncSession, *, now: datetime) -> QueueStatus:
    waiting = col(SurveyRequest.state).in_([RequestState.SCHEDULED, RequestState.SENDING])
    is_due = col(SurveyRequest.due_at) <= now
    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((is_due, 1), else_=0)), 0),
        func.min(case((is_due, col(SurveyRequest.due_at)))),
    ).where(waiting)
    scheduled, due, oldest = (await session.execute(stmt)).one()
    return QueueStatus(int(scheduled), int(due), oldest)
