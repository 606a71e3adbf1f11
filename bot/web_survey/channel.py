"""The web channel's side of the outbound port. Nothing is pushed to a page: the customer opens the
link, and the page shows the survey's state from the database. So "asking" records where the survey
is, and every other message is shown by the page itself (the thanks, the "someone will get back to
you" line)."""

from __future__ import annotations

from handlers.core.events import MessageRef
from handlers.core.platforms import Platform
from handlers.core.replies import Prompt, Report

PAGE = "page"  # the one place a web survey is shown


class WebChannel:
    platform = str(Platform.WEB)
    reaches_unknown_users = True

    def _page(self, chat_id: str) -> MessageRef:
        return MessageRef(self.platform, chat_id, PAGE)

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        return self._page(chat_id)

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        return message if then is not None else None

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        return None

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        return self._page(chat_id)

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        return self._page(chat_id)

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        return [self._page(chat_id)]

    async def open_chat(self, user_id: str) -> str:
        return user_id

    async def turn(self) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        return None

    def contact(self, user_id: str) -> str:
        return "web visitor (no contact details)"
