"""The one HTTP server: health, the interactions API and (later) the platforms' webhooks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError

from bot.hooks import Ignored, from_chatwoot
from bot.http_guard import BodyLimit, RequestGuard, RequestId, token_problem
from bot.http_models import API_ERRORS, HookIgnored, InteractionIn, InteractionOut
from bot.metrics import RequestTimer
from bot.summary import summary
from bot.wiring import Services
from handlers.core.weeks import parse_week, shift, week_of
from handlers.operations.database import describe_error
from handlers.operations.health import PlatformHealth, PlatformStatus, database_answers, survey_queue
from handlers.operations.webhooks import webhook_backlog
from handlers.survey.trigger import BadTrigger, TriggerRequest
from handlers.text.model import text_model_state

log = logging.getLogger(__name__)
VERSION = version("sayso")
API_MAX_BYTES = 64 * 1024
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
API_DEADLINE = 2.0  # seconds an API call may wait for the database before it answers 503
DATABASE_HUNG = "the database did not answer in time; try again (the call is idempotent)"
# Slack's own Bolt receivers refuse bodies over 4 MB; Telegram updates are far smaller.
BODY_LIMITS = (BodyLimit("/api/v1/", API_MAX_BYTES), BodyLimit("/slack/", 4 * 1024 * 1024),
               BodyLimit("/telegram/", 1024 * 1024))  # fmt: skip


def _readable(exc: RequestValidationError) -> dict[str, object]:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if part != "body"]
        errors.append({"field": ".".join(loc) or "body", "message": error["msg"].removeprefix("Value error, ")})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return {"detail": detail, "errors": errors}


def create_app(services: Services, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The one FastAPI app; platform adapters contribute their webhook routes as `routers`."""
    # /docs and /redoc from assets shipped in fastapi-offline: they work with no internet access.
    app = FastAPIOffline(title="Sayso", version=VERSION, description="Chat-native customer feedback.")
    for router in routers:
        app.include_router(router)
    settings = services.config.settings
    app.add_middleware(RequestGuard, limits=BODY_LIMITS, default_max_bytes=API_MAX_BYTES, api_token=settings.api_token,
                       hook_secret=settings.hook_secret)  # fmt: skip

    app.add_middleware(RequestId)
    app.add_middleware(RequestTimer, metrics=services.metrics)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content=_readable(exc))

    @app.exception_handler(TimeoutError)
    async def _hung(_: Request, exc: TimeoutError) -> JSONResponse:
        """An API deadline passed: the database did not answer (a refused one raises SQLAlchemyError)."""
        log.error("database did not answer within the API deadline")
        return JSONResponse(status_code=503, content={"detail": DATABASE_HUNG})

    @app.exception_handler(SQLAlchemyError)
    async def _database(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        log.error("database error while serving a request", exc_info=exc)
        message = describe_error(settings.database_url, exc)
        return JSONResponse(status_code=503, content={"detail": f"database unavailable, try again later ({message})"})

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        """Also checked by `RequestGuard` before the body is read; declared here for the OpenAPI document."""
        if problem := token_problem(authorization, settings.api_token):
            status, message = problem
            raise HTTPException(status, message, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)

    @app.get("/healthz", tags=["operations"], responses={503: {"description": "The database is down or hung"}})
    async def healthz(response: Response) -> dict[str, object]:
        configured = PlatformHealth(PlatformStatus.CONFIGURED)
        platforms = {name: str(services.platform_states.get(name, configured)) for name in services.channels.names}
        degraded = not all(state.healthy for state in services.platform_states.values())
        try:
            await database_answers(services.database)
        except (SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
            response.status_code = 503
            return {"status": "error", "database": describe_error(settings.database_url, exc),
                    "platforms": platforms, "version": VERSION}  # fmt: skip
        queue = await survey_queue(services.context)
        backlog = {
            "scheduled": queue.scheduled,
            "due": queue.due,
            "oldest_due": queue.oldest_due.isoformat() if queue.oldest_due else None,
            "oldest_due_seconds": queue.oldest_due_seconds,
        }
        status = "degraded" if degraded else "ok"
        model = text_model_state(services.context.analyzer.model)
        health: dict[str, object] = {"status": status, "database": "ok", "platforms": platforms, "version": VERSION,
                                     "queue": backlog, "text_model": model}  # fmt: skip
        if services.webhooks is not None:
            outbox = await webhook_backlog(services.context)
            waited = (services.context.clock() - outbox.oldest_pending).total_seconds() if outbox.oldest_pending else 0
            health["webhooks"] = {"pending": outbox.pending, "failed": outbox.failed,
                                  "oldest_pending_seconds": round(waited, 1)}  # fmt: skip
        return health

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=PlainTextResponse,
        responses={401: {"description": "SAYSO_METRICS_TOKEN is set and the bearer token is missing or wrong"}},
    )
    async def metrics(authorization: Annotated[str | None, Header()] = None) -> Response:
        """Prometheus text format; with SAYSO_METRICS_TOKEN set, only for `Authorization: Bearer <token>`."""
        if settings.metrics_token is not None and token_problem(authorization, settings.metrics_token):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})
        body = await services.metrics.exposition(services.context, webhooks=services.webhooks is not None)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.post(
        "/api/v1/interactions",
        tags=["api"],
        status_code=202,
        response_model=InteractionOut,
        response_model_exclude_none=True,
        dependencies=[Depends(require_token)],
        responses={200: {"description": "Already reported: the same request, nothing new sent"}, **API_ERRORS},
    )
    async def report_interaction(body: InteractionIn, response: Response) -> InteractionOut:
        return await _report(TriggerRequest(**body.model_dump()), response, source="api")

    @app.post(
        "/api/v1/hooks/chatwoot",
        tags=["connectors"],
        status_code=202,
        response_model=InteractionOut | HookIgnored,
        response_model_exclude_none=True,
        responses={200: {"description": "Already reported, or not a resolved Telegram conversation (see `ignored`)"},
                   **API_ERRORS},
    )  # fmt: skip
    async def chatwoot(payload: Annotated[dict[str, Any], Body()], response: Response) -> InteractionOut | HookIgnored:
        """Chatwoot's `conversation_status_changed` account webhook. Point it at
        `/api/v1/hooks/chatwoot?secret=$SAYSO_HOOK_SECRET`; a resolved conversation in a Telegram
        inbox surveys its contact (agent from the assignee); anything else is acknowledged with
        the reason it was ignored."""
        translated = from_chatwoot(payload)
        if isinstance(translated, Ignored):
            response.status_code = 200
            log.info("helpdesk webhook ignored", extra={"source": "chatwoot", "reason": translated.reason})
            return HookIgnored(ignored=translated.reason)
        return await _report(translated, response, source="chatwoot")

    async def _report(request: TriggerRequest, response: Response, *, source: str) -> InteractionOut:
        try:
            async with asyncio.timeout(API_DEADLINE):
                result = await services.trigger(request)
        except BadTrigger as exc:
            raise RequestValidationError(
                [{"loc": ("body", exc.field), "msg": str(exc), "type": "value_error"}]
            ) from None
        log.info("interaction reported", extra={"survey_request": result.request_id, "status": result.status,
                                                "new": result.created, "source": source})  # fmt: skip
        if not result.created:
            response.status_code = 200
        return InteractionOut(
            request_id=result.request_id,
            status=result.status,
            reason=result.reason,
            start_link=result.start_link,
            due_at=result.due_at,
            differs=list(result.differs) or None,
        )

    @app.get("/api/v1/summary", tags=["api"], dependencies=[Depends(require_token)], responses=API_ERRORS)
    async def week_summary(
        # The pattern is documented; the check itself is parse_week's, whose message says how to write it.
        week: Annotated[str | None, Query(examples=["2026-W47"], json_schema_extra={"pattern": WEEK_PATTERN})] = None,
    ) -> dict[str, object]:
        """The digest's figures for an ISO week (default: the last complete week), as JSON."""
        zone = settings.timezone
        try:
            chosen = parse_week(week) if week else shift(week_of(services.context.clock(), zone), -1, zone)
        except ValueError as exc:
            raise RequestValidationError([{"loc": ("query", "week"), "msg": str(exc), "type": "value_error"}]) from None
        async with asyncio.timeout(API_DEADLINE * 4):  # a week's figures are more work than one insert
            return summary(await services.weekly.build(chosen))

    return app
