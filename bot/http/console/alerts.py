"""Alerts: open, claimed and resolved, worked from a desk. Claim and Resolve go through the same
code as the chat's buttons (`FollowUp.claim` and `.resolve`): the alert's chat posts are edited and
the `alert.claimed` / `alert.resolved` webhooks fire; a claim made in chat shows here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from bot.http.console import render
from bot.http.console.deps import ACTORS, SessionDep, allowed, checked_form, own_agent
from bot.http.deps import ServicesDep
from bot.http.pages import Words, page_language
from handlers.explore.responses import AlertState
from handlers.followup.alerts import CLAIMED_BY, RESOLVE, RESOLVED_BY, AlertView, Taken
from handlers.i18n import N_
from handlers.staff.sessions import CurrentSession

router = APIRouter(prefix="/console", include_in_schema=False)
STATES = {AlertState.OPEN: N_("Open"), AlertState.CLAIMED: N_("Claimed"), AlertState.RESOLVED: N_("Resolved")}
SAID = {
    Taken.DONE: N_("Done: alert #%(id)s is %(state)s."),
    Taken.CLAIMED: N_("Alert #%(id)s was already claimed by %(name)s."),
    Taken.RESOLVED: N_("Alert #%(id)s was already resolved by %(name)s."),
    Taken.UNKNOWN: N_("This alert no longer exists."),
}
STATE_WORDS = {AlertState.OPEN: N_("open"), AlertState.CLAIMED: N_("claimed"), AlertState.RESOLVED: N_("resolved")}
NOTE_NEEDED = N_("Write a short note on how it was resolved.")


def _acting_name(me: CurrentSession) -> str:
    """How chat posts name the person: their agent name, else their address's local part (never
    the whole address in a chat)."""
    return (me.member.agent or me.member.email.split("@", 1)[0])[:80]


@router.get("/alerts")
async def alerts(request: Request, services: ServicesDep, me: SessionDep, state: str = "open") -> Response:
    chosen = AlertState(state) if state in AlertState.__members__.values() else AlertState.OPEN
    views = await services.followup.listed(chosen, agent=own_agent(me))
    language = page_language(request, me.member.language, services.config.file.default_language)
    words = Words(language)
    outcome = await _outcome(services, request)
    if outcome is not None and outcome[2] is not None and own_agent(me) not in (None, outcome[2].agent):
        outcome = None  # an agent hears only of their own interactions' alerts
    said = _said(outcome, words)
    items = [
        {
            "id": view.alert.id,
            "reasons": view.alert.reasons,
            "numbers": view.numbers,
            "comments": view.comments,
            "touchpoint": view.touchpoint or "—",
            "agent": view.agent or "—",
            "language": view.language or "—",
            "when": words.when(view.alert.created_at),
            "state": view.alert.state,
            "claimed": words(CLAIMED_BY, name=view.alert.claimer_name or "—") if view.alert.claimer_name else None,
            "resolved": words(RESOLVED_BY, name=view.alert.resolver_name or "—", note=view.alert.note or "—")
            if view.alert.state == AlertState.RESOLVED
            else None,
            "request_id": view.alert.request_id,
        }
        for view in views
    ]
    context = {
        "me": me,
        "page": "alerts",
        "state": chosen.value,
        "tabs": [(s.value, words(label)) for s, label in STATES.items()],
        "alerts": items,
        "said": said,
        "acts": me.member.role in ACTORS,
    }
    return render(request, "alerts.html", language, context)


async def _outcome(services: ServicesDep, request: Request) -> tuple[Taken, str, AlertView | None] | None:
    """What the last Claim or Resolve did, from the redirect's query (`?done=…&alert=…`)."""
    done, number = request.query_params.get("done", ""), request.query_params.get("alert", "")
    if done not in Taken.__members__.values() or not number.isdigit() or len(number) > 18:
        return None
    return Taken(done), number, await services.followup.one(int(number))


def _said(outcome: tuple[Taken, str, AlertView | None] | None, words: Words) -> str | None:
    if outcome is None:
        return None
    done, number, view = outcome
    if view is None:
        return words(SAID[Taken.UNKNOWN])
    alert = view.alert
    name = (alert.resolver_name if done is Taken.RESOLVED else alert.claimer_name) or "—"
    return words(SAID[done], id=number, name=name, state=words(STATE_WORDS[AlertState(alert.state)]))


async def _may_act_on(services: ServicesDep, me: CurrentSession, alert_id: int) -> None:
    agent = own_agent(me)
    if agent is None:
        return
    view = await services.followup.one(alert_id)
    if view is None or view.agent != agent:
        raise HTTPException(403, "an agent acts only on the alerts of their own interactions")


def _back(alert_id: int, done: Taken, state: AlertState) -> RedirectResponse:
    return RedirectResponse(f"/console/alerts?state={state.value}&done={done.value}&alert={alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/claim")
async def claim(
    alert_id: int,
    services: ServicesDep,
    background: BackgroundTasks,
    me: Annotated[CurrentSession, Depends(allowed(*ACTORS))],
    _checked: Annotated[CurrentSession, Depends(checked_form)],
) -> RedirectResponse:
    await _may_act_on(services, me, alert_id)
    done = await services.followup.claim(f"web:{me.member.id}", _acting_name(me), alert_id)
    if done is Taken.DONE:
        background.add_task(services.followup.show_state, alert_id)
    return _back(alert_id, done, AlertState.CLAIMED if done is Taken.DONE else AlertState.OPEN)


@router.post("/alerts/{alert_id}/resolve")
async def resolve(
    request: Request,
    alert_id: int,
    services: ServicesDep,
    background: BackgroundTasks,
    me: Annotated[CurrentSession, Depends(allowed(*ACTORS))],
    _checked: Annotated[CurrentSession, Depends(checked_form)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    await _may_act_on(services, me, alert_id)
    if not note.strip():
        language = page_language(request, me.member.language, services.config.file.default_language)
        words = Words(language)
        context = {"me": me, "heading": words(RESOLVE), "text": words(NOTE_NEEDED), "link": "/console/alerts"}
        return render(
            request, "message.html", language, context | {"link_text": words(STATES[AlertState.OPEN])}, status=422
        )
    done = await services.followup.resolve(f"web:{me.member.id}", _acting_name(me), alert_id, note)
    if done is Taken.DONE:
        background.add_task(services.followup.after_resolving, alert_id)
    return _back(alert_id, done, AlertState.RESOLVED if done is Taken.DONE else AlertState.OPEN)
