"""Sending due surveys: claim rows in the database, send the first question, retry with backoff."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from handlers.core.context import Context
from handlers.core.events import MessageRef
from handlers.core.meter import Counted, Timed
from handlers.core.platforms import LINKED, Platform
from handlers.core.ports import DeliveryFailed
from handlers.core.worker import Worker
from handlers.survey.asking import remember
from handlers.survey.group_commit import GroupCommit
from handlers.survey.links import mint_link
from handlers.survey.machine import pending
from handlers.survey.prompts import INTRO, REMINDER, question_prompt
from storage.answers import answer_values, survey_progress
from storage.claims import CLAIM_LEASE, Claim, Sent, claim_due, mark_posting, record_sent, settle_unconfirmed
from storage.models import RequestState, Respondent
from storage.respondents import remember_chats, touch
from storage.survey_requests import claim_reminders, expire_overdue, request_by_id, unclaim_reminder

log = logging.getLogger(__name__)
# A post to record: what went out, and the private chat opened for it (respondent id, chat id), if new.
_Outcome = tuple[Sent, tuple[int, str] | None]


class SurveySender(Worker):
    """Sends what is due. Several senders (replicas) may run on one PostgreSQL database; `stop`
    lets the sends under way finish, so a shutdown loses no claimed survey."""

    doing = "survey sending"

    def __init__(self, context: Context, *, batch: int = 50, idle_seconds: float = 5.0, parallel: int = 16) -> None:
        super().__init__(idle_seconds=idle_seconds)
        self._context = context
        self._batch = batch
        # Sends wait on the network and on platform rate limiters; a few at once keep the
        # pipe full without one slow chat holding up the batch.
        self._parallel_sends = parallel
        self._parallel = asyncio.Semaphore(parallel)
        self._intents = GroupCommit(self._mark_posting)
        self._outcomes = GroupCommit(self._record_sent)
        self._links = GroupCommit(self._mint_links)

    async def work(self) -> None:
        await self.drain()
        await self.sweep()

    async def send_due(self) -> int:
        """Claim and send one batch of due requests; return how many were claimed."""
        claimed = await self._claim()
        await asyncio.gather(*(self._send_limited(request_id) for request_id in claimed))
        return len(claimed)

    async def drain(self) -> int:
        """Send until nothing is due; return how many were claimed. The next batch is claimed while
        sends are still in flight, as soon as fewer than `parallel` remain queued, so the platform
        never waits for a claim; claimed rows never wait long enough for their lease to run out."""
        in_flight: set[asyncio.Task[None]] = set()
        total = 0
        try:
            while not self._stopping:
                claimed = await self._claim()
                for request_id in claimed:
                    task = asyncio.create_task(self._send_limited(request_id))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                total += len(claimed)
                if len(claimed) < self._batch:
                    break
                while len(in_flight) > self._parallel_sends:
                    await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if in_flight:
                await asyncio.gather(*in_flight)
        return total

    async def _claim(self) -> list[int]:
        context = self._context
        async with context.sessions() as session, session.begin():
            return [row.id for row in await claim_due(session, now=context.clock(), limit=self._batch)]

    async def _send_limited(self, request_id: int) -> None:
        async with self._parallel:
            try:
                await self.send(request_id)
            except Exception:  # one broken request must not stop the batch; its claim expires and retries
                log.exception("sending a survey failed", extra={"survey_request": request_id})

    async def send(self, request_id: int) -> None:
        context, started = self._context, time.perf_counter()
        async with context.reads() as session:
            found = await survey_progress(session, request_id=request_id, lock=False)
        if found is None or found.request.state != RequestState.SENDING:
            return
        request, respondent, stored = found.request, found.respondent, found.answers
        survey = context.surveys.get(request.survey)
        channel = context.channels.get(respondent.platform)
        if respondent.opted_out or survey is None or channel is None:
            state = RequestState.CANCELLED if respondent.opted_out else RequestState.FAILED
            reason = "opted out" if respondent.opted_out else "survey or platform no longer configured"
            await self._finish(request_id, state=state, error=reason)
            return
        question = pending(survey, stored)
        if question is None:
            await self._finish(request_id, state=RequestState.COMPLETED)
            return
        if (wake := self.quiet_until(respondent)) is not None:
            await self._defer(request_id, wake)
            return
        language = context.language_of(respondent, requested=request.language)
        prompt = question_prompt(
            survey, question, token=request.token, language=language, intro=None if stored else INTRO
        )
        if respondent.platform in LINKED:  # an e-mail carries links to the page, not buttons
            prompt = replace(prompt, link=await self._link(request_id))
        chat_id = respondent.chat_id
        # The intent is committed before the platform call: if this process dies during the call,
        # recovery knows a post may have happened and does not post again (`settle_unconfirmed`).
        # It also proves the claim is still ours, and that the database is there to record the send.
        assert request.claimed_at is not None
        await channel.turn()
        if not await self._intents(Claim(request_id, request.claimed_at)):
            log.info("claim taken over by another sender; not sent", extra={"survey_request": request_id})
            return
        try:
            chat_id = chat_id or await channel.open_chat(respondent.platform_user_id)
            message: MessageRef | None = await channel.ask(chat_id, prompt)
            error = None
        except DeliveryFailed as failure:
            context.meter.count(Counted.SEND_ERRORS, platform=respondent.platform)
            if not failure.maybe_delivered:
                await self._failed(request_id, failure)
                return
            message, error = None, f"delivery unconfirmed, not resent: {failure.reason}"[:500]
        sent = Sent(request_id, question.id, message.stored if message else None, error)
        opened = (respondent.id, chat_id) if chat_id is not None and chat_id != respondent.chat_id else None
        await self._outcomes((sent, opened))
        context.meter.count(Counted.SURVEYS_SENT, platform=respondent.platform)
        context.meter.time(Timed.SEND, time.perf_counter() - started, platform=respondent.platform)
        log.info("survey sent", extra={"survey_request": request_id, "platform": respondent.platform})

    async def _mark_posting(self, claims: Sequence[Claim]) -> list[bool]:
        """The intents of the sends waiting, in one transaction (`GroupCommit`)."""
        async with self._context.sessions() as session, session.begin():
            ours = await mark_posting(session, claims=claims, now=self._context.clock())
        return [claim.request_id in ours for claim in claims]

    async def _record_sent(self, outcomes: Sequence[_Outcome]) -> list[None]:
        """The posts made, and the private chats opened for them, in one transaction (`GroupCommit`)."""
        context = self._context
        now = context.clock()
        reminder = context.policy.reminder_after
        async with context.sessions() as session, session.begin():
            posts = [sent for sent, _ in outcomes]
            await record_sent(
                session,
                sent=posts,
                now=now,
                expires_at=now + context.policy.expiry,
                reminder_at=now + reminder if reminder else None,
            )
            chats = [opened for _, opened in outcomes if opened is not None]
            if chats:
                await remember_chats(session, chats)
        return [None] * len(outcomes)

    def quiet_until(self, respondent: Respondent) -> datetime | None:
        """When a message to this person may go out, if not now. Nothing goes out to the console user
        (at the terminal) or a web survey (the customer holds its link): no quiet hours for them."""
        policy = self._context.policy
        if policy.quiet_hours is None or respondent.platform in (Platform.CONSOLE, Platform.WEB):
            return None
        return policy.quiet_hours.next_allowed(self._context.clock(), respondent.timezone or policy.timezone)

    async def _defer(self, request_id: int, until: datetime) -> None:
        async with self._context.sessions() as session, session.begin():
            request = await request_by_id(session, request_id=request_id, for_update=True)
            assert request is not None
            # Waiting for the morning is not a failed attempt.
            request.state, request.due_at, request.attempts = RequestState.SCHEDULED, until, request.attempts - 1
            request.updated_at = self._context.clock()
        log.info("survey deferred to the end of quiet hours", extra={"survey_request": request_id})

    async def sweep(self) -> tuple[int, int]:
        """Expire surveys left unanswered too long and send each open one its single reminder."""
        context = self._context
        now = context.clock()
        async with context.sessions() as session, session.begin():
            unconfirmed = await settle_unconfirmed(
                session,
                now=now,
                lease=CLAIM_LEASE,
                expiry=context.policy.expiry,
                reminder_after=context.policy.reminder_after,
            )
            expired = await expire_overdue(session, now=now)
            due = await claim_reminders(session, now=now, limit=self._batch) if context.policy.reminder_after else []
        if unconfirmed:
            log.warning(
                "surveys whose post was under way when a sender stopped: opened, not resent",
                extra={"surveys": unconfirmed},
            )
        await asyncio.gather(*(self._remind(request_id) for request_id in due))
        return expired, len(due)

    async def _remind(self, request_id: int) -> None:
        context = self._context
        async with context.sessions() as session:
            request = await request_by_id(session, request_id=request_id)
            assert request is not None
            respondent = await session.get(Respondent, request.respondent_id)
            stored = await answer_values(session, request_id=request_id)
        survey = context.surveys.get(request.survey)
        channel = context.channels.get(respondent.platform) if respondent else None
        question = pending(survey, stored) if survey else None
        if respondent is None or respondent.opted_out or channel is None or question is None or not respondent.chat_id:
            return
        if (wake := self.quiet_until(respondent)) is not None:
            async with context.sessions() as session, session.begin():
                await unclaim_reminder(session, request_id=request_id, due_at=wake)
            return
        language = context.language_of(respondent, requested=request.language)
        prompt = question_prompt(survey, question, token=request.token, language=language, intro=REMINDER)  # type: ignore[arg-type]
        if respondent.platform in LINKED:
            prompt = replace(prompt, link=await self._link(request_id))
        try:
            await channel.turn()
            message = await channel.ask(respondent.chat_id, prompt)
        except DeliveryFailed as failure:  # one reminder only: a failed one is not retried
            log.info("reminder not delivered", extra={"survey_request": request_id, "reason": failure.reason})
            return
        await remember(context, request, question.id, message)
        log.info("reminder sent", extra={"survey_request": request_id})

    async def _link(self, request_id: int) -> str:
        """A fresh link to the survey's page for one message (the token is in no table, only its hash)."""
        return await self._links(request_id)

    async def _mint_links(self, request_ids: Sequence[int]) -> list[str]:
        """The links of the e-mails waiting, in one transaction (`GroupCommit`)."""
        async with self._context.sessions() as session, session.begin():
            return [await mint_link(session, request_id) for request_id in request_ids]

    async def _failed(self, request_id: int, failure: DeliveryFailed) -> None:
        context = self._context
        now = context.clock()
        async with context.sessions() as session, session.begin():
            request = await request_by_id(session, request_id=request_id, for_update=True)
            assert request is not None
            request.last_error = failure.reason[:500]
            request.updated_at, request.posting_at = now, None
            if failure.misconfigured:
                request.state = RequestState.FAILED
            elif failure.permanent:
                request.state, request.reason = RequestState.UNREACHABLE, failure.reason[:200]
                respondent = await session.get(Respondent, request.respondent_id)
                if respondent is not None:
                    touch(respondent, unreachable_reason=failure.reason[:200])
            elif request.attempts >= context.policy.max_attempts:
                request.state = RequestState.FAILED
            else:
                backoff = context.policy.retry_backoff * 2 ** (request.attempts - 1)
                if failure.retry_after:
                    backoff = max(backoff, type(backoff)(seconds=failure.retry_after))
                request.state, request.due_at = RequestState.SCHEDULED, now + backoff
        log.warning(
            "survey send failed",
            extra={"survey_request": request_id, "reason": failure.reason, "permanent": failure.permanent},
        )

    async def _finish(self, request_id: int, *, state: RequestState, error: str | None = None) -> None:
        now = self._context.clock()
        async with self._context.sessions() as session, session.begin():
            request = await request_by_id(session, request_id=request_id, for_update=True)
            assert request is not None
            request.state, request.last_error, request.updated_at = state, error, now
            if state is RequestState.COMPLETED:
                request.completed_at = now
