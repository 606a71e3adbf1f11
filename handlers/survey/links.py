"""Links to a survey's web page (`/s/{token}`): minted with the survey, checked when the page opens.

A token is 256 random bits, kept only as its SHA-256, and bound to one survey request; a repeated
report of the interaction mints a fresh link to the same request. Whoever holds a link can answer
that one survey, so links never appear in logs (request paths are logged as `/s/…`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context
from handlers.core.surveys import Question
from handlers.core.tokens import digest, new_token
from handlers.survey.machine import applicable, pending
from storage.alerts import alert_of_request
from storage.answers import Progress, survey_progress
from storage.models import ANSWERABLE, RequestState
from storage.survey_links import add_link, request_of_link
from storage.survey_requests import request_by_id

__all__ = [
    "NOT_STARTED",
    "Page",
    "PageState",
    "Progress",
    "alerted",
    "mint_link",
    "open_link",
    "open_on_page",
    "page_of",
    "visitor_id",
]


async def mint_link(session: AsyncSession, request_id: int) -> str:
    token = new_token()
    await add_link(session, token_hash=digest(token), request_id=request_id)
    return token


NOT_STARTED = "not_started"  # why a Telegram survey could not be sent: the person never pressed Start


def visitor_id(interaction_id: str) -> str:
    """Who answers a web survey, as far as Sayso knows: the interaction's visitor, nobody more."""
    return "visitor-" + hashlib.sha256(interaction_id.encode()).hexdigest()[:24]


async def open_link(context: Context, token: str) -> Progress | None:
    """The survey behind a link, or None for a link that does not exist."""
    if not token or len(token) > 100:
        return None
    async with context.reads() as session:
        request_id = await request_of_link(session, digest(token))
        if request_id is None:
            return None
        return await survey_progress(session, request_id=request_id, lock=False)


class PageState(StrEnum):
    """What a survey's page shows."""

    OPEN = "open"  # a question to answer
    DONE = "done"  # the thanks
    CLOSED = "closed"  # expired, cancelled or failed: nothing more can be answered


@dataclass(frozen=True, slots=True)
class Page:
    state: PageState
    question: Question | None = None
    step: int = 0  # 1-based, among the questions that apply given the answers so far
    steps: int = 0


def page_of(context: Context, progress: Progress) -> Page:
    request, answers = progress.request, progress.answers
    survey = context.surveys.get(request.survey)
    question = pending(survey, answers) if survey is not None else None
    if request.state == RequestState.COMPLETED or (survey is not None and question is None):
        return Page(PageState.DONE)
    expired = request.expires_at is not None and request.expires_at <= context.clock()
    if survey is None or question is None or request.state not in ANSWERABLE or expired:
        return Page(PageState.CLOSED)
    applying = [q for q in survey.questions if applicable(q, answers)]
    return Page(PageState.OPEN, question, applying.index(question) + 1, len(applying))


async def alerted(context: Context, request_id: int) -> bool:
    """Whether the survey's answers raised an alert (the page then says someone will get back to them)."""
    async with context.reads() as session:
        return await alert_of_request(session, request_id) is not None


async def open_on_page(context: Context, request_id: int) -> None:
    """A survey that could not be sent in chat (the person never started the Telegram bot) is opened
    on the page its link leads to: from now on it is answered there, as if sent."""
    now = context.clock()
    async with context.sessions() as session, session.begin():
        request = await request_by_id(session, request_id=request_id, for_update=True)
        if request is None or request.state != RequestState.UNREACHABLE or request.reason != NOT_STARTED:
            return
        survey = context.surveys.get(request.survey)
        first = survey.questions[0].id if survey is not None and survey.questions else None
        request.state, request.reason, request.current_question = RequestState.ACTIVE, None, first
        request.sent_at, request.expires_at, request.updated_at = now, now + context.policy.expiry, now
