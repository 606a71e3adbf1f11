"""Posting to the staff destinations once per post each, whichever replica or restart gets there first."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context
from handlers.core.events import Sender
from handlers.core.ports import DeliveryFailed, Outbound
from handlers.i18n import Lang, lang
from storage.broadcast_ledger import claim_post, finish_post, posted_count

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Destination:
    """A staff channel or group, and the language posts to it are written in."""

    platform: str
    chat_id: str
    language: str = "en"

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.chat_id}"


Post = Callable[[Destination, Outbound], Awaitable[None]]


def destination_of(destinations: Sequence[Destination], sender: Sender) -> Destination | None:
    """The staff destination the sender acted in, if they acted in one."""
    return next((d for d in destinations if (d.platform, d.chat_id) == (sender.platform, sender.chat_id)), None)


def staff_language(context: Context, destinations: Sequence[Destination], sender: Sender) -> Lang:
    """Answer staff in their channel's configured language; elsewhere in their client's."""
    if (destination := destination_of(destinations, sender)) is not None:
        return lang(destination.language)
    return context.client_language(sender.language_code)


class Sent(StrEnum):
    """A destination that has the post: by this call, or by an earlier one (or another replica)."""

    NOW = "sent"
    EARLIER = "already sent"


class Failed(str):
    """A destination not posted to this time, with the reason; retried on the next call.

    A string (`"failed: <reason>"`) so outcomes print and serialise as they read; code tells the
    cases apart by type (`isinstance(outcome, Failed)`), never by parsing the text.
    """

    reason: str

    def __new__(cls, reason: str) -> Failed:
        failed = super().__new__(cls, f"failed: {reason}")
        failed.reason = reason
        return failed


Outcome = Sent | Failed


async def broadcast(
    context: Context,
    key: str,
    destinations: Sequence[Destination],
    post: Post,
    *,
    force: bool = False,
    on_first_delivery: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> dict[str, Outcome]:
    """Run `post` for every destination that has not had the post `key` yet; say what happened to each.

    A ledger row per (key, destination) is claimed and committed before posting, so replicas
    racing for the same post make it once; a failed destination is retried on the next call
    without posting again to the others. `on_first_delivery` runs in the transaction that records
    the key's first successful post (to any destination), once however many replicas race.
    """
    outcome: dict[str, Outcome] = {}
    for destination in destinations:
        async with context.sessions() as session, session.begin():
            mine = await claim_post(
                session, key=key, destination=destination.key, now=context.clock(), lease=LEASE, force=force
            )
        if not mine:
            outcome[destination.key] = Sent.EARLIER
            continue
        channel = context.channels.get(destination.platform)
        error = None
        if channel is None:
            error = f"{destination.platform} is not configured"
        else:
            try:
                await post(destination, channel)
            except DeliveryFailed as failure:
                error = failure.reason
            except Exception as exc:  # a bug for one destination must not block the others
                log.exception("post to staff failed", extra={"post": key, "destination": destination.key})
                error = f"internal error ({type(exc).__name__})"
        async with context.sessions() as session, session.begin():
            await finish_post(session, key=key, destination=destination.key, now=context.clock(), error=error)
            if error is None and on_first_delivery is not None and await posted_count(session, key=key) == 1:
                await on_first_delivery(session)
        if error:
            log.warning(
                "post to staff not delivered", extra={"post": key, "destination": destination.key, "reason": error}
            )
        outcome[destination.key] = Failed(error) if error else Sent.NOW
    return outcome
