"""The terminal as a chat platform: surveys for `sayso demo` and for `sayso run` with nothing configured.

One line of input per step: a button's key (the number shown) presses it, a line starting
with / is a command, an empty line skips a text question, anything else is a message.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from handlers.core.events import ButtonPressed, CommandReceived, InboundEvent, MessageRef, Sender, TextReceived
from handlers.core.replies import Prompt, Report

PLATFORM = "console"


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def visual_order(text: str) -> str:
    """Reorder and shape right-to-left lines for terminals that draw characters left to right."""
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(
        get_display(arabic_reshaper.reshape(line)) if _has_rtl(line) else line for line in text.split("\n")
    )


class ConsoleChannel:
    """Outbound port on a Rich console; remembers the last prompt so typed keys can press its buttons."""

    platform = PLATFORM
    reaches_unknown_users = True

    def __init__(self, console: Console | None = None, *, bidi: bool | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._bidi = self.console.is_terminal if bidi is None else bidi
        self._ids = itertools.count(1)
        self.last_prompt: Prompt | None = None
        self.last_chat: str | None = None  # whose survey the terminal shows: typed answers are theirs

    def _show(self, text: str, style: str | None = None) -> None:
        shown = visual_order(text) if self._bidi else text
        self.console.print(escape(shown), style=style)

    def _ref(self, chat_id: str) -> MessageRef:
        return MessageRef(PLATFORM, chat_id, str(next(self._ids)))

    async def ask(self, chat_id: str, prompt: Prompt) -> MessageRef:
        self.console.print()
        self._show(prompt.text, "bold")
        for option in prompt.options:
            # Only the label is reordered for right-to-left scripts: the "[4]" before it and the
            # indentation stay where a left-to-right terminal draws them.
            key = "Enter" if option.key == "-" else option.key
            label = visual_order(option.label) if self._bidi else option.label
            self.console.print(f"  [{escape(key)}] {escape(label)}", style="cyan", markup=False)
        if prompt.hint:
            self._show(prompt.hint, "dim")
        self.last_prompt, self.last_chat = prompt, chat_id
        return self._ref(chat_id)

    async def show_choice(self, message: MessageRef, text: str, then: Prompt | None = None) -> MessageRef | None:
        self._show(text.rsplit("\n", 1)[-1], "green")
        return await self.ask(message.chat_id, then) if then is not None else None

    async def replace(self, message: MessageRef, prompt: Prompt) -> None:
        self.console.print()
        self._show(prompt.text, "dim")

    async def send_text(self, chat_id: str, text: str) -> MessageRef:
        self.console.print()
        self._show(text)
        return self._ref(chat_id)

    async def send_report(self, chat_id: str, report: Report) -> list[MessageRef]:
        return [await self.send_text(chat_id, report.plain())]

    async def send_image(self, chat_id: str, image: bytes, caption: str) -> MessageRef:
        with tempfile.NamedTemporaryFile(prefix="sayso-", suffix=".png", delete=False) as handle:
            handle.write(image)
        self._show(f"{caption} [{handle.name}]")
        return self._ref(chat_id)

    async def open_chat(self, user_id: str) -> str:
        return user_id  # one terminal, one chat per console user

    def contact(self, user_id: str) -> str:
        return f"console {user_id}"

    async def turn(self) -> None:
        return None

    def start_link(self, payload: str) -> str | None:
        return None

    async def read(self, reader: LineReader) -> str | None:
        """The next typed line, after a "> " prompt when a person is at the terminal."""
        if self.console.is_terminal:
            self.console.print("> ", end="")
        return await reader.readline()

    async def tell(self, text: str) -> None:
        """Show an event's note (a toast on other platforms)."""
        self._show(text, "yellow")

    def to_event(self, line: str, sender: Sender, event_ids: Callable[[], str]) -> InboundEvent:
        """Turn a typed line into an inbound event, pressing a button when the line is its key."""
        text = line.strip()
        if text.startswith("/"):
            command, _, args = text[1:].partition(" ")
            return CommandReceived(sender, command, args, event_id=event_ids())
        options = self.last_prompt.options if self.last_prompt else ()
        key = text or "-"
        option = next((o for o in options if o.key == key), None)
        if option is not None:
            return ButtonPressed(sender, option.data, message=None, event_id=event_ids())
        return TextReceived(sender, text, event_id=event_ids())


class LineReader:
    """Reads lines on a daemon thread, so a pending read never blocks the loop or holds up shutdown."""

    def __init__(self, stream: TextIO = sys.stdin) -> None:
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, args=(loop, stream), name="console-input", daemon=True).start()

    def _pump(self, loop: asyncio.AbstractEventLoop, stream: TextIO) -> None:
        try:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(self._lines.put_nowait, line.rstrip("\r\n"))
            loop.call_soon_threadsafe(self._lines.put_nowait, None)
        except RuntimeError:  # the loop closed while we waited for input
            return

    async def readline(self) -> str | None:
        """The next line, or None at end of input."""
        return await self._lines.get()
