"""`GET /healthz`: whether the database answers, each platform's state, the survey queue and the outbox."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError

from bot.http.deps import ServicesDep
from bot.wiring import Services
from handlers.core.platforms import Platform
from handlers.operations.database import describe_error
from handlers.operations.health import PlatformHealth, PlatformStatus, database_answers, survey_queue
from handlers.operations.webhooks import webhook_backlog
from handlers.text.model import text_model_state

VERSION = version("sayso")
router = APIRouter(tags=["operations"])


@router.get("/healthz", responses={503: {"description": "The database is down or hung"}})
async def healthz(services: ServicesDep, response: Response) -> dict[str, object]:
    response.status_code, health = await health_report(services)
    return health


async def health_report(services: Services) -> tuple[int, dict[str, Any]]:
    """What /healthz answers (and the console's Operations page shows): its status code and body."""
    configured = PlatformHealth(PlatformStatus.CONFIGURED)
    # The web channel is this server itself: nothing to connect, nothing to report.
    names = [name for name in services.channels.names if name != Platform.WEB]
    platforms = {name: str(services.platform_states.get(name, configured)) for name in names}
    degraded = not all(state.healthy for state in services.platform_states.values())
    try:
        await database_answers(services.database)
    except (SQLAlchemyError, OSError) as exc:  # TimeoutError is an OSError
        database = describe_error(services.config.settings.database_url, exc)
        return 503, {"status": "error", "database": database, "platforms": platforms, "version": VERSION}
    queue = await survey_queue(services.context)
    health: dict[str, Any] = {
        "status": "degraded" if degraded else "ok",
        "database": "ok",
        "platforms": platforms,
        "version": VERSION,
        "queue": {
            "scheduled": queue.scheduled,
            "due": queue.due,
            "oldest_due": queue.oldest_due.isoformat() if queue.oldest_due else None,
            "oldest_due_seconds": queue.oldest_due_seconds,
        },
        "text_model": text_model_state(services.context.analyzer.model),
    }
    if services.webhooks is not None:
        outbox = await webhook_backlog(services.context)
        waited = (services.context.clock() - outbox.oldest_pending).total_seconds() if outbox.oldest_pending else 0
        health["webhooks"] = {
            "pending": outbox.pending,
            "failed": outbox.failed,
            "oldest_pending_seconds": round(waited, 1),
        }
    return 200, health
