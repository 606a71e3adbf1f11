"""A webhook receiver on 127.0.0.1:<random port>: answers each post as scripted (a status, or no
answer at all) and records what arrived, headers and raw body."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

HANG = -1  # scripted "status": never answer (the sender's timeout fires)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    script: deque[int] = field(default_factory=deque)  # answers for the next posts; then `default`
    default: int = 200
    retry_after: str | None = None
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self._stopping.set()  # hung answers end, so the server's shutdown does not wait for them
        if self._runner:
            await self._runner.cleanup()

    def answer(self, *statuses: int) -> None:
        self.script.extend(statuses)

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    async def wait_for(self, count: int, *, timeout: float = 20) -> list[Received]:
        """Until `count` posts were accepted."""
        for _ in range(int(timeout / 0.05)):
            if len(self.accepted()) >= count:
                return self.accepted()
            await asyncio.sleep(0.05)
        raise AssertionError(f"{len(self.accepted())} of {count} webhook posts accepted: {self.received!r}")

    async def _handle(self, request: web.Request) -> web.Response:
        status = self.script.popleft() if self.script else self.default
        body = await request.read()
        self.received.append(Received({k.lower(): v for k, v in request.headers.items()}, body, status))
        if status == HANG:
            await self._stopping.wait()
        headers = {"Retry-After": self.retry_after} if self.retry_after and status == 429 else {}
        return web.Response(status=status, text="ok" if status < 300 else "no", headers=headers)
