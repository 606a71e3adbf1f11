"""The outbound port every platform adapter provides, and the errors it may raise."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from handlers.core.events import MessageRef
from handlers.core.replies import Prompt, Report


class DeliveryFailed(Exception):
    """A platform refused or failed a send; adapters translate their SDK errors into this.

    `permanent` means retrying cannot help (blocked bot, deleted account); `retry_after`
    is the platform's requested pause in seconds; `misconfigured` means the platform refused
    our own credentials (a revoked token): no retry helps until the operator fixes it, and the
    person is not to blame.
    """

    def __init__(
        self,
        platform: str,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        maybe_delivered: bool = False,
        misconfigured: bool = False,
    ) -> None:
        super().__init__(f"{platform}: {reason}")
        self.platform = platform
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        # The request reached the platform but its answer was lost (a read timeout): sending
        # again could show the person the same message twice, so callers must not retry.
        self.maybe_delivered = maybe_delivered
        self.misconfigured = misconfigured


class Outbound(Protocol):
    """What Sayso can do on a platform. Adapters satisfy it structurally."""

    platform: str
    # True when the bot may write to a person who never wrote to it (Slack DMs, the console);
    # False on Telegram, where the person must press Start first.
    reaches_unknown_users: bool

    async def turn(self) -> None:
        """Wait until the platform may take one more survey (an e-mail relay's pace). The sender waits
        here before it commits its intent to post, so an intent is never left waiting when the
        process dies. Chat platforms pace inside their clients and return at once."""
        ...

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef: ...

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        """Show the answer chosen in `message`; with `then`, also show that next question, in the
        same message where the platform does so (Slack) or in a new one. Return where `then` is."""
        ...

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        """Replace what `message` says and its buttons with `prompt` (no options: no buttons), for
        everyone who sees it, such as an alert in a staff channel once it is claimed."""
        ...

    async def send_text(self, chat_id: str, text: str) -> MessageRef: ...

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef: ...

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        """Post a report laid out for the platform, in as many messages as its limits need."""
        ...

    async def open_chat(self, user_id: str) -> str:
        """Return the private chat id with a user (opening a DM where the platform needs it)."""
        ...

    def start_link(self, payload: str) -> str | None:
        """A link that opens the bot with `payload`, for people it cannot write to first."""
        ...

    def contact(self, user_id: str) -> str:
        """How staff reach this platform's user from a message (a mention or a link)."""
        ...


@dataclass
class Channels:
    """The configured platforms by name."""

    by_platform: dict[str, Outbound] = field(default_factory=dict)

    def add(self, channel: Outbound) -> None:
        self.by_platform[channel.platform] = channel

    def get(self, platform: str) -> Outbound | None:
        return self.by_platform.get(platform)

    def __iter__(self) -> Iterator[Outbound]:
        return iter(self.by_platform.values())

    @property
    def names(self) -> Mapping[str, Outbound]:
        return self.by_platform


@dataclass(frozen=True, slots=True)
class Posted:
    """What a webhook receiver answered: its HTTP status, or the network error when none came."""

    status: int | None
    error: str | None = None
    retry_after: float | None = None  # seconds, from the receiver's Retry-After


class WebhookPoster(Protocol):
    """Posts one signed event body to one receiver (bot/webhooks.py, over HTTP)."""

    async def post(self, url: str, event_id: str, body: str) -> Posted: ...
