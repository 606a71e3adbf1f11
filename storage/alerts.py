"""Alerts on low scores: raised with the answer, posted, claimed, resolved, checked with the customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Alert, AlertPost, AlertState, Answer, Interaction, RequestState, Respondent, SurveyRequest
from storage.upsert import insert_ignore


async def raise_alert(session: AsyncSession, *, request_id: int, reason: str, now: datetime) -> bool:
    """Open the request's alert, or add `reason` to it; True when this opened it."""
    values = {"request_id": request_id, "reasons": reason, "state": AlertState.OPEN, "created_at": now}
    if await insert_ignore(session, Alert, values, conflict=("request_id",)) is not None:
        return True
    alert = (await session.execute(select(Alert).where(col(Alert.request_id) == request_id))).scalar_one()
    if reason not in alert.reasons.split(", "):
        alert.reasons = f"{alert.reasons}, {reason}"[:200]
    return False


async def alert_by_id(session: AsyncSession, alert_id: int, *, for_update: bool = False) -> Alert | None:
    stmt = select(Alert).where(col(Alert.id) == alert_id)
    return (await session.execute(stmt.with_for_update() if for_update else stmt)).scalar_one_or_none()


async def alert_of_request(session: AsyncSession, request_id: int, *, for_update: bool = False) -> Alert | None:
    stmt = select(Alert).where(col(Alert.request_id) == request_id)
    return (await session.execute(stmt.with_for_update() if for_update else stmt)).scalar_one_or_none()


async def pending_resolution(session: AsyncSession, *, staff: str) -> Alert | None:
    """The alert this staff member pressed Resolve on and has not written the note for."""
    stmt = (
        select(Alert)
        .where(col(Alert.resolving_by) == staff, col(Alert.state) != AlertState.RESOLVED)
        .order_by(col(Alert.id).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def alerts_to_post(session: AsyncSession, *, now: datetime, settle: timedelta) -> list[int]:
    """Unposted alerts whose survey is over, or that have waited `settle` for the comment."""
    stmt = (
        select(Alert.id)
        .join(SurveyRequest, col(SurveyRequest.id) == col(Alert.request_id))
        .where(
            col(Alert.posted_at).is_(None),
            or_(col(SurveyRequest.state) != RequestState.ACTIVE, col(Alert.created_at) <= now - settle),
        )
        .order_by(col(Alert.id))
    )
    return list((await session.execute(stmt)).scalars())


async def alerts_to_raise_again(session: AsyncSession, *, now: datetime, after: timedelta) -> list[int]:
    stmt = select(Alert.id).where(
        col(Alert.state) == AlertState.OPEN,
        col(Alert.posted_at) <= now - after,
        col(Alert.raised_again_at).is_(None),
    )
    return list((await session.execute(stmt.order_by(col(Alert.id)))).scalars())


@dataclass(frozen=True, slots=True)
class AlertView:
    """What staff see of an alert: scores, comments, context and how to reach the customer."""

    alert: Alert
    interaction_id: str  # the helpdesk's own id of the interaction
    survey: str
    token: str
    numbers: dict[str, int]
    comments: list[str]
    touchpoint: str | None
    agent: str | None
    language: str | None
    platform: str
    user_id: str
    chat_id: str | None


async def alert_view(session: AsyncSession, alert_id: int) -> AlertView | None:
    alert = await alert_by_id(session, alert_id)
    if alert is None:
        return None
    request = await session.get(SurveyRequest, alert.request_id)
    assert request is not None
    interaction = await session.get(Interaction, request.interaction_id)
    respondent = await session.get(Respondent, request.respondent_id)
    assert interaction is not None and respondent is not None
    answers = (await session.execute(select(Answer).where(col(Answer.request_id) == request.id))).scalars().all()
    return AlertView(
        alert=alert,
        interaction_id=interaction.external_id,
        survey=request.survey,
        token=request.token,
        numbers={a.question_id: a.value_int for a in answers if a.value_int is not None},
        comments=[a.value_text for a in answers if a.value_text],
        touchpoint=interaction.touchpoint,
        agent=interaction.agent,
        language=request.language,
        platform=respondent.platform,
        user_id=respondent.platform_user_id,
        chat_id=respondent.chat_id,
    )


async def add_alert_post(session: AsyncSession, *, alert_id: int, platform: str, chat_id: str, message_id: str) -> None:
    session.add(AlertPost(alert_id=alert_id, platform=platform, chat_id=chat_id, message_id=message_id))


async def alert_posts(session: AsyncSession, alert_id: int) -> list[AlertPost]:
    result = await session.execute(select(AlertPost).where(AlertPost.alert_id == alert_id).order_by(col(AlertPost.id)))
    return list(result.scalars())


async def alerts_between(session: AsyncSession, *, start: datetime, end: datetime) -> list[Alert]:
    """The alerts opened in a period (a week has a handful, not thousands)."""
    stmt = select(Alert).where(col(Alert.created_at) >= start, col(Alert.created_at) < end).order_by(col(Alert.id))
    return list((await session.execute(stmt)).scalars())


async def alert_ids(session: AsyncSession, *, state: AlertState, agent: str | None, limit: int) -> list[int]:
    """The newest alerts in `state` (of `agent`'s interactions only, when given), newest first."""
    stmt = select(col(Alert.id)).where(col(Alert.state) == state)
    if agent is not None:
        stmt = (
            stmt.join(SurveyRequest, col(SurveyRequest.id) == col(Alert.request_id))
            .join(Interaction, col(Interaction.id) == col(SurveyRequest.interaction_id))
            .where(col(Interaction.agent) == agent)
        )
    return list((await session.execute(stmt.order_by(col(Alert.id).desc()).limit(limit))).scalars())
