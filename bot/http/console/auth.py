"""Signing in and out, setting a password from an invitation link, and the console's language."""

from __future__ import annotations

import contextlib
import hmac
import logging
import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.http.console import render
from bot.http.console.deps import COOKIE, checked_form
from bot.http.deps import ServicesDep
from bot.http.pages import page_language
from handlers.i18n import N_, lang
from handlers.staff.accounts import AccountProblem, LinkUnusable
from handlers.staff.passwords import MIN_LENGTH, PasswordRefused
from handlers.staff.sessions import CurrentSession, SignedIn, SignInRefused, TooManyAttempts

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console", include_in_schema=False)
FORM_COOKIE = "sayso_form"  # the sign-in and password forms' token, before there is a session
WRONG = N_("That e-mail and password do not match an account.")
WAIT = N_("Too many failed sign-ins. Try again in %(minutes)d minutes.")
LINK_PROBLEMS = {
    "unknown": N_("This link is not valid. Ask an owner for a new one."),
    "used": N_("This link was already used. Sign in, or ask an owner for a new link."),
    "expired": N_("This link has expired. Ask an owner for a new one."),
}
LINK_HEADING = N_("This link cannot be used")
SIGN_IN = N_("Sign in")
FORM_EXPIRED = N_("The form expired. Please try again.")


def _safe_next(path: str | None) -> str:
    """Only a path of this console: a sign-in form must not send anyone to another site."""
    return path if path and path.startswith("/console/") and not path.startswith("/console//") else "/console/"


def _set_session(response: Response, signed: SignedIn, secure: bool) -> None:
    response.set_cookie(COOKIE, signed.cookie, httponly=True, samesite="lax", secure=secure, path="/console")
    response.delete_cookie(FORM_COOKIE, path="/console")


def _with_form_token(
    request: Request, services: ServicesDep, template: str, context: dict[str, object], status: int
) -> Response:
    """A form page before there is a session: its token is also in a cookie, and both must come back."""
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    language = page_language(request, None, services.config.file.default_language)
    response = render(request, template, language, {"me": None, **context, "form_token": token}, status=status)
    secure = services.config.settings.secure_cookies
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/console")
    return response


def _form_token_matches(request: Request, given: str) -> bool:
    expected = request.cookies.get(FORM_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


@router.get("/sign-in")
async def sign_in_page(request: Request, services: ServicesDep, next: str | None = None) -> Response:
    return _sign_in_form(request, services, next_path=_safe_next(next))


def _sign_in_form(
    request: Request,
    services: ServicesDep,
    *,
    next_path: str,
    problem: str | None = None,
    email: str = "",
    status: int = 200,
) -> Response:
    context: dict[str, object] = {"next_path": next_path, "email": email, "problem": problem}
    return _with_form_token(request, services, "sign_in.html", context, status)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console/",
) -> Response:
    language = page_language(request, None, services.config.file.default_language)
    if not _form_token_matches(request, csrf):
        expired = language.gettext(FORM_EXPIRED)
        return _sign_in_form(request, services, next_path=_safe_next(next), email=email, status=403, problem=expired)
    client = request.client.host if request.client else "unknown"
    try:
        signed = await services.staff_sessions.sign_in(email, password, client=client)
    except TooManyAttempts as exc:
        minutes = max(1, math.ceil(exc.wait.total_seconds() / 60))
        log.warning("sign-in refused: too many failures")
        response = _sign_in_form(
            request,
            services,
            next_path=_safe_next(next),
            email=email,
            status=429,
            problem=language.gettext(WAIT) % {"minutes": minutes},
        )
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.wait.total_seconds())))
        return response
    except SignInRefused:
        log.info("sign-in refused: wrong e-mail or password")  # never which, never the address
        return _sign_in_form(
            request, services, next_path=_safe_next(next), email=email, status=401, problem=language.gettext(WRONG)
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session(response, signed, services.config.settings.secure_cookies)
    return response


@router.post("/sign-out")
async def sign_out(
    request: Request, services: ServicesDep, _: Annotated[CurrentSession, Depends(checked_form)]
) -> Response:
    await services.staff_sessions.sign_out(request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.post("/language")
async def choose_language(
    services: ServicesDep,
    signed_in: Annotated[CurrentSession, Depends(checked_form)],
    language: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form()] = "/console/",
) -> Response:
    """The console's language, remembered for the person (every page, every browser)."""
    with contextlib.suppress(AccountProblem):  # an unknown code: the page stays in the language it was in
        await services.staff.set_language(signed_in.member.id, language)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/invite/{token}")
async def invitation_page(request: Request, services: ServicesDep, token: str) -> Response:
    language = page_language(request, None, services.config.file.default_language)
    try:
        member = await services.staff.link_member(token)
    except LinkUnusable as exc:
        return _link_problem(request, language.code, exc.reason)
    return _password_form(request, services, member.email)


def _password_form(
    request: Request, services: ServicesDep, email: str, problem: str | None = None, status: int = 200
) -> Response:
    context: dict[str, object] = {"email": email, "problem": problem, "min_length": MIN_LENGTH}
    return _with_form_token(request, services, "invite.html", context, status)


def _link_problem(request: Request, code: str, reason: str) -> Response:
    language = lang(code)
    status = 410 if reason in ("used", "expired") else 404
    context = {
        "me": None,
        "heading": language.gettext(LINK_HEADING),
        "text": language.gettext(LINK_PROBLEMS[reason]),
        "link": "/console/sign-in",
        "link_text": language.gettext(SIGN_IN),
    }
    return render(request, "message.html", language, context, status=status)


@router.post("/invite/{token}")
async def set_password(
    request: Request,
    services: ServicesDep,
    token: str,
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    language = page_language(request, None, services.config.file.default_language)
    try:
        member = await services.staff.link_member(token)
    except LinkUnusable as exc:
        return _link_problem(request, language.code, exc.reason)
    if not _form_token_matches(request, csrf):
        return _password_form(request, services, member.email, language.gettext(FORM_EXPIRED), 403)
    try:
        member_id = await services.staff.accept(token, password)
    except PasswordRefused as exc:
        return _password_form(request, services, member.email, language.gettext(exc.message) % exc.values, 422)
    except LinkUnusable as exc:  # used by a second tab a moment ago
        return _link_problem(request, language.code, exc.reason)
    signed = await services.staff_sessions.open(member_id)
    response = RedirectResponse("/console/", status_code=303)
    _set_session(response, signed, services.config.settings.secure_cookies)
    return response


root = APIRouter(include_in_schema=False)


@root.get("/")
async def to_console() -> Response:
    return RedirectResponse("/console/", status_code=307)
