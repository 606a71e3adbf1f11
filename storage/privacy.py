"""Erasing people: a respondent forgotten on request, and old free text unlinked from its author.

Unlinked responses move to one placeholder respondent per platform, so they still count in the
figures (by platform, touchpoint, agent) but point at nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, delete, literal, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Alert, AlertPost, Answer, Interaction, RequestState, Respondent, SurveyLink, SurveyRequest
from storage.respondents import ensure_respondent, get_respondent

# Not a possible Slack, Telegram or console id (those never start with "~").
PLACEHOLDER = "~forgotten"


@dataclass(frozen=True, slots=True)
class Forgotten:
    responses: int
    deleted: bool


async def placeholder(session: AsyncSession, platform: str) -> Respondent:
    anonymous = await ensure_respondent(session, platform=platform, user_id=PLACEHOLDER)
    anonymous.opted_out = True  # nothing is ever sent to nobody
    return anonymous


async def _move(session: AsyncSession, request_ids: list[int], to: Respondent) -> None:
    await session.execute(
        update(SurveyRequest)
        .where(col(SurveyRequest.id).in_(request_ids))
        .values(respondent_id=to.id, message_ref=None)
    )
    interactions = select(SurveyRequest.interaction_id).where(col(SurveyRequest.id).in_(request_ids))
    # The helpdesk's ticket id would lead back to the person through the helpdesk: replace it.
    fresh_id = literal("forgotten:") + cast(col(Interaction.id), String)
    await session.execute(
        update(Interaction)
        .where(col(Interaction.id).in_(interactions))
        .values(respondent_id=to.id, external_id=fresh_id)
    )


async def forget(session: AsyncSession, *, platform: str, user_id: str, delete_answers: bool) -> Forgotten | None:
    """Erase who a respondent was; their responses stay in the figures unlinked, or go entirely."""
    respondent = await get_respondent(session, platform=platform, user_id=user_id)
    if respondent is None or user_id == PLACEHOLDER:
        return None
    stmt = select(SurveyRequest.id).where(col(SurveyRequest.respondent_id) == respondent.id)
    request_ids = list((await session.execute(stmt)).scalars())
    interactions = select(Interaction.id).where(col(Interaction.respondent_id) == respondent.id)
    await session.execute(delete(SurveyLink).where(col(SurveyLink.request_id).in_(request_ids)))  # as good as an id
    if delete_answers:
        alerts = select(Alert.id).where(col(Alert.request_id).in_(request_ids))
        await session.execute(delete(AlertPost).where(col(AlertPost.alert_id).in_(alerts)))
        await session.execute(delete(Alert).where(col(Alert.request_id).in_(request_ids)))
        await session.execute(delete(Answer).where(col(Answer.request_id).in_(request_ids)))
        await session.execute(delete(SurveyRequest).where(col(SurveyRequest.id).in_(request_ids)))
        await session.execute(delete(Interaction).where(col(Interaction.id).in_(interactions)))
    else:
        await session.execute(
            update(SurveyRequest)
            .where(
                col(SurveyRequest.id).in_(request_ids),
                col(SurveyRequest.state).in_([RequestState.SCHEDULED, RequestState.SENDING, RequestState.ACTIVE]),
            )
            .values(state=RequestState.CANCELLED, reason="forgotten")
        )
        await _move(session, request_ids, await placeholder(session, platform))
    await session.execute(delete(Respondent).where(col(Respondent.id) == respondent.id))
    return Forgotten(len(request_ids), delete_answers)


async def unlink_old_text(session: AsyncSession, *, before: datetime) -> int:
    """Responses with free text older than `before` stop pointing at their author; return how many."""
    with_old_text = (
        select(Answer.request_id)
        .where(col(Answer.value_text).is_not(None), col(Answer.answered_at) < before)
        .distinct()
    )
    stmt = (
        select(SurveyRequest.id, Respondent.platform)
        .join(Respondent, col(Respondent.id) == col(SurveyRequest.respondent_id))
        .where(col(SurveyRequest.id).in_(with_old_text), col(Respondent.platform_user_id) != PLACEHOLDER)
    )
    by_platform: dict[str, list[int]] = {}
    for request_id, platform in (await session.execute(stmt)).all():
        by_platform.setdefault(platform, []).append(request_id)
    for platform, request_ids in by_platform.items():
        await _move(session, request_ids, await placeholder(session, platform))
    return sum(len(ids) for ids in by_platform.values())
