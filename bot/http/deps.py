"""What routes depend on, as `Annotated` dependencies: the process's services and the API's bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.http.guard import token_problem
from bot.wiring import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


# Declared as security schemes, so /docs has an Authorize button and "Try it out" sends the token.
API_BEARER = HTTPBearer(auto_error=False, scheme_name="api_token", description="SAYSO_API_TOKEN")
METRICS_BEARER = HTTPBearer(auto_error=False, scheme_name="metrics_token", description="SAYSO_METRICS_TOKEN")
Bearer = HTTPAuthorizationCredentials | None


def authorization_of(credentials: Bearer) -> str | None:
    """The Authorization header as sent, from what FastAPI's bearer scheme parsed."""
    return f"{credentials.scheme} {credentials.credentials}" if credentials else None


def require_token(services: ServicesDep, credentials: Annotated[Bearer, Security(API_BEARER)]) -> None:
    """The `/api/v1` bearer token. `RequestGuard` checks it before the body is read; declared here
    for the OpenAPI document and as the route's own check."""
    if problem := token_problem(authorization_of(credentials), services.config.settings.api_token):
        status, message = problem
        raise HTTPException(status, message, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


ApiToken = Depends(require_token)
