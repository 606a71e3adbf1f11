"""`GET /metrics`: Prometheus text format, behind `SAYSO_METRICS_TOKEN` when it is set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Response, Security
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from bot.http.deps import METRICS_BEARER, Bearer, ServicesDep, authorization_of
from bot.http.guard import token_problem

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    # The token is asked for only when SAYSO_METRICS_TOKEN is set: "no scheme" is an option too.
    openapi_extra={"security": [{}]},
    responses={401: {"description": "SAYSO_METRICS_TOKEN is set and the bearer token is missing or wrong"}},
)
async def metrics(services: ServicesDep, credentials: Annotated[Bearer, Security(METRICS_BEARER)]) -> Response:
    """Prometheus text format; with SAYSO_METRICS_TOKEN set, only for `Authorization: Bearer <token>`."""
    expected = services.config.settings.metrics_token
    if expected is not None and token_problem(authorization_of(credentials), expected):
        raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})
    body = await services.metrics.exposition(services.context, webhooks=services.webhooks is not None)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
