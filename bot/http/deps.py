"""What routes depend on, as `Annotated` dependencies: the process's services and the API's bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from bot.http.guard import token_problem
from bot.wiring import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def require_token(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """The `/api/v1` bearer token. `RequestGuard` checks it before the body is read; declared here
    for the OpenAPI document and as the route's own check."""
    if problem := token_problem(authorization, services.config.settings.api_token):
        status, message = problem
        raise HTTPException(status, message, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


ApiToken = Depends(require_token)
