"""Every error the HTTP server answers itself, each as one readable sentence (and, for a 422, each field)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.http.deps import get_services
from handlers.operations.database import describe_error

log = logging.getLogger(__name__)
API_DEADLINE = 2.0  # seconds an API call may wait for the database before it answers 503
DATABASE_HUNG = "the database did not answer in time; try again (the call is idempotent)"


def readable(exc: RequestValidationError) -> dict[str, object]:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if part != "body"]
        errors.append({"field": ".".join(loc) or "body", "message": error["msg"].removeprefix("Value error, ")})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return {"detail": detail, "errors": errors}


def field_error(location: str, field: str, message: str) -> RequestValidationError:
    """A 422 naming one field, as the body's own validation would."""
    return RequestValidationError([{"loc": (location, field), "msg": message, "type": "value_error"}])


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(status_code=422, content=readable(exc))


async def _hung(_: Request, exc: Exception) -> JSONResponse:
    """An API deadline passed: the database did not answer (a refused one raises SQLAlchemyError)."""
    log.error("database did not answer within the API deadline")
    return JSONResponse(status_code=503, content={"detail": DATABASE_HUNG})


async def _database(request: Request, exc: Exception) -> JSONResponse:
    log.error("database error while serving a request", exc_info=exc)
    message = describe_error(get_services(request).config.settings.database_url, exc)
    return JSONResponse(status_code=503, content={"detail": f"database unavailable, try again later ({message})"})


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(TimeoutError, _hung)
    app.add_exception_handler(SQLAlchemyError, _database)
