"""A TCP proxy on loopback that can fail like a network: pass traffic, refuse it, or swallow it.

"refuse" closes every connection (new ones at once: the database is down); "blackhole" keeps
connections open and forwards nothing either way (a dead link, a frozen server): the fault that
hangs clients without timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

Mode = Literal["pass", "refuse", "blackhole"]


class FaultyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.mode: Mode = "pass"
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> FaultyProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._open):
            writer.close()

    def set(self, mode: Mode) -> None:
        self.mode = mode
        if mode == "refuse":
            for writer in list(self._open):
                writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._open.add(writer)
        try:
            if self.mode == "blackhole":
                while await reader.read(65536):  # swallow; never answer
                    pass
                return
            up_reader, up_writer = await asyncio.open_connection(*self._target)
            self._open.add(up_writer)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except OSError:
            pass
        finally:
            self._open.discard(writer)
            writer.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                while self.mode == "blackhole":  # the link went dead: hold everything
                    await asyncio.sleep(0.05)
                if self.mode == "refuse":
                    break
                writer.write(data)
                await writer.drain()
        self._open.discard(writer)
        writer.close()
