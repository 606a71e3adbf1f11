"""Every error the HTTP server answers itself, each as one readable sentence (and, for a 422, each field)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.http.deps import get_services
from handlers.operations.database import describe_error

log = logging.getLogger(__name__)
API_DEADLINE = 2.0  # seconds an API call may wait for the database before it answers 503
DATABASE_HUNG = "the database did not answer in time; try again (the call is idempotent)"


NOT_JSON = "the body is not JSON: send it with Content-Type: application/json"


def _message(error: dict[str, Any], body: Any) -> str:
    """What went wrong, said for a person: a JSON syntax error by line and column, not by offset."""
    if error["type"] == "json_invalid" and isinstance(body, str):
        offset = int(error["loc"][-1])
        line = body.count("\n", 0, offset) + 1
        column = offset - body.rfind("\n", 0, offset)
        reason = error.get("ctx", {}).get("error", "")
        return f"the body is not valid JSON (line {line}, column {column}: {reason})"
    if isinstance(error.get("input"), bytes) and tuple(error["loc"]) == ("body",):
        return NOT_JSON
    return str(error["msg"]).removeprefix("Value error, ")


def readable(exc: RequestValidationError) -> dict[str, object]:
    errors = []
    for error in exc.errors():
        syntax = error["type"] == "json_invalid" or isinstance(error.get("input"), bytes)
        loc = [] if syntax else [str(part) for part in error["loc"] if part != "body"]
        errors.append({"field": ".".join(loc) or "body", "message": _message(error, exc.body)})
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
