"""Operations: what /healthz and `sayso webhooks status` know (queue, platforms, webhooks, text model)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from bot.http.console import render
from bot.http.console.deps import TEAM, allowed
from bot.http.deps import ServicesDep
from bot.http.health import health_report
from bot.http.pages import page_language
from handlers.core.redaction import masked_url
from handlers.operations.webhooks import webhook_status
from handlers.staff.sessions import CurrentSession

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/operations")
async def operations(
    request: Request, services: ServicesDep, me: Annotated[CurrentSession, Depends(allowed(*TEAM))]
) -> Response:
    _, health = await health_report(services)
    webhooks = []
    if services.webhooks is not None:
        webhooks = [
            {
                "url": masked_url(row.url),
                "pending": row.pending,
                "failed": row.failed,
                "delivered": row.delivered,
                "last_error": row.last_error,
            }
            for row in await webhook_status(services.context)
        ]
    language = page_language(request, me.member.language, services.config.file.default_language)
    return render(
        request, "operations.html", language, {"me": me, "page": "operations", "health": health, "webhooks": webhooks}
    )
