"""Who is asking: the signed-in staff member (or a redirect to sign in), their role, and the CSRF check."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request

from bot.http.deps import ServicesDep
from handlers.staff.accounts import StaffRole
from handlers.staff.sessions import CurrentSession

COOKIE = "sayso_session"


class SignInNeeded(Exception):
    """No (or an ended) session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def current_session(request: Request, services: ServicesDep) -> CurrentSession:
    found = await services.staff_sessions.current(request.cookies.get(COOKIE))
    if found is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(quote(path, safe="/?=&-"))
    return found


SessionDep = Annotated[CurrentSession, Depends(current_session)]


def allowed(*roles: StaffRole) -> Callable[[CurrentSession], Coroutine[Any, Any, CurrentSession]]:
    """A dependency that lets only `roles` through (403 for the others): checked on the server, per route."""

    async def check(signed_in: SessionDep) -> CurrentSession:
        if signed_in.member.role not in roles:
            raise HTTPException(403, "your role does not allow this")
        return signed_in

    return check


async def checked_form(signed_in: SessionDep, csrf: Annotated[str, Form()] = "") -> CurrentSession:
    """Every state-changing console request carries the session's form token (403 without)."""
    if not hmac.compare_digest(csrf.encode(), signed_in.csrf_token.encode()):
        raise HTTPException(403, "the form's security token is missing or stale; reload the page and try again")
    return signed_in


EVERYONE = (StaffRole.OWNER, StaffRole.MANAGER, StaffRole.VIEWER, StaffRole.AGENT)
TEAM = (StaffRole.OWNER, StaffRole.MANAGER, StaffRole.VIEWER)
MANAGERS = (StaffRole.OWNER, StaffRole.MANAGER)  # respond to themes, download
ACTORS = (StaffRole.OWNER, StaffRole.MANAGER, StaffRole.AGENT)  # claim and resolve (an agent: their own)
OWNERS = (StaffRole.OWNER,)


def own_agent(signed_in: CurrentSession) -> str | None:
    """The agent name an agent's account is limited to (None: any other role sees everyone's). An
    agent account without a name sees no one's: a name no interaction can carry."""
    if signed_in.member.role is not StaffRole.AGENT:
        return None
    return signed_in.member.agent or "\x00no agent"
