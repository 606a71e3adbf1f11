"""The one error boundary between adapters and the handlers: log with context, answer politely."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from handlers.conversation import Conversation
from handlers.core import notes
from handlers.core.context import Context
from handlers.core.deadline import Deadline, within
from handlers.core.events import InboundEvent, Sender
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Ack
from handlers.survey.profile import Profile, profile_of

log = logging.getLogger(__name__)
_DATABASE_DOWN = (OperationalError, PoolTimeout, DBAPIError, OSError)  # TimeoutError is an OSError
# Slack wants its ack within 3 s. A database that hangs (a dead link the driver cannot see) must
# not hold the person there: past this, the answer is "could not save, try again" (idempotent).
# Text analysis in a worker thread does not count (see handlers.core.deadline).
EVENT_DEADLINE = 2.2
# Cancelling work stuck on a dead link does not end it at once: the session's rollback and the
# connection's return to the pool wait on the same dead link. The person is answered this long
# after the deadline whether or not that cleanup has finished; it goes on in the background.
CLEANUP_GRACE = 0.25


class ErrorBoundary:
    """Adapters call this with every inbound event and show the returned `Ack` to the person."""

    def __init__(self, context: Context, conversation: Conversation) -> None:
        self._context = context
        self._conversation = conversation
        self._stuck: set[asyncio.Task[Ack]] = set()

    async def receive(
        self,
        event: InboundEvent,
        *,
        acknowledge: Callable[[Ack], Awaitable[None]] | None = None,
        tell: Callable[[str], Awaitable[None]] | None = None,
        after: Callable[[Coroutine[Any, Any, None]], None] | None = None,
    ) -> Ack:
        """The one inbound pipeline every adapter runs: handle (answers are committed first), then
        `acknowledge` the platform, then `tell` the person the Ack's note, then the follow-up.

        `after` runs the note and the follow-up once the platform's request is answered (Slack's
        3 seconds); without it they run before this returns. A note that cannot be delivered is
        logged; the stored answer stands.
        """
        ack = await self(event)
        if acknowledge is not None:
            await acknowledge(ack)

        async def rest() -> None:
            if ack.note and tell is not None:
                try:
                    await tell(ack.note)
                except DeliveryFailed as failure:
                    log.warning(
                        "note not delivered", extra={"platform": event.sender.platform, "reason": failure.reason}
                    )
            await self.follow_up(ack, event)

        if after is not None:
            after(rest())
        else:
            await rest()
        return ack

    async def follow_up(self, ack: Ack, event: InboundEvent) -> None:
        """Run an Ack's follow-up after the adapter acknowledged; failures are logged, never raised."""
        try:
            await ack.follow_up()
        except Exception:
            log.exception(
                "follow-up after an event failed",
                extra={"event": type(event).__name__, "platform": event.sender.platform},
            )

    async def __call__(self, event: InboundEvent) -> Ack:
        """The event's Ack, within `EVENT_DEADLINE` (plus the grace) of database time whatever the database does."""
        holder: list[Deadline] = []
        work = asyncio.create_task(self._handle(event, holder))
        while True:
            done, _ = await asyncio.wait({work}, timeout=_wait_left(holder))
            if done:
                return work.result()
            if holder and holder[0].expired_for(CLEANUP_GRACE):
                break
        self._stuck.add(work)  # keep a reference: its cleanup finishes (or fails) in the background
        work.add_done_callback(self._stuck.discard)
        log.error(
            "database did not release the event in time; the person was asked to retry",
            extra={"event": type(event).__name__, "platform": event.sender.platform},
        )
        return self._sorry(event, notes.TRY_AGAIN)

    async def _handle(self, event: InboundEvent, holder: list[Deadline]) -> Ack:
        # Context for logs: the kind of event and platform, never the person or their text.
        where = {"event": type(event).__name__, "platform": event.sender.platform}
        try:
            async with within(EVENT_DEADLINE) as deadline:
                holder.append(deadline)
                return await self._conversation.handle(event)
        except _DATABASE_DOWN:
            log.error("database unavailable; the person was asked to retry", extra=where, exc_info=True)
            return self._sorry(event, notes.TRY_AGAIN)
        except Exception:
            log.exception("event handling failed", extra=where)
            return self._sorry(event, notes.SOMETHING_WRONG)

    async def profile(self, sender: Sender) -> Profile:
        """A person's settings for a view (Slack's App Home, a modal); with the database down, the
        view still opens, in their client's language."""
        try:
            return await profile_of(self._context, sender)
        except _DATABASE_DOWN:
            log.error(
                "database unavailable; a view was shown with default settings",
                extra={"event": "profile", "platform": sender.platform},
                exc_info=True,
            )
            return Profile(self._context.client_language(sender.language_code), chosen=False, opted_out=False)

    def _sorry(self, event: InboundEvent, message: str) -> Ack:
        return Ack(self._context.client_language(event.sender.language_code).say(message), failed=True)


def _wait_left(holder: list[Deadline]) -> float:
    """How long to wait for the event before looking at its deadline again."""
    if not holder:
        return EVENT_DEADLINE  # not started yet: the deadline is set first thing
    left = holder[0].left()
    return CLEANUP_GRACE if left is None else max(left, 0.0) + CLEANUP_GRACE
