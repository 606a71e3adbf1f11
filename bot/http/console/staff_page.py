"""The Staff page (owners only): invite, change a role, remove; each ends the person's sessions where it should."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from bot.http.console import render
from bot.http.console.deps import OWNERS, allowed, checked_form
from bot.http.deps import ServicesDep
from bot.http.pages import page_language
from handlers.i18n import N_
from handlers.staff.accounts import AccountProblem, StaffRole
from handlers.staff.sessions import CurrentSession

router = APIRouter(prefix="/console/staff", include_in_schema=False)
ROLE_NAMES = {
    StaffRole.OWNER: N_("Owner"),
    StaffRole.MANAGER: N_("Manager"),
    StaffRole.VIEWER: N_("Viewer"),
    StaffRole.AGENT: N_("Agent"),
}
Owner = Annotated[CurrentSession, Depends(allowed(*OWNERS))]


async def owner_form(me: Owner, checked: Annotated[CurrentSession, Depends(checked_form)]) -> CurrentSession:
    """An owner's state-changing request with its form token (403 for others, or without the token)."""
    return checked


OwnerForm = Annotated[CurrentSession, Depends(owner_form)]


async def _page(
    request: Request, services: ServicesDep, me: CurrentSession, status: int = 200, **extra: Any
) -> Response:
    language = page_language(request, me.member.language, services.config.file.default_language)
    roles = {str(role): language.gettext(name) for role, name in ROLE_NAMES.items()}
    context = {"me": me, "page": "staff", "members": await services.staff.members(), "roles": roles, **extra}
    return render(request, "staff.html", language, context, status=status)


@asynccontextmanager
async def _refused_as_422() -> AsyncIterator[None]:
    """A change the accounts refuse (the last owner, an unknown address) is a 422 page, not a 500."""
    try:
        yield
    except AccountProblem as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("")
async def staff(request: Request, services: ServicesDep, me: Owner) -> Response:
    return await _page(request, services, me)


@router.post("/invite")
async def invite(
    request: Request,
    services: ServicesDep,
    me: OwnerForm,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[StaffRole, Form()],
    agent: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    try:
        link = await services.staff.invite(email, role, agent=agent or None)
    except AccountProblem as exc:
        return await _page(request, services, me, 422, problem=str(exc))
    url = f"{services.config.settings.public_url}/console/invite/{link.token}"
    return await _page(request, services, me, 201, link=url, link_email=email.strip().lower())


@router.post("/role")
async def change_role(
    services: ServicesDep,
    me: OwnerForm,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[StaffRole, Form()],
    agent: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    async with _refused_as_422():
        await services.staff.change_role(email, role, agent=agent or None)
    return RedirectResponse("/console/staff", status_code=303)


@router.post("/remove")
async def remove(services: ServicesDep, me: OwnerForm, email: Annotated[str, Form(max_length=320)]) -> Response:
    async with _refused_as_422():
        await services.staff.remove(email)
    destination = "/console/sign-in" if email.strip().lower() == me.member.email else "/console/staff"
    return RedirectResponse(destination, status_code=303)
