"""`GET/POST /s/{token}`: a survey on a page, one question per step, through the chat's engine.

A submitted answer becomes the same inbound event a button press or a typed message is, handled by
the one error boundary, so the state machine's rules hold here too: a double submit or the back
button stores nothing twice, a low score raises the same alert. Every answer is stored when it is
submitted, and a reopened link continues where the customer left off. After a submit the page
redirects to itself (POST, redirect, GET), so reloading sends nothing again.

A link in an e-mail (`?answer=4`) only shows that choice with a confirm button: mail scanners open
every link, and only the POST stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from bot.http.deps import ServicesDep
from bot.http.pages import Pages
from bot.web_survey.limits import SubmitLimits
from handlers.core import notes
from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, Sender, TextReceived
from handlers.core.platforms import Platform
from handlers.core.surveys import TEXT_MAX_CHARS
from handlers.core.tokens import digest
from handlers.followup.customer import TELL_CUSTOMER
from handlers.i18n import N_, Lang, lang, negotiate
from handlers.survey.links import NOT_STARTED, PageState, Progress, alerted, open_link, open_on_page, page_of
from handlers.survey.prompts import INTRO, question_prompt
from handlers.survey.trigger import RequestState

router = APIRouter(prefix="/s", include_in_schema=False)
PAGES = Pages(Path(__file__).with_name("templates"))
LIMITS = SubmitLimits()
NOT_FOUND = PlainTextResponse("Not Found", status_code=404)
CLOSED = N_("This survey has closed. Thank you for your time.")
CLOSED_HEADING = N_("Survey closed")
SLOW_DOWN = N_("Too many answers at once. Please wait a moment and try again.")
STEP = N_("Question %(i)d of %(n)d")
STOP_ASK = N_("Stop getting our survey e-mails?")
UNSUBSCRIBED = N_("Done: you will get no more survey e-mails from us.")
CHOSEN = N_("You chose: %(answer)s")
RETRY_AFTER = 5  # seconds, after an answer the database could not store in time


def _language(wanted: str | None, stored: str) -> Lang:
    return lang(negotiate(wanted) or stored)


async def _current(services: ServicesDep, token: str) -> Progress | None:
    """The survey behind the link, sent first if it is still waiting for the sender (the link is out),
    or opened here if chat could not reach the person (a Telegram user who never pressed Start)."""
    found = await open_link(services.context, token)
    if found is not None and found.request.state == RequestState.SCHEDULED:
        await services.survey_sender.send_due()
        found = await open_link(services.context, token)
    elif found is not None and found.request.reason == NOT_STARTED:
        await open_on_page(services.context, found.request.id)
        found = await open_link(services.context, token)
    return found


@router.get("/{token}")
async def survey_page(request: Request, services: ServicesDep, token: str) -> Response:
    found = await _current(services, token)
    if found is None:
        return NOT_FOUND
    language = _language(request.query_params.get("lang"), found.request.language)
    return await _show(request, services, token, found, language, chosen=request.query_params.get("answer"))


async def _show(
    request: Request,
    services: ServicesDep,
    token: str,
    found: Progress,
    language: Lang,
    *,
    chosen: str | None = None,
    problem: str | None = None,
    typed: str | None = None,
    status: int = 200,
) -> Response:
    page = page_of(services.context, found)
    base: dict[str, Any] = {"token": token, "problem": problem, "switch": request.url.path}
    if page.state is PageState.DONE:
        sorry = await alerted(services.context, found.request.id)
        context = {
            **base,
            "thanks": language.say(notes.THANKS),
            "sorry": language.say(TELL_CUSTOMER) if sorry else None,
        }
        return PAGES.render(request, "done.html", language, context, status=status)
    if page.state is PageState.CLOSED or page.question is None:
        context = {**base, "heading": language.gettext(CLOSED_HEADING), "text": language.gettext(CLOSED)}
        return PAGES.render(request, "closed.html", language, context, status=410)
    survey = services.context.surveys[found.request.survey]
    prompt = question_prompt(
        survey, page.question, token=found.request.token, language=language, intro=None if found.answers else INTRO
    )
    picked = next((option for option in prompt.options if option.key == chosen), None)
    context = {
        **base,
        "prompt": prompt,
        "step": language.gettext(STEP) % {"i": page.step, "n": page.steps},
        "step_value": page.step,
        "steps": page.steps,
        "picked": picked,
        "picked_text": language.gettext(CHOSEN) % {"answer": picked.label} if picked else None,
        "typed": typed or "",  # a comment that could not be taken is given back, not lost
        "text_max": TEXT_MAX_CHARS,
    }
    return PAGES.render(request, "survey.html", language, context, status=status)


@router.get("/{token}/unsubscribe")
async def unsubscribe_page(request: Request, services: ServicesDep, token: str) -> Response:
    """Asks first: mail scanners open every link, and only the POST opts out."""
    found = await open_link(services.context, token)
    if found is None:
        return NOT_FOUND
    language = _language(request.query_params.get("lang"), found.request.language)
    context = {"token": token, "problem": None, "switch": request.url.path, "question": language.gettext(STOP_ASK)}
    return PAGES.render(request, "unsubscribe.html", language, context)


@router.post("/{token}/unsubscribe")
async def unsubscribe(request: Request, services: ServicesDep, token: str) -> Response:
    """RFC 8058's one-click POST (`List-Unsubscribe=One-Click`), or the page's button: like /stop in chat."""
    found = await open_link(services.context, token)
    if found is None:
        return NOT_FOUND
    language = _language(None, found.request.language)
    await services.boundary.receive(CommandReceived(_sender(found, language), "stop", "", event_id=None))
    context = {
        "token": token,
        "problem": None,
        "switch": request.url.path,
        "heading": language.gettext(UNSUBSCRIBED),
        "text": "",
    }
    return PAGES.render(request, "closed.html", language, context)


async def _refused(services: ServicesDep, token: str, before: Progress) -> Progress | None:
    """The survey as it is now if a comment was refused (too long, characters that cannot be
    stored): still open on the same question. The chat answers that with a note; the page shows it."""
    now = await open_link(services.context, token)
    if now is None or now.request.current_question != before.request.current_question:
        return None
    return now if page_of(services.context, now).state is PageState.OPEN else None


def _sender(found: Progress, language: Lang) -> Sender:
    """The person the link was made for, as the engine knows them (a web visitor, an e-mail address)."""
    respondent = found.respondent
    chat = respondent.chat_id or respondent.platform_user_id
    return Sender(
        respondent.platform, respondent.platform_user_id, chat, language.code, private=True, shown_on=Platform.WEB
    )


@router.post("/{token}")
async def answer(
    request: Request,
    services: ServicesDep,
    token: str,
    data: Annotated[str | None, Form(max_length=200)] = None,
    text: Annotated[str | None, Form()] = None,  # bounded by the body limit; the engine refuses > 2,000
    lang_code: Annotated[str | None, Form(alias="lang", max_length=16)] = None,
) -> Response:
    found = await _current(services, token)
    if found is None:
        return NOT_FOUND
    language = _language(lang_code, found.request.language)
    link_hash = digest(token)
    client = request.client.host if request.client else "unknown"
    if (wait := LIMITS.wait(link_hash, client)) > 0:
        slow = language.gettext(SLOW_DOWN)
        response = await _show(request, services, token, found, language, problem=slow, typed=text, status=429)
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response
    sender = _sender(found, language)
    event: InboundEvent | None = None
    if data:
        event = ButtonPressed(sender, data, message=None, event_id=None)
    elif text is not None and text.strip():
        once = digest(f"{link_hash}\0{found.request.current_question}\0{text}")[:32]
        event = TextReceived(sender, text, event_id=f"web:{once}")  # a double submit of the same text: once
    if event is not None:
        ack = await services.boundary.receive(event)
        if ack.failed:  # nothing was stored: say so on the page, with the answer still to give
            response = await _show(request, services, token, found, language, problem=ack.note, typed=text, status=503)
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        if isinstance(event, TextReceived) and ack.note and (refused := await _refused(services, token, found)):
            return await _show(request, services, token, refused, language, problem=ack.note, typed=text, status=422)
    suffix = f"?lang={language.code}" if lang_code else ""
    return RedirectResponse(f"/s/{token}{suffix}", status_code=303)
