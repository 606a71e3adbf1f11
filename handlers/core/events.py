"""Inbound events: what a person did in chat, in the project's own words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sender:
    """Who acted and where. `chat_id` is the conversation the reply belongs in."""

    platform: str
    user_id: str
    chat_id: str
    language_code: str | None = None
    private: bool = True
    # How colleagues know them ("Claimed by Réka" on an alert); filled for button presses only, and
    # stored only for staff actions, never for customers.
    name: str | None = None
    # Where the replies to this event are shown, when not on `platform` itself: "web" for an answer
    # given on the survey page by a person the survey was sent to by e-mail or Telegram.
    shown_on: str | None = None

    @property
    def replies_on(self) -> str:
        return self.shown_on or self.platform


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot sent, as the platform knows it."""

    platform: str
    chat_id: str
    message_id: str

    @property
    def stored(self) -> str:
        """How a survey request keeps it: "chat|message" (chat ids may contain "|", message ids do not)."""
        return f"{self.chat_id}|{self.message_id}"

    @classmethod
    def parse(cls, platform: str, stored: str | None) -> MessageRef | None:
        """The reverse of `stored`; None for a request that has no shown question."""
        if not stored or "|" not in stored:
            return None
        chat_id, message_id = stored.rsplit("|", 1)
        return cls(platform, chat_id, message_id)


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    sender: Sender
    data: str
    message: MessageRef | None = None
    event_id: str | None = None  # platform delivery id, for deduplication


@dataclass(frozen=True, slots=True)
class TextReceived:
    sender: Sender
    text: str
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class CommandReceived:
    """A chat command such as /start, /stop, /language or /help; `args` is what followed it."""

    sender: Sender
    command: str
    args: str = ""
    event_id: str | None = None


InboundEvent = ButtonPressed | TextReceived | CommandReceived
