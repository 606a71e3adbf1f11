"""The app factory: it assembles the routers, their middleware and error handlers, and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from bot.http import console, health, metrics
from bot.http.api import hooks, interactions, summary
from bot.http.console import alerts, auth, fonts, operations, overview, responses, staff_page, suggestions
from bot.http.console.errors import add_console_errors
from bot.http.errors import add_error_handlers
from bot.http.guard import BodyLimit, RequestGuard, RequestId
from bot.http.security import PageHeaders
from bot.metrics import RequestTimer
from bot.web_survey import pages as survey_pages
from bot.wiring import Services

API_MAX_BYTES = 64 * 1024
FORM_MAX_BYTES = 32 * 1024
# Slack's own Bolt receivers refuse bodies over 4 MB; Telegram updates are far smaller.
BODY_LIMITS = (
    BodyLimit("/api/v1/", API_MAX_BYTES),
    BodyLimit("/slack/", 4 * 1024 * 1024),
    BodyLimit("/telegram/", 1024 * 1024),
    # A sign-in or staff form, a survey answer: 2,000 characters of a script without spaces
    # (Chinese, say) are 18 KB once a browser percent-encodes them (9 bytes each).
    BodyLimit("/console/", FORM_MAX_BYTES),
    BodyLimit("/s/", FORM_MAX_BYTES),
)
ROUTERS = (
    health.router,
    metrics.router,
    interactions.router,
    hooks.router,
    summary.router,
    auth.root,
    auth.router,
    overview.router,
    responses.router,
    alerts.router,
    suggestions.router,
    operations.router,
    staff_page.router,
    fonts.router,
    survey_pages.router,
)
STATIC = Path(console.__file__).with_name("static")
SURVEY_ASSETS = Path(survey_pages.__file__).with_name("static")


def create_app(services: Services, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The one FastAPI app; platform adapters contribute their webhook routes as `routers`."""
    # /docs and /redoc from assets shipped in fastapi-offline: they work with no internet access.
    app = FastAPIOffline(title="Sayso", version=version("sayso"), description="Chat-native customer feedback.")
    app.state.services = services
    for router in (*routers, *ROUTERS):
        app.include_router(router)
    settings = services.config.settings
    app.add_middleware(
        RequestGuard,
        limits=BODY_LIMITS,
        default_max_bytes=API_MAX_BYTES,
        api_token=settings.api_token,
        hook_secret=settings.hook_secret,
    )
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    app.mount("/s/assets", StaticFiles(directory=SURVEY_ASSETS), name="survey-assets")
    app.add_middleware(PageHeaders, prefixes=("/console", "/s/"))
    app.add_middleware(RequestId)
    routes = [route for router in (*routers, *ROUTERS) for route in router.routes]
    app.add_middleware(RequestTimer, metrics=services.metrics, routes=routes)
    add_error_handlers(app)
    add_console_errors(app)
    return app
