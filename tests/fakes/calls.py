"""What the platform fakes share: a log of the API calls they answered, and waiting on it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    failed: bool = False  # answered with an error, whatever the HTTP status


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)

    def record(self, method: str, params: dict[str, Any]) -> Call:
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        return call

    def sent(self, method: str, chat: str | int | None = None, *, chat_key: str = "chat_id") -> list[Call]:
        """Calls of `method` that succeeded, into `chat` if given."""
        return [
            c
            for c in self.calls
            if c.method == method
            and c.status == 200
            and not c.failed
            and (chat is None or str(c.params.get(chat_key)) == str(chat))
        ]

    async def wait_until(
        self, method: str, count: int, chat: str | int | None, *, chat_key: str, timeout: float = 10
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        while len(found := self.sent(method, chat, chat_key=chat_key)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} calls, got {len(found)}: {self.calls[-5:]}")
            await asyncio.sleep(0.02)
        return found
