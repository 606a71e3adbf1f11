"""`POST /api/v1/interactions`: a customer interaction ended; schedule its survey, once per interaction id."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Response

from bot.http.deps import ApiToken, ServicesDep
from bot.http.errors import API_DEADLINE, field_error
from bot.http.models import API_ERRORS, InteractionIn, InteractionOut
from bot.wiring import Services
from handlers.survey.trigger import BadTrigger, TriggerRequest

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["api"])


@router.post(
    "/interactions",
    status_code=202,
    response_model=InteractionOut,
    response_model_exclude_none=True,
    dependencies=[ApiToken],
    responses={200: {"description": "Already reported: the same request, nothing new sent"}, **API_ERRORS},
)
async def report_interaction(body: InteractionIn, services: ServicesDep, response: Response) -> InteractionOut:
    return await report(services, TriggerRequest(**body.model_dump()), response, source="api")


async def report(services: Services, request: TriggerRequest, response: Response, *, source: str) -> InteractionOut:
    """Schedule the survey (or find the one already scheduled, answering 200) within the API's deadline."""
    try:
        async with asyncio.timeout(API_DEADLINE):
            result = await services.trigger(request)
    except BadTrigger as exc:
        raise field_error("body", exc.field, str(exc)) from None
    log.info(
        "interaction reported",
        extra={"survey_request": result.request_id, "status": result.status, "new": result.created, "source": source},
    )
    if not result.created:
        response.status_code = 200
    return InteractionOut(
        request_id=result.request_id,
        status=result.status,
        reason=result.reason,
        start_link=result.start_link,
        survey_url=f"{services.config.settings.public_url}/s/{result.link}" if result.link else None,
        due_at=result.due_at,
        differs=list(result.differs) or None,
    )
