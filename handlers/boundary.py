"""The one error boundary between adapters and the handlers: log with context, answer politely."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from handlers.conversation import Conversation
from handlers.core import notes
from handlers.core.context import Context
from handlers.core.events import InboundEvent
from handlers.core.replies import Ack

log = logging.getLogger(__name__)


class ErrorBoundary:
    """Adapters call this with every inbound event and show the returned `Ack` to the person."""

    def __init__(self, context: Context, conversation: Conversation) -> None:
        self._context = context
        self._conversation = conversation

    async def follow_up(self, ack: Ack, event: InboundEvent) -> None:
        """Run an Ack's follow-up after the adapter acknowledged; failures are logged, never raised."""
        try:
            await ack.follow_up()
        except Exception:
            log.exception("follow-up after an event failed", extra={"event": type(event).__name__,
                                                                     "platform": event.sender.platform})  # fmt: skip

    async def __call__(self, event: InboundEvent) -> Ack:
        # Context for logs: the kind of event and platform, never the person or their text.
        context = {"event": type(event).__name__, "platform": event.sender.platform}
        try:
            return await self._conversation.handle(event)
        except (OperationalError, PoolTimeout, DBAPIError, OSError):
            log.error("database unavailable; the person was asked to retry", extra=context, exc_info=True)
            return self._sorry(event, notes.TRY_AGAIN)
        except Exception:
            log.exception("event handling failed", extra=context)
            return self._sorry(event, notes.SOMETHING_WRONG)

    def _sorry(self, event: InboundEvent, message: str) -> Ack:
        return Ack(self._context.language_of(None, platform=event.sender.language_code).say(message))
