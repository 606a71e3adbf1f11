"""Delivering the outbox to the webhook receivers: at least once, with backoff, beside chat.

Its own task, its own bounded posts: a slow or dead receiver never holds up chat handling, and
a receiver gets at most a few posts at once (the poster's per-URL limit).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from handlers.core.context import Context
from handlers.core.meter import Counted
from handlers.core.outbox import event_body
from handlers.core.ports import Posted, WebhookPoster
from handlers.core.worker import Worker
from storage.models import WebhookState
from storage.outbox import (
    Backlog,
    Due,
    UrlStatus,
    backlog,
    claim_deliveries,
    outbox_status,
    record_outcome,
    retry_failed,
)

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(hours=1)
RETRY_FOR = timedelta(days=1)  # then the delivery is marked failed (`sayso webhooks retry --failed`)
RETRIED = frozenset({408, 425, 429})  # and every 5xx; other 4xx fail at once


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """The wait after failed attempt `attempt` (1-based): doubling from 5 s up to an hour, with
    ±20% jitter so receivers coming back are not hit by every sender at once; at least Retry-After."""
    wait = min(FIRST_RETRY * 2 ** (attempt - 1), LONGEST_WAIT) * random.uniform(0.8, 1.2)
    return max(wait, timedelta(seconds=retry_after or 0))


def _attempts_in_a_day() -> int:
    total, attempts = timedelta(), 0
    while total < RETRY_FOR:
        attempts += 1
        total += min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return attempts


MAX_ATTEMPTS = _attempts_in_a_day()


@dataclass(frozen=True, slots=True)
class Verdict:
    state: WebhookState
    error: str | None


def judge(posted: Posted, attempts: int) -> Verdict:
    """2xx delivered; 408/425/429, 5xx and network errors retried until a day has passed; other
    statuses failed at once (the receiver refuses this event, and will again)."""
    status = posted.status
    if status is not None and 200 <= status < 300:
        return Verdict(WebhookState.DELIVERED, None)
    reason = posted.error or f"HTTP {status}"
    if status is not None and status not in RETRIED and status < 500:
        return Verdict(WebhookState.FAILED, f"refused: {reason}")
    if attempts >= MAX_ATTEMPTS:
        return Verdict(WebhookState.FAILED, f"gave up after {attempts} attempts: {reason}")
    return Verdict(WebhookState.PENDING, reason)


class WebhookSender(Worker):
    """Claims due deliveries and posts them; several senders (replicas) may share one PostgreSQL."""

    doing = "webhook delivery"

    def __init__(self, context: Context, poster: WebhookPoster, *, batch: int = 50, idle_seconds: float = 2.0) -> None:
        super().__init__(idle_seconds=idle_seconds)
        self._context = context
        self._poster = poster
        self._batch = batch

    async def work(self) -> None:
        while await self.deliver_due() == self._batch and not self._stopping:
            pass

    async def deliver_due(self) -> int:
        """Claim one batch of due deliveries, post them, and record every outcome in one
        transaction; return how many were claimed. (A post is bounded by its timeout, well inside
        the claim's lease, so a slow receiver delays the record, never a second post.)"""
        context = self._context
        async with context.sessions() as session, session.begin():
            due = await claim_deliveries(session, now=context.clock(), limit=self._batch)
        if not due:
            return 0
        posted = await asyncio.gather(*(self._post(delivery) for delivery in due))
        now = context.clock()
        verdicts = [judge(answer, delivery.attempts) for delivery, answer in zip(due, posted, strict=True)]
        async with context.sessions() as session, session.begin():
            for delivery, answer, verdict in zip(due, posted, verdicts, strict=True):
                retry = verdict.state is WebhookState.PENDING
                retry_at = now + backoff(delivery.attempts, answer.retry_after) if retry else None
                await record_outcome(
                    session,
                    delivery_id=delivery.delivery_id,
                    state=verdict.state,
                    status=answer.status,
                    error=verdict.error,
                    now=now,
                    retry_at=retry_at,
                )
        for delivery, verdict in zip(due, verdicts, strict=True):
            self._report(delivery, verdict)
        return len(due)

    async def _post(self, due: Due) -> Posted:
        try:
            return await self._poster.post(due.url, due.event_id, due.body)
        except Exception as exc:  # a bug in posting must not lose the event: it is retried
            log.exception("webhook post failed", extra={"event_type": due.event_type})
            return Posted(None, f"internal error ({type(exc).__name__})")

    def _report(self, due: Due, verdict: Verdict) -> None:
        outcome = {WebhookState.DELIVERED: "delivered", WebhookState.PENDING: "retried"}.get(verdict.state, "failed")
        self._context.meter.count(Counted.WEBHOOK_DELIVERIES, event_type=due.event_type, outcome=outcome)
        if verdict.state is not WebhookState.DELIVERED:
            # The reason and the event type only: never the URL (it may carry a token) or the body.
            said = {"event_type": due.event_type, "attempt": due.attempts, "outcome": outcome, "reason": verdict.error}
            log.warning("webhook not delivered", extra=said)

    async def ping(self) -> dict[str, Posted]:
        """A signed `ping` to every receiver, outside the outbox: what each one answered. Each ping
        has an id of its own, so a receiver that drops repeated ids (as it should) sees every test."""
        body = event_body("ping", {"message": "Sayso webhook test"}, self._context.clock())
        urls = self._context.outbox.urls
        answers = await asyncio.gather(
            *(self._poster.post(url, f"msg_ping_{secrets.token_hex(12)}", body) for url in urls)
        )
        return dict(zip(urls, answers, strict=True))


async def webhook_status(context: Context) -> list[UrlStatus]:
    async with context.reads() as session:
        return await outbox_status(session)


async def webhook_backlog(context: Context) -> Backlog:
    async with context.reads() as session:
        return await backlog(session)


async def retry_failed_deliveries(context: Context) -> int:
    async with context.sessions() as session, session.begin():
        return await retry_failed(session, now=context.clock())
