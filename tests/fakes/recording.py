"""A recording outbound channel: the outbound port with every call kept for assertions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from handlers.core.events import MessageRef
from handlers.core.ports import DeliveryFailed
from handlers.core.replies import Prompt, Report


@dataclass
class Sent:
    kind: str  # ask | show_choice | replace | text | report | image
    chat_id: str
    text: str
    prompt: Prompt | None = None
    message: MessageRef | None = None
    report: Report | None = None


@dataclass
class RecordingChannel:
    platform: str = "console"
    reaches_unknown_users: bool = True
    sent: list[Sent] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)  # raised by the next sends, in order
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _next(self, chat_id: str) -> MessageRef:
        if self.failures:
            raise self.failures.pop(0)
        return MessageRef(self.platform, chat_id, str(next(self._ids)))

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        ref = self._next(chat_id)
        self.sent.append(Sent("ask", chat_id, prompt.text, prompt=prompt, message=ref))
        return ref

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        self.sent.append(Sent("show_choice", message.chat_id, text, message=message))
        return await self.ask(message.chat_id, then) if then is not None else None

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        self.sent.append(Sent("replace", message.chat_id, prompt.text, prompt=prompt, message=message))

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        ref = self._next(chat_id)
        self.sent.append(Sent("text", chat_id, text, message=ref))
        return ref

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        ref = self._next(chat_id)
        self.sent.append(Sent("report", chat_id, report.plain(), message=ref, report=report))
        return [ref]

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        ref = self._next(chat_id)
        self.sent.append(Sent("image", chat_id, caption, message=ref))
        return ref

    async def open_chat(self, user_id: str) -> str:
        return f"dm-{user_id}"

    def contact(self, user_id: str) -> str:
        return f"{self.platform} user {user_id}"

    async def turn(self) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        return None if self.reaches_unknown_users else f"https://t.me/sayso_test_bot?start={payload}"

    @property
    def prompts(self) -> list[Prompt]:
        return [s.prompt for s in self.sent if s.prompt is not None]

    def texts(self, kind: str) -> list[str]:
        return [s.text for s in self.sent if s.kind == kind]
