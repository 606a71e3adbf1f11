"""What the console answers when a page cannot be shown: a sign-in redirect, or a readable page."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from bot.http.console import render
from bot.http.console.deps import SignInNeeded
from bot.http.deps import get_services
from bot.http.pages import page_language
from handlers.i18n import N_

HEADINGS = {
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    422: N_("That did not work"),
}
TEXTS = {
    403: N_("Your role does not allow this, or the form was stale. Go back, reload the page and try again."),
    404: N_("There is no such page."),
    405: N_("That is not how this page is used."),
    422: N_("Something in the form was not right. Go back and check it."),
}
BACK = N_("Back to the overview")


async def _sign_in_needed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    return RedirectResponse(f"/console/sign-in?next={exc.next_path}", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/console") or exc.status_code not in HEADINGS:
        return await http_exception_handler(request, exc)
    services = get_services(request)
    language = page_language(request, None, services.config.file.default_language)
    context = {
        "me": None,
        "heading": language.gettext(HEADINGS[exc.status_code]),
        "text": language.gettext(TEXTS[exc.status_code]),
        "link": "/console/",
        "link_text": language.gettext(BACK),
    }
    return render(request, "message.html", language, context, status=exc.status_code)


def add_console_errors(app: FastAPI) -> None:
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.add_exception_handler(HTTPException, _http_error)
